"""Someone who blocked the bot and unblocked it again is reachable again.

A 403 marked them unreachable (``bot/services/reachability.py``) and nothing is sent to them since, so
only they can tell us they are back: any message or button press from their account. :func:`heard_from`
runs with the first commit of every update from a private chat (``bot/services/updates.py``), so
whatever they did is stored together with "they are back", and a restart in between changes nothing.

Apart from ``reachability`` because coming back reschedules a member (``member_settings``, built on
``checkins``), and ``checkins`` reports to ``reachability.seen``: one module would be an import cycle.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.services import member_settings
from bot.services.reachability import SEEN
from storage.circles import queries as circles_db
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus, Staff
from storage.sponsors.tables import Sponsor


def heard_from(session: Session, telegram_user_id: int, now: datetime) -> None:
    """The account wrote or pressed something: whatever a 403 marked unreachable is reachable again.

    Most use cases have loaded the person's member or staff row already: then its state decides here,
    without a query (one account is one member, staff member or volunteer, never two of them)."""
    if session.info.get(SEEN):
        return
    for row in list(session.identity_map.values()):
        if isinstance(row, Member) and row.telegram_user_id == telegram_user_id:
            if row.status == MemberStatus.UNREACHABLE:
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
