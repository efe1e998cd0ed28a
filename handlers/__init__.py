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

from handlers.roles import command
from handlers import checkin, circles, common, counsellor, craving, fallback, onboarding, privacy, settings, sponsor


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """All handlers in one ordered place. Group -1 guards, group 0 works; the inbox (bot/inbox.py)
    marks an update handled with the handler's commit, or itself when the handler wrote nothing."""
    application.add_handler(TypeHandler(Update, common.guard_update), group=-1)
    private = filters.ChatType.PRIVATE
    new = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            # every command passes the role gate (handlers.roles, table in bot.services.access)
            command("start", onboarding.start_cmd),
            command("help", fallback.help_cmd),
            command("craving", craving.craving_cmd),
            command("settings", settings.settings_cmd),
            command("queue", counsellor.queue_cmd),
            command("member", counsellor.member_cmd),
            command("ack", counsellor.ack_cmd),
            command("resolve", counsellor.resolve_cmd),
            # peer circles (new messages only: an edited /say is an edit, not a second post)
            command("circle", circles.circle_cmd, new),
            command("unsend", circles.unsend_cmd, new),
            command("report", circles.report_cmd, new),
            command(["say", "goal", "pin"], circles.facilitator_cmd, new),
            command(["mute", "remove", "move"], circles.staff_cmd, new),
            # sponsors, mentees and "I need to talk"
            command("mentees", sponsor.mentees_cmd),
            command("sponsor", sponsor.sponsor_cmd),
            command("encourage", sponsor.encourage_cmd, new),
            command("reply", sponsor.reply_cmd, new),
            command("share", sponsor.share_cmd),
            command("talk", sponsor.talk_cmd),
            command("volunteer", sponsor.volunteer_cmd),
            command("sponsorlink", sponsor.sponsorlink_cmd),
            command("sponsorunlink", sponsor.sponsorunlink_cmd),
            # the member's data rights
            command("mydata", privacy.mydata_cmd, new),
            command("forget", privacy.forget_cmd, new),
            CallbackQueryHandler(onboarding.onboarding_cb, pattern=r"^ob:"),
            CallbackQueryHandler(checkin.checkin_cb, pattern=r"^ci:"),
            CallbackQueryHandler(craving.craving_cb, pattern=r"^cr:"),
            CallbackQueryHandler(settings.settings_cb, pattern=r"^set:"),
            CallbackQueryHandler(counsellor.escalation_cb, pattern=r"^esc:"),
            CallbackQueryHandler(counsellor.followup_cb, pattern=r"^fu:"),
            CallbackQueryHandler(circles.circle_cb, pattern=r"^cir:"),
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
    application.add_error_handler(common.error_handler)
