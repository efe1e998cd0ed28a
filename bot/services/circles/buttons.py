"""The ``cir:v1:…`` buttons: milestones, encouragement, and staff's review, lift and mute."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services import access, safety
from bot.services.circles.milestones import encourage, share_milestone
from bot.services.circles.moderation import lift_review, mute_membership, review_held
from bot.services.context import Person, ServiceContext


def button(ctx: ServiceContext, person: Person, parts: Sequence[str], message_id: int | None) -> str | None:
    """``cir:v1:…`` buttons. Returns a toast id (a refusal or a confirmation), or None."""
    action = parts[0] if parts else ""
    numbers = [int(p) for p in parts[1:2] if p.isdigit()]
    if not numbers or len(parts) != 3:
        return "button-expired"
    target, choice = numbers[0], parts[2]
    now = ctx.clock.now()
    with ctx.uow() as session:
        if action == "ms":
            toast = share_milestone(session, person, target, choice == "y", now, message_id)
        elif action == "enc":
            toast = encourage(session, person, target, choice, now)
        elif action in ("hold", "rv", "mute"):
            staff = safety.staff_of(session, person.telegram_user_id)
            if staff is None:
                access.audit_refusal(session, person, f"circle_{action}_button", now)
                toast = "not-available"
            elif action == "hold":
                toast = review_held(session, person, staff, target, choice == "ok", now, message_id)
            elif action == "rv":
                toast = lift_review(session, person, staff, target, now)
            else:
                toast = mute_membership(session, person, staff, target, int(choice) if choice.isdigit() else 0, now)
        else:
            toast = "button-expired"
        session.commit()
    return toast
