"""Thin python-telegram-bot adapters: parse the update, call one use case, answer the button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import checkin, circle, common, counsellor, craving, fallback, onboarding, privacy, settings, sponsor


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """All handlers in one ordered place. Group -1 guards, group 0 works, group 1 records."""
    application.add_handler(TypeHandler(Update, common.guard_update), group=-1)
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler("start", onboarding.start_cmd, filters=private),
            CommandHandler("help", fallback.help_cmd, filters=private),
            CommandHandler("craving", craving.craving_cmd, filters=private),
            CommandHandler("settings", settings.settings_cmd, filters=private),
            CommandHandler("queue", counsellor.queue_cmd, filters=private),
            CommandHandler("member", counsellor.member_cmd, filters=private),
            CommandHandler("ack", counsellor.ack_cmd, filters=private),
            CommandHandler("resolve", counsellor.resolve_cmd, filters=private),
            # peer circles (new messages only: an edited /say is an edit, not a second post)
            CommandHandler("circle", circle.circle_cmd, filters=private & filters.UpdateType.MESSAGE),
            CommandHandler("unsend", circle.unsend_cmd, filters=private & filters.UpdateType.MESSAGE),
            CommandHandler("report", circle.report_cmd, filters=private & filters.UpdateType.MESSAGE),
            CommandHandler(["say", "goal", "pin"], circle.facilitator_cmd, filters=private & filters.UpdateType.MESSAGE),
            CommandHandler(["mute", "remove", "move"], circle.staff_cmd, filters=private & filters.UpdateType.MESSAGE),
            # sponsors, mentees and "I need to talk"
            CommandHandler("mentees", sponsor.mentees_cmd, filters=private),
            CommandHandler("sponsor", sponsor.sponsor_cmd, filters=private),
            CommandHandler("encourage", sponsor.encourage_cmd, filters=private & filters.UpdateType.MESSAGE),
            CommandHandler("reply", sponsor.reply_cmd, filters=private & filters.UpdateType.MESSAGE),
            CommandHandler("share", sponsor.share_cmd, filters=private),
            CommandHandler("talk", sponsor.talk_cmd, filters=private),
            CommandHandler("volunteer", sponsor.volunteer_cmd, filters=private),
            CommandHandler("sponsorlink", sponsor.sponsorlink_cmd, filters=private),
            CommandHandler("sponsorunlink", sponsor.sponsorunlink_cmd, filters=private),
            # the member's data rights
            CommandHandler("mydata", privacy.mydata_cmd, filters=private & filters.UpdateType.MESSAGE),
            CommandHandler("forget", privacy.forget_cmd, filters=private & filters.UpdateType.MESSAGE),
            CallbackQueryHandler(onboarding.onboarding_cb, pattern=r"^ob:"),
            CallbackQueryHandler(checkin.checkin_cb, pattern=r"^ci:"),
            CallbackQueryHandler(craving.craving_cb, pattern=r"^cr:"),
            CallbackQueryHandler(settings.settings_cb, pattern=r"^set:"),
            CallbackQueryHandler(counsellor.escalation_cb, pattern=r"^esc:"),
            CallbackQueryHandler(counsellor.followup_cb, pattern=r"^fu:"),
            CallbackQueryHandler(circle.circle_cb, pattern=r"^cir:"),
            CallbackQueryHandler(sponsor.sponsor_cb, pattern=r"^sp:"),
            CallbackQueryHandler(privacy.privacy_cb, pattern=r"^prv:"),
            CallbackQueryHandler(fallback.unknown_cb),
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, fallback.edited_msg),
            MessageHandler(private & filters.COMMAND, fallback.unknown_cmd),
            # a reply answers a sponsor/talk chat first; sponsor_replies passes anything else to the circles
            MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT & filters.REPLY, sponsor.relay_reply_msg),
            MessageHandler(private & filters.TEXT, fallback.text_msg),
            MessageHandler(private, fallback.unsupported_msg),
        ],
        group=0,
    )
    application.add_handler(TypeHandler(Update, common.record_update), group=1)
    application.add_error_handler(common.error_handler)
