"""Who can be reached: someone who blocked the bot is unreachable, and reachable again once they write.

A 403 from Telegram marks a member ``unreachable``, a staff member ``reachable = False`` and a
volunteer sponsor without a chat: the outbox sender only reports the row it could not deliver
(``on_unreachable``, wired in ``bot/app.py``) and :func:`recipient_unreachable` decides, in the
transaction that gives the row up. Nothing is sent to them after that, so only they can tell us
they are back: any message or button press from their account (``bot/services/reconnect.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.services import safety
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member, MemberStatus, Staff

SEEN = "saathi_person_seen"  # session.info: the use case read the person's row and it is not unreachable


def recipient_unreachable(session: Session, row: OutboxMessage, now: datetime) -> bool:
    """Telegram refused ``row`` with 403: its recipient blocked the bot. A member is marked
    ``unreachable`` (never deleted; a pause or an ended membership stays as it is), a staff member
    ``reachable = False``; safety does the rest (a volunteer sponsor, an alert's next step).
    True when an escalation needs its next step (the caller runs the due work soon)."""
    if row.member_id is not None:
        member = session.get(Member, row.member_id)
        if member is not None and member.status in (MemberStatus.ACTIVE, MemberStatus.PAUSED):
            member.status = MemberStatus.UNREACHABLE
    if row.staff_id is not None:
        staff = session.get(Staff, row.staff_id)
        if staff is not None:
            staff.reachable = False
    return safety.recipient_unreachable(session, row, now)


def seen(session: Session, member_status: str) -> None:
    """For use cases that read the person's member status as a plain value (the check-in press): when
    it is not ``unreachable``, :func:`bot.services.reconnect.heard_from` has nothing to look up."""
    if member_status != MemberStatus.UNREACHABLE:
        session.info[SEEN] = True
