"""The 24-hour window: free-form inside, a utility template or a wait outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.whatsapp.templates import TEMPLATES
from bot.domain.whatsapp.window import (
    FREE_FORM,
    HOLD,
    SEND_MARGIN,
    WINDOW,
    Route,
    how_to_send,
    is_open,
    template,
    window_closes_at,
)

WROTE = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_the_window_is_open_until_just_before_24_hours_and_closed_at_exactly_24():
    assert is_open(WROTE, WROTE)
    assert is_open(WROTE, WROTE + WINDOW - timedelta(microseconds=1))
    assert not is_open(WROTE, WROTE + WINDOW)
    assert not is_open(WROTE, WROTE + WINDOW + timedelta(seconds=1))
    assert window_closes_at(WROTE) == WROTE + timedelta(hours=24)


def test_someone_who_never_wrote_has_no_window():
    assert not is_open(None, WROTE)
    assert window_closes_at(None) is None
    assert how_to_send("circle", None, WROTE) == HOLD
    assert how_to_send("checkin", None, WROTE) == template("saathi_checkin")


@pytest.mark.parametrize(
    ("purpose", "name"),
    [
        ("checkin", "saathi_checkin"),
        ("reminder", "saathi_reminder"),
        ("craving_prompt", "saathi_reminder"),
        ("sp_talk", "saathi_message_waiting"),
        ("sp_gap", "saathi_message_waiting"),
        ("escalation", "saathi_staff_alert"),
        ("reach_out", "saathi_staff_alert"),
    ],
)
def test_scheduled_and_urgent_messages_outside_the_window_go_as_their_template(purpose, name):
    later = WROTE + timedelta(hours=30)
    assert how_to_send(purpose, WROTE, later) == template(name)
    assert how_to_send(purpose, WROTE, later).route is Route.TEMPLATE
    assert how_to_send(purpose, WROTE, WROTE + timedelta(hours=2)) == FREE_FORM


@pytest.mark.parametrize("purpose", ["reply", "safety_reply", "ob_language", "ob_time", "data_export"])
def test_a_reply_to_the_persons_own_action_is_always_free_form(purpose):
    assert how_to_send(purpose, WROTE - timedelta(days=3), WROTE) == FREE_FORM
    assert how_to_send(purpose, None, WROTE) == FREE_FORM


@pytest.mark.parametrize("purpose", ["circle", "circle_edit", "sp_summary_weekly", "ob_reconsent", "something_new"])
def test_anything_else_outside_the_window_waits_for_the_person(purpose):
    assert how_to_send(purpose, WROTE, WROTE + WINDOW) == HOLD
    assert how_to_send(purpose, WROTE, WROTE + timedelta(hours=1)) == FREE_FORM


def test_close_to_the_edge_a_scheduled_message_goes_as_a_template_not_to_be_lost():
    edge = WROTE + WINDOW - SEND_MARGIN
    assert how_to_send("checkin", WROTE, edge - timedelta(seconds=1)) == FREE_FORM
    assert how_to_send("checkin", WROTE, edge) == template("saathi_checkin")
    assert how_to_send("circle", WROTE, edge) == HOLD


def test_every_purpose_has_at_most_one_template():
    purposes = [p for t in TEMPLATES for p in t.purposes]
    assert len(purposes) == len(set(purposes))
