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
from storage.circles import queries as circles_db
from storage.people import queries as people_db
from storage.people.tables import Member, Staff
from storage.sponsors.tables import Sponsor


_SEEN = "saathi_person_seen"  # session.info: the use case read the person's row and it is not unreachable


def seen(session: Session, member_status: str) -> None:
    """For use cases that read the person's member status as a plain value (the check-in press): when
    it is not ``unreachable``, :func:`heard_from` has nothing to look up."""
    if member_status != "unreachable":
        session.info[_SEEN] = True


def heard_from(session: Session, telegram_user_id: int, now: datetime) -> None:
    """The account wrote or pressed something: whatever a 403 marked unreachable is reachable again.

    Most use cases have loaded the person's member or staff row already: then its state decides here,
    without a query (one account is one member, staff member or volunteer, never two of them)."""
    if session.info.get(_SEEN):
        return
    for row in list(session.identity_map.values()):
        if isinstance(row, Member) and row.telegram_user_id == telegram_user_id:
            if row.status == "unreachable":
                _member_back(session, row, now)
            return
        if isinstance(row, Staff) and row.telegram_user_id == telegram_user_id:
            row.reachable = True  # alerts reach them again (a no-op when they were reachable)
            return
    for kind, row_id in people_db.unreachable_accounts(session, telegram_user_id):
        if kind == "member":
            member = session.get(Member, row_id)
            if member is not None:
                _member_back(session, member, now)
        elif kind == "staff":
            staff = session.get(Staff, row_id)
            if staff is not None:
                staff.reachable = True  # alerts reach them again
        else:
            volunteer = session.get(Sponsor, row_id)
            if volunteer is not None:
                volunteer.chat_id = telegram_user_id  # a private chat's id is the user's id


def _member_back(session: Session, member: Member, now: datetime) -> None:
    member_settings.back_from_unreachable(session, member, now)
    circles_db.forget_unreachable_notice(session, member.id or 0)  # told again if they block the bot again later
