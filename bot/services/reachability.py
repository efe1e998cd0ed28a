"""Who can be reached: someone who blocked the bot is unreachable, and reachable again once they write.

A 403 from Telegram marks a member ``unreachable``, a staff member ``reachable = False`` and a
volunteer sponsor without a chat: the outbox sender only reports the row it could not deliver
(``on_unreachable``, wired in ``bot/app.py``) and :func:`recipient_unreachable` decides, in the
transaction that gives the row up. Nothing is sent to them after that, so only they can tell us
they are back: any message or button press from their account. :func:`heard_from` runs with the first commit of every update from a
private chat (``bot/services/updates.py``), so whatever they did is stored together with "they are
back", and a restart in between changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.services import safety
from storage import circle_repositories as crepo
from storage import repositories as repo
from storage.models import Member, OutboxMessage, Staff
from storage.sponsor_models import Sponsor


_SEEN = "saathi_person_seen"  # session.info: the use case read the person's row and it is not unreachable


def recipient_unreachable(session: Session, row: OutboxMessage, now: datetime) -> bool:
    """Telegram refused ``row`` with 403: its recipient blocked the bot. A member is marked
    ``unreachable`` (never deleted; a pause or an ended membership stays as it is), a staff member
    ``reachable = False``; safety does the rest (a volunteer sponsor, an alert's next step).
    True when an escalation needs its next step (the caller runs the due work soon)."""
    if row.member_id is not None:
        member = session.get(Member, row.member_id)
        if member is not None and member.status in ("active", "paused"):
            member.status = "unreachable"
    if row.staff_id is not None:
        staff = session.get(Staff, row.staff_id)
        if staff is not None:
            staff.reachable = False
    return safety.recipient_unreachable(session, row, now)


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
    for kind, row_id in repo.unreachable_accounts(session, telegram_user_id):
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
    from bot.services import member_settings  # it builds on checkins, which reports to seen() above

    member_settings.back_from_unreachable(session, member, now)
    crepo.forget_unreachable_notice(session, member.id or 0)  # told again if they block the bot again later
