"""WhatsApp's channel rules as plain values: what a message may look like (:mod:`.render`), when the
bot may write freely (:mod:`.window`), the templates it sends outside that window
(:mod:`.templates`), how a webhook proves it is Meta's (:mod:`.signature`) and how an invite link
starts a conversation (:mod:`.invite`).

Standard library only (the ``bot.domain`` contract): the adapter built on pywa calls these, and the
sandbox's Cloud API emulator enforces the same limits.
"""
