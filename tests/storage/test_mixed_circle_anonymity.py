"""The anonymity promise of a circle that mixes Telegram and WhatsApp members, property-tested
through the real services (Telegram's side as its handlers call them, WhatsApp's side through
``bot.whatsapp_events.handle``, as the WhatsApp inbox calls it) on an in-memory SQLite database:
for any mix of members and any texts, nothing written to the outbox for one person carries another
member's real name, Telegram id, username, phone number, WhatsApp number (wa_id) or profile name.

Plus the threading, unsend and edit rules of a mixed circle, played step by step: a WhatsApp
swipe-reply (``context.id`` = the wamid of a relayed copy) threads as Telegram's reply does, an
unsend says honestly that WhatsApp copies stay, and an edit reaches WhatsApp as a new message.
"""

from __future__ import annotations

import asyncio
import random
import string
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine, select

import storage.schema  # noqa: F401  (registers every table)
from bot import whatsapp_events
from bot.clock import FakeClock
from bot.domain import channels
from bot.domain.pseudonyms import WORDS
from bot.domain.relay import parse_schedule
from bot.i18n import LANGUAGES, t
from bot.services import circles, inbound, privacy
from bot.services.context import Person, ServiceContext
from storage.channels import queries as channels_db
from storage.channels.tables import Channel
from storage.circles.tables import Circle, CircleMessage, CircleMessageStatus, CircleReport
from storage.db import SessionFactory
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, Member, Staff
from tests.storage.test_circle_anonymity import _risk_rules, _unseen_word

LETTERS = string.ascii_letters
COUNSELLOR_CHAT = 7

people = st.lists(
    st.fixed_dictionaries(
        {
            "channel": st.sampled_from([channels.TELEGRAM, channels.WHATSAPP]),
            "telegram_id": st.integers(min_value=10**9, max_value=2**40),
            "first": _unseen_word(),
            "last": _unseen_word(),
            "username": _unseen_word(6),
            "phone": st.from_regex(r"\A[6-9][0-9]{9}\Z"),
            "language": st.sampled_from(LANGUAGES),
        }
    ),
    min_size=2,
    max_size=6,
    unique_by=(lambda p: p["telegram_id"], lambda p: p["first"].casefold(), lambda p: p["phone"]),
)
messages = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),
        st.text(alphabet=LETTERS + string.digits + " .,!?'-", min_size=1, max_size=80),
        st.sampled_from(["plain", "own_phone", "reply", "edit", "unsend"]),
    ),
    min_size=1,
    max_size=8,
)


class MixedCircle:
    """One mixed circle on a fresh database: its members as the services see them."""

    def __init__(self, people: list[dict[str, Any]], facilitator: str) -> None:
        self.clock = FakeClock(datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        SQLModel.metadata.create_all(engine)
        self.ctx = ServiceContext(uow=SessionFactory(engine), clock=self.clock, rng=random.Random(1))
        self.persons: list[Person] = []
        self.secrets: dict[int, list[str]] = {}  # chat id → what must never reach anyone else
        now = self.clock.now()
        with self.ctx.uow() as session:
            center = Center(name="Asha Kendra", timezone="Asia/Kolkata", created_at=now)
            session.add(center)
            session.flush()
            account = channels_db.add_account(
                session,
                center_id=center.id or 0,
                channel=Channel.WHATSAPP,
                name="asha-wa",
                token="EAAtoken",
                phone_id="106540352242922",
                app_secret="app-secret",
                verify_token="verify",
                now=now,
            )
            staff = Staff(
                center_id=center.id or 0,
                name=f"Counsellor {facilitator}",
                telegram_user_id=COUNSELLOR_CHAT,
                chat_id=COUNSELLOR_CHAT,
                created_at=now,
            )
            session.add(staff)
            session.flush()
            circle = Circle(
                center_id=center.id or 0,
                name="Evening Circle",
                kind="therapist",
                facilitator_id=staff.id,
                capacity=12,
                created_at=now,
            )
            session.add(circle)
            session.flush()
            circles.configure(session, circle, now, schedule=parse_schedule("daily 19:00 60"))
            for index, p in enumerate(people):
                name = f"{p['first']} {p['last']}"
                if p["channel"] == channels.WHATSAPP:
                    wa_id = "91" + p["phone"]
                    contact = channels_db.contact_for(session, account, wa_id, now)
                    key = channels.whatsapp_key(contact.id or 0)
                    secret = [str(key), wa_id, p["phone"], p["first"], p["last"]]
                else:
                    key = p["telegram_id"]
                    secret = [str(key), p["phone"], p["first"], p["last"], p["username"]]
                member = Member(
                    center_id=center.id or 0,
                    counsellor_id=staff.id,
                    telegram_user_id=key,
                    chat_id=key,
                    display_name=name,
                    pseudonym=f"{WORDS[index]} {index + 1}",
                    language=p["language"],
                    timezone="Asia/Kolkata",
                    status="active",
                    sober_days_seen=7,
                    created_at=now,
                )
                session.add(member)
                session.flush()
                circles.join(session, member, circle, now)
                self.persons.append(Person(key, key, name, p["language"]))
                self.secrets[key] = secret
            session.commit()
        self.deliver()
        self.step = 0

    def deliver(self) -> None:
        """Play both senders: a Telegram row gets a message id; a WhatsApp row a wamid, and (as the real
        sender records it) its own row id as the message id the services know it by."""
        with self.ctx.uow() as session:
            for row in session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")):
                row.status, row.sent_at = "sent", self.clock.now()
                if row.channel == channels.WHATSAPP:
                    row.provider_message_id = f"wamid.HBgM{row.id:08d}"
                    row.telegram_message_id = row.id
                else:
                    row.telegram_message_id = 10_000 + (row.id or 0)
            session.commit()

    def copy_for(self, person: Person) -> OutboxMessage | None:
        """The last circle copy this person received."""
        with self.ctx.uow() as session:
            return session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == person.chat_id, OutboxMessage.purpose == "circle")
                .order_by(OutboxMessage.id.desc())  # type: ignore[union-attr]
            ).first()

    def say(self, person: Person, text: str, reply_to: OutboxMessage | None = None) -> str:
        """A message as each channel's adapter hands it to the services; returns its id (wamid or number)."""
        self.step += 1
        self.clock.advance(seconds=7)
        if channels.is_whatsapp(person.chat_id):
            wamid = f"wamid.in{self.step:06d}"
            context = reply_to.provider_message_id if reply_to is not None else None
            with self.ctx.uow() as session:  # what the WhatsApp inbox does when it stores a swipe-reply
                replied = channels_db.row_id_of(session, person.chat_id, context) if context else None
            message = whatsapp_events.WaMessage(
                wamid,
                self.secrets[person.chat_id][1],
                "text",
                text=text,
                name=person.display_name,
                reply_to=context,
                reply_to_message_id=replied,
            )
            asyncio.run(whatsapp_events.handle(self._call, person, message))
            ident = wamid
        else:
            reply = reply_to.telegram_message_id if reply_to is not None else None
            inbound.handle_text(self.ctx, person, text, 500 + self.step, reply)
            ident = str(500 + self.step)
        self.deliver()
        return ident

    def edit(self, person: Person, message_id: int, text: str) -> None:
        self.clock.advance(seconds=7)
        inbound.handle_edit(self.ctx, person, text, message_id)
        self.deliver()

    def unsend(self, person: Person) -> None:
        self.clock.advance(seconds=7)
        if channels.is_whatsapp(person.chat_id):
            message = whatsapp_events.WaMessage("wamid.unsend", "x", "text", text="/unsend")
            asyncio.run(whatsapp_events.handle(self._call, person, message))
        else:
            circles.unsend(self.ctx, person)
        self.deliver()

    async def _call(self, use_case: Callable[..., Any], *args: Any) -> Any:
        return use_case(self.ctx, *args)

    def rows(self) -> list[OutboxMessage]:
        with self.ctx.uow() as session:
            return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def _shown(row: OutboxMessage) -> str:
    return " ".join(
        [
            row.payload.get("text", ""),
            *(f"{label} {data}" for line in row.payload.get("buttons", []) for label, data in line),
        ]
    )


# No shrinking: each example plays a whole circle on a fresh database, and a leak is plain enough unshrunk.
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(people=people, facilitator=_unseen_word(), said=messages)
def test_no_copy_in_a_mixed_circle_identifies_another_member(
    people: list[dict], facilitator: str, said: list[tuple[int, str, str]]
) -> None:
    assume({p["channel"] for p in people} == {channels.TELEGRAM, channels.WHATSAPP})
    values = [v for p in people for v in (str(p["telegram_id"]), p["first"], p["last"], p["username"], p["phone"])]
    assume(not any(facilitator.casefold() in v.casefold() or v.casefold() in facilitator.casefold() for v in values))
    for _, text, _ in said:
        assume(not any(v.casefold() in text.casefold() for v in values))
    with _risk_rules():
        circle = MixedCircle(people, facilitator)
        for who, text, how in said:
            author = circle.persons[who % len(circle.persons)]
            if how == "own_phone":
                circle.say(author, f"{text} call me {circle.secrets[author.chat_id][1]}")
            elif how == "reply":
                circle.say(author, text, reply_to=circle.copy_for(author))
            elif how == "edit" and not channels.is_whatsapp(author.chat_id):
                said_id = circle.say(author, text)
                circle.edit(author, int(said_id), f"{text} (better words)")
            elif how == "unsend":
                circle.say(author, text)
                circle.unsend(author)
            else:
                circle.say(author, text)
        for person in circle.persons:  # a line from everyone: each channel surely gets copies from the other
            circle.say(person, "Good night, circle")
        rows = circle.rows()
    assert any(row.purpose == "circle" and row.channel == channels.WHATSAPP for row in rows)
    assert any(row.purpose == "circle" and row.channel == channels.TELEGRAM for row in rows)
    for row in rows:
        shown = _shown(row)
        for owner, secret in circle.secrets.items():
            if owner == row.chat_id:
                continue  # a member may see what they themselves wrote
            if row.chat_id == COUNSELLOR_CHAT and not row.purpose.startswith("circle"):
                continue  # the members' own counsellor knows who they are (an alert names the member)
            for value in secret:
                assert value not in shown, (row.purpose, row.channel, value, shown)


# --- threading, unsend and edit across channels, step by step ------------------------------

TWO = [
    {"channel": channels.TELEGRAM, "telegram_id": 1_000_000_001, "first": "Qzxa", "last": "Vwkb", "username": "uqzt",
     "phone": "9876543201", "language": "en"},
    {"channel": channels.WHATSAPP, "telegram_id": 1_000_000_002, "first": "Jyqo", "last": "Pfeh", "username": "uqzw",
     "phone": "9876543202", "language": "en"},
]  # fmt: skip


def _circle_messages(circle: MixedCircle) -> list[CircleMessage]:
    with circle.ctx.uow() as session:
        return list(session.exec(select(CircleMessage).where(CircleMessage.kind == "text")).all())


def test_a_whatsapp_swipe_reply_threads_like_a_telegram_reply_both_ways() -> None:
    with _risk_rules():
        circle = MixedCircle(TWO, "Zyqfac")
        tg, wa = circle.persons
        circle.say(tg, "Three days today")
        copy_on_whatsapp = circle.copy_for(wa)
        assert copy_on_whatsapp is not None and copy_on_whatsapp.channel == channels.WHATSAPP
        circle.say(wa, "Well done, keep going", reply_to=copy_on_whatsapp)
        first, answer = _circle_messages(circle)
        assert answer.reply_to_id == first.id  # context.id → the circle message, as reply_to_message_id is
        threaded = circle.copy_for(tg)
        assert threaded is not None and threaded.payload["text"].endswith("Well done, keep going")
        assert threaded.payload.get("reply_to") == 501  # on Telegram: a reply to the author's own message
        # and back: the Telegram member replies to the WhatsApp member's copy
        circle.say(tg, "Thank you", reply_to=threaded)
        *_, back = _circle_messages(circle)
        assert back.reply_to_id == answer.id
        # the WhatsApp member's own message has no id the services know (nothing to thread the copy on)
        to_wa = circle.copy_for(wa)
        assert to_wa is not None and to_wa.payload["text"].endswith("Thank you") and "reply_to" not in to_wa.payload


def test_a_whatsapp_reply_to_no_circle_message_is_an_ordinary_message() -> None:
    with _risk_rules():
        circle = MixedCircle(TWO, "Zyqfac")
        _, wa = circle.persons
        stray = OutboxMessage(chat_id=wa.chat_id, method="send", payload={"text": "x"}, created_at=circle.clock.now())
        stray.provider_message_id = "wamid.not-a-circle-copy"
        circle.say(wa, "Hello all", reply_to=stray)
        (message,) = _circle_messages(circle)
        assert message.reply_to_id is None and message.status == CircleMessageStatus.RELAYED


def test_unsend_by_a_telegram_member_deletes_on_telegram_and_says_whatsapp_copies_stay() -> None:
    people = [*TWO, {**TWO[0], "telegram_id": 1_000_000_003, "first": "Kwvu", "phone": "9876543203"}]
    with _risk_rules():
        circle = MixedCircle(people, "Zyqfac")
        tg, wa, tg2 = circle.persons
        circle.say(tg, "Tea after the meeting, anyone")
        before = {row.id for row in circle.rows()}
        circle.unsend(tg)
        new = [row for row in circle.rows() if row.id not in before]
        deletes = [row for row in new if row.method == "delete"]
        assert [row.chat_id for row in deletes] == [tg2.chat_id, COUNSELLOR_CHAT]  # Telegram phones only
        assert not [row for row in new if row.chat_id == wa.chat_id]  # nothing misleading to WhatsApp
        (told,) = [row for row in new if row.chat_id == tg.chat_id]
        assert told.payload["text"] == t("en", "circle-unsent-whatsapp")
        (message,) = _circle_messages(circle)
        assert message.status == CircleMessageStatus.UNSENT


def test_unsend_in_a_telegram_only_circle_still_says_everyone() -> None:
    people = [TWO[0], {**TWO[0], "telegram_id": 1_000_000_003, "first": "Kwvu", "phone": "9876543203"}]
    with _risk_rules():
        circle = MixedCircle(people, "Zyqfac")
        tg, _ = circle.persons
        circle.say(tg, "Oops")
        circle.unsend(tg)
        assert circle.rows()[-1].payload["text"] == t("en", "circle-unsent")


def test_a_whatsapp_member_unsends_by_typing_it() -> None:
    with _risk_rules():
        circle = MixedCircle(TWO, "Zyqfac")
        tg, wa = circle.persons
        circle.say(wa, "Wrong circle, sorry")
        circle.unsend(wa)
        (message,) = _circle_messages(circle)
        assert message.status == CircleMessageStatus.UNSENT
        assert any(row.method == "delete" and row.chat_id == tg.chat_id for row in circle.rows())
        assert circle.rows()[-1].payload["text"] == t("en", "circle-unsent")  # its copies were all on Telegram


def test_an_edit_reaches_whatsapp_as_a_new_message_marked_edited() -> None:
    with _risk_rules():
        circle = MixedCircle(TWO, "Zyqfac")
        tg, wa = circle.persons
        said = circle.say(tg, "Meeting at seven")
        old = circle.copy_for(wa)
        assert old is not None
        before = {row.id for row in circle.rows()}
        circle.edit(tg, int(said), "Meeting at eight")
        new = [row for row in circle.rows() if row.id not in before]
        (on_whatsapp,) = [row for row in new if row.chat_id == wa.chat_id]
        assert on_whatsapp.method == "send" and on_whatsapp.payload["text"].startswith("✏️")
        assert on_whatsapp.payload["text"].endswith("Meeting at eight")
        assert on_whatsapp.payload.get("reply_to") == old.telegram_message_id
        assert [row.method for row in new if row.chat_id == COUNSELLOR_CHAT] == ["edit"]  # Telegram edits in place


def test_the_welcome_says_honestly_what_whatsapp_cannot_protect() -> None:
    with _risk_rules():
        circle = MixedCircle(TWO, "Zyqfac")
        tg, wa = circle.persons
        by_chat: dict[int, list[str]] = {}
        for row in circle.rows():
            by_chat.setdefault(row.chat_id, []).append(row.payload["text"])
    assert any(t("en", "circle-welcome-unprotected") in text for text in by_chat[wa.chat_id])
    # the Telegram member joined first (a protected circle), then learned once that it no longer is
    assert by_chat[tg.chat_id].count(t("en", "circle-now-unprotected")) == 1
    assert not any(t("en", "circle-welcome-unprotected") in text for text in by_chat[tg.chat_id])


def test_a_whatsapp_member_reports_a_copy_by_replying_report() -> None:
    with _risk_rules():
        circle = MixedCircle(TWO, "Zyqfac")
        tg, wa = circle.persons
        circle.say(tg, "Meeting moved to Sunday")
        copy = circle.copy_for(wa)
        circle.say(wa, "/report", reply_to=copy)
        with circle.ctx.uow() as session:
            (report,) = session.exec(select(CircleReport)).all()
            (message,) = session.exec(select(CircleMessage).where(CircleMessage.kind == "text")).all()
        assert report.circle_message_id == message.id  # the copy found by its wamid
        assert not [row for row in circle.rows() if row.purpose == "circle" and "/report" in row.payload["text"]]


def test_forgetting_a_member_sends_no_delete_for_their_copies_on_whatsapp() -> None:
    people = [*TWO, {**TWO[0], "telegram_id": 1_000_000_003, "first": "Kwvu", "phone": "9876543203"}]
    with _risk_rules():
        circle = MixedCircle(people, "Zyqfac")
        tg, wa, tg2 = circle.persons
        circle.say(tg, "Tea after the meeting, anyone")
        before = {row.id for row in circle.rows()}
        with circle.ctx.uow() as session:
            member = session.exec(select(Member).where(Member.chat_id == tg.chat_id)).one()
            privacy.forget(session, member, circle.clock.now(), circle.ctx)
            session.commit()
        new = [row for row in circle.rows() if row.id not in before]
        assert {row.chat_id for row in new if row.method == "delete"} == {tg2.chat_id, COUNSELLOR_CHAT}
        assert not [row for row in new if row.chat_id == wa.chat_id]  # WhatsApp cannot delete: nothing is pretended
