"""Someone who blocked the bot and unblocked it again is reachable again.

A 403 from Telegram marks a member ``unreachable``, a staff member ``reachable = False`` and a
volunteer sponsor without a chat (``bot/delivery/sender.py``, ``safety.recipient_unreachable``).
Nothing is sent to them after that, so only they can tell us they are back: any message or button
press from their account. :func:`heard_from` runs with the first commit of every update from a
private chat (``bot/services/updates.py``), so whatever they did is stored together with "they are
back", and a restart in between changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.services import member_settings
from storage import circle_repositories as crepo
from storage import repositories as repo
from storage.models import Member, Staff
from storage.sponsor_models import Sponsor


def heard_from(session: Session, telegram_user_id: int, now: datetime) -> None:
    """The account wrote or pressed something: whatever a 403 marked unreachable is reachable again."""
    for kind, row_id in repo.unreachable_accounts(session, telegram_user_id):
        if kind == "member":
            member = session.get(Member, row_id)
            if member is not None:
                member_settings.back_from_unreachable(session, member, now)
                # told again if they block the bot again later
                crepo.forget_unreachable_notice(session, row_id)
        elif kind == "staff":
            staff = session.get(Staff, row_id)
            if staff is not None:
                staff.reachable = True  # alerts reach them again
        else:
            volunteer = session.get(Sponsor, row_id)
            if volunteer is not None:
                volunteer.chat_id = telegram_user_id  # a private chat's id is the user's id
