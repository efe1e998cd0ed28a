"""Invites to a circle respect its capacity, when they are made and when they are used."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.services import admin, onboarding
from bot.services.context import Person, ServiceContext
from storage.circles.tables import CircleMembership
from tests.storage.helpers import member, onboard, outbox, seed_centre

CENTRE, CIRCLE = "Asha Kendra", "Evening Circle"


def _members_in_circle(services: ServiceContext) -> int:
    with services.uow() as session:
        return len(session.exec(select(CircleMembership).where(col(CircleMembership.left_at).is_(None))).all())


def test_no_more_invites_than_free_seats(services: ServiceContext) -> None:
    """Issue 15: invites skipped a circle's capacity."""
    seed_centre(services)
    admin.add_circle(services, CENTRE, CIRCLE, capacity=3)
    onboard(services, 101)
    admin.assign_to_circle(services, CENTRE, member(services, 101).pseudonym, CIRCLE)
    with pytest.raises(admin.AdminError, match="room for 2 more"):
        admin.create_invites(services, CENTRE, circle_name=CIRCLE, count=3)
    assert len(admin.create_invites(services, CENTRE, circle_name=CIRCLE, count=2)) == 2
    with pytest.raises(admin.AdminError, match="room for 0 more"):
        admin.create_invites(services, CENTRE, circle_name=CIRCLE)
    assert admin.create_invites(services, CENTRE)  # invites to the centre alone are not limited


def test_expired_invites_free_their_seats(services: ServiceContext, clock) -> None:
    seed_centre(services)
    admin.add_circle(services, CENTRE, CIRCLE, capacity=2)
    admin.create_invites(services, CENTRE, circle_name=CIRCLE, count=2, expires_days=1)
    clock.advance(days=2)
    assert len(admin.create_invites(services, CENTRE, circle_name=CIRCLE, count=2)) == 2


def test_an_invite_to_a_circle_that_filled_meanwhile_joins_the_centre_only(services: ServiceContext) -> None:
    seed_centre(services)
    admin.add_circle(services, CENTRE, CIRCLE, capacity=2)
    first, second = admin.create_invites(services, CENTRE, circle_name=CIRCLE, count=2)
    onboard(services, 101)  # staff move someone in after the invites went out
    admin.assign_to_circle(services, CENTRE, member(services, 101).pseudonym, CIRCLE)
    for user_id, invite in ((102, first), (103, second)):
        onboarding.start(
            services,
            Person(telegram_user_id=user_id, chat_id=user_id, display_name="Test", language_code="en"),
            invite.code,
        )
    assert _members_in_circle(services) == 2
    assert member(services, 103).status == "onboarding"  # still welcome at the centre
    assert any("filled up before you joined" in row.payload["text"] for row in outbox(services, chat_id=103))
