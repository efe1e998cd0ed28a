"""Thin python-telegram-bot adapters: parse the update, call one use case, answer the button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import (
    checkins,
    circles,
    common,
    conversation,
    counsellor,
    cravings,
    inbound,
    member_settings,
    onboarding,
    privacy,
    sponsors,
)
from handlers.roles import command


def add_handlers(application: Application) -> None:
    """All handlers in one ordered place. Group -1 guards, group 0 works; the inbox (bot/inbox.py)
    marks an update handled with the handler's commit, or itself when the handler wrote nothing."""
    application.add_handler(TypeHandler(Update, common.guard_update), group=-1)
    private = filters.ChatType.PRIVATE
    new = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            # every command passes the role gate (handlers.roles, table in bot.services.access)
            command("start", onboarding.start_cmd),
            command("help", conversation.help_cmd),
            command("craving", cravings.craving_cmd),
            command("settings", member_settings.settings_cmd),
            command("queue", counsellor.queue_cmd),
            command("member", counsellor.member_cmd),
            command("ack", counsellor.ack_cmd),
            command("resolve", counsellor.resolve_cmd),
            command("console", counsellor.console_cmd),
            # peer circles (new messages only: an edited /say is an edit, not a second post)
            command("circle", circles.circle_cmd, new),
            command("unsend", circles.unsend_cmd, new),
            command("report", circles.report_cmd, new),
            command(["say", "goal", "pin"], circles.facilitator_cmd, new),
            command(["mute", "remove", "move"], circles.staff_cmd, new),
            # sponsors, mentees and "I need to talk"
            command("mentees", sponsors.mentees_cmd),
            command("sponsor", sponsors.sponsor_cmd),
            command("encourage", sponsors.encourage_cmd, new),
            command("reply", sponsors.reply_cmd, new),
            command("share", sponsors.share_cmd),
            command("talk", sponsors.talk_cmd),
            command("volunteer", sponsors.volunteer_cmd),
            command("sponsorlink", sponsors.sponsorlink_cmd),
            command("sponsorunlink", sponsors.sponsorunlink_cmd),
            # the member's data rights
            command("mydata", privacy.mydata_cmd, new),
            command("forget", privacy.forget_cmd, new),
            CallbackQueryHandler(onboarding.onboarding_cb, pattern=r"^ob:"),
            CallbackQueryHandler(checkins.checkin_cb, pattern=r"^ci:"),
            CallbackQueryHandler(cravings.craving_cb, pattern=r"^cr:"),
            CallbackQueryHandler(member_settings.settings_cb, pattern=r"^set:"),
            CallbackQueryHandler(counsellor.escalation_cb, pattern=r"^esc:"),
            CallbackQueryHandler(counsellor.followup_cb, pattern=r"^fu:"),
            CallbackQueryHandler(circles.circle_cb, pattern=r"^cir:"),
            CallbackQueryHandler(sponsors.sponsor_cb, pattern=r"^sp:"),
            CallbackQueryHandler(privacy.privacy_cb, pattern=r"^prv:"),
            CallbackQueryHandler(conversation.unknown_cb),
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, inbound.edited_msg),
            MessageHandler(private & filters.COMMAND, conversation.unknown_cmd),
            # text, replies, edits and media all go to the inbound router (bot.services.inbound)
            MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT & filters.REPLY, inbound.reply_msg),
            MessageHandler(private & filters.TEXT, inbound.text_msg),
            MessageHandler(private, inbound.media_msg),
        ],
        group=0,
    )
    application.add_error_handler(common.error_handler)
