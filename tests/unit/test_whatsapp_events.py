"""Reading Meta's webhook: messages, taps and statuses, and nothing guessed from what is not there."""

from __future__ import annotations

from bot.whatsapp_events import WaMessage, WaStatus, read_webhook


def _envelope(value: dict) -> dict:  # type: ignore[type-arg]
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "1", "changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "99"}, **value}}]}
        ],
    }


def test_text_taps_quick_replies_and_media_are_read() -> None:
    body = _envelope(
        {
            "contacts": [{"wa_id": "919800000001", "profile": {"name": " Asha "}}],
            "messages": [
                {"from": "919800000001", "id": "wamid.1", "type": "text", "text": {"body": "START ABCD2345"}},
                {
                    "from": "919800000001",
                    "id": "wamid.2",
                    "type": "interactive",
                    "interactive": {"type": "list_reply", "list_reply": {"id": "ci:v1:7:mood:3", "title": "3 😐"}},
                },
                {
                    "from": "919800000001",
                    "id": "wamid.3",
                    "type": "button",
                    "button": {"payload": "wa:open:checkin", "text": "Check in now"},
                },
                {"from": "919800000001", "id": "wamid.4", "type": "image", "image": {"id": "m1"}},
                {"from": "919800000001", "id": "wamid.5", "type": "reaction", "reaction": {"emoji": "👍"}},
                {"from": "919800000001", "type": "text", "text": {"body": "no id: skipped"}},
            ],
        }
    )
    messages, statuses = read_webhook(body)
    assert statuses == []
    assert [phone for phone, _ in messages] == ["99"] * 5
    assert [m for _, m in messages] == [
        WaMessage("wamid.1", "919800000001", "text", text="START ABCD2345", name="Asha"),
        WaMessage("wamid.2", "919800000001", "choice", text="3 😐", choice_id="ci:v1:7:mood:3", name="Asha"),
        WaMessage("wamid.3", "919800000001", "choice", text="Check in now", choice_id="wa:open:checkin", name="Asha"),
        WaMessage("wamid.4", "919800000001", "media", name="Asha"),
        WaMessage("wamid.5", "919800000001", "silent", name="Asha"),  # a reaction: nothing to answer
    ]


def test_statuses_carry_metas_error_code_and_junk_reads_as_nothing() -> None:
    body = _envelope(
        {
            "statuses": [
                {"id": "wamid.9", "status": "delivered", "recipient_id": "919800000001"},
                {"id": "wamid.10", "status": "failed", "errors": [{"code": 131047, "title": "Re-engagement message"}]},
                {"status": "read"},
            ]
        }
    )
    assert read_webhook(body) == ([], [WaStatus("wamid.9", "delivered"), WaStatus("wamid.10", "failed", 131047)])
    for junk in (None, [], "x", {"entry": "x"}, {"entry": [{"changes": [{"value": "x"}]}]}):
        assert read_webhook(junk) == ([], [])
