"""Whose members a signed-in staff member sees: their centre's, or only their own when the centre keeps
counsellors to their own members (admins always see the whole centre)."""

from __future__ import annotations

from bot.services.console import ConsoleUser
from bot.services.console_members import Scope


def scope_of(user: ConsoleUser) -> Scope:
    own = user.own_members_only and user.role == "counsellor"
    return Scope(staff_id=user.staff_id, center_id=user.center_id, counsellor_id=user.staff_id if own else None)
