"""End-to-end tests of the local Bot API emulator, driven by real python-telegram-bot objects.

Nothing of PTB is mocked: ``telegram.Bot`` and a polling ``Application`` talk HTTP to the
emulator on 127.0.0.1, so these tests also pin down that the emulator speaks the wire
protocol PTB expects (form/multipart encoding, error mapping, long polling, webhooks).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from sandbox import BotApiEmulator, ControlError, EmulatorClient, SentMessage

# PTB itself warns when it builds RetryAfter with an int, as Telegram sends it
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TESTTOKEN"
ASHA = 4242
RAVI = 4343


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_user(ASHA, "Asha", username="asha")
    emulator.add_user(RAVI, "Ravi", last_name="K", language_code="hi")
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.file_url) as tg_bot:
        yield tg_bot


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs])


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form; accept both
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ----------------------------------------------------------------------------- Bot API basics
async def test_get_me_and_send_message_give_valid_ptb_objects(emu: BotApiEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (7000000001, True, "Saathi", "saathi_demo_bot")
    assert me.can_join_groups is True

    first = await bot.send_message(
        ASHA,
        "Namaste! Ready for today's check-in?",
        reply_markup=keyboard(("Yes", "ci:yes"), ("Later", "ci:later")),
        protect_content=True,
        disable_notification=True,
    )
    assert first.from_user is not None and first.from_user.id == me.id
    assert first.chat.id == ASHA and first.chat.type == "private" and first.chat.first_name == "Asha"
    assert isinstance(first.date, dtm.datetime)
    assert first.has_protected_content is True
    assert first.reply_markup is not None and first.reply_markup.inline_keyboard[0][0].callback_data == "ci:yes"

    emu.send_text(ASHA, "hello")  # takes message id 2 in the same chat sequence
    second = await bot.send_message(ASHA, "Got it", reply_parameters=ReplyParameters(message_id=2))
    assert second.message_id == first.message_id + 2
    assert second.reply_to_message is not None and second.reply_to_message.text == "hello"

    sent = emu.messages(ASHA)
    assert [m.text for m in sent] == ["Namaste! Ready for today's check-in?", "Got it"]
    assert sent[0].buttons() == [("Yes", "ci:yes"), ("Later", "ci:later")]
    assert sent[0].protect_content and sent[0].disable_notification
    assert sent[1].reply_to_message_id == 2
    assert emu.last_message(ASHA) is sent[1]
    assert emu.stats["sent_per_chat"] == {ASHA: 2}
    assert emu.stats["requests"]["sendMessage"] == 2


async def test_parse_modes_give_plain_text_and_reject_bad_markup(emu: BotApiEmulator, bot: Bot) -> None:
    html = await bot.send_message(ASHA, "<b>Day 3</b> &amp; counting", parse_mode=ParseMode.HTML)
    assert html.text == "Day 3 & counting"
    assert [(e.type, e.offset, e.length) for e in html.entities] == [("bold", 0, 5)]
    md = await bot.send_message(ASHA, r"*Well done\!* see _you_ soon\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert md.text == "Well done! see you soon."
    assert emu.last_message(ASHA).raw_text == r"*Well done\!* see _you_ soon\."  # type: ignore[union-attr]

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: Character '!' is reserved"):
        await bot.send_message(ASHA, "Well done!", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: Unsupported start tag"):
        await bot.send_message(ASHA, "<div>x</div>", parse_mode=ParseMode.HTML)
    assert len(emu.messages(ASHA)) == 2


async def test_bad_requests_use_telegram_descriptions(emu: BotApiEmulator, bot: Bot) -> None:
    cases: list[tuple[Any, str]] = [
        (bot.send_message(999, "hi"), "Chat not found"),
        (bot.send_message(ASHA, ""), "Message text is empty"),
        (bot.send_message(ASHA, "x" * 4097), "Message is too long"),
        (bot.edit_message_text("new", chat_id=ASHA, message_id=77), "Message to edit not found"),
        (bot.delete_message(ASHA, 77), "Message to delete not found"),
        (bot.send_message(ASHA, "hi", reply_markup=keyboard(("x", "d" * 65))), "Button_data_invalid"),
        (
            bot.send_message(ASHA, "hi", reply_parameters=ReplyParameters(message_id=55)),
            "Message to be replied not found",
        ),
        (bot.answer_callback_query("nope"), "Query is too old"),
    ]
    for call, description in cases:
        with pytest.raises(BadRequest) as info:  # PTB capitalises the text after "Bad Request: "
            await call
        assert description.lower() in info.value.message.lower()
    assert await bot.send_message(ASHA, "x" * 4096)
    msg = await bot.send_message(ASHA, "same")
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_text("same", chat_id=ASHA, message_id=msg.message_id)
    assert emu.stats["bad_requests"] == len(cases) + 1
    assert len(emu.messages(ASHA)) == 2


async def test_tokens_and_unknown_methods(emu: BotApiEmulator) -> None:
    async with httpx.AsyncClient() as http:
        bad = await http.post(f"{emu.base_url}not-a-token/getMe")
        assert bad.status_code == 401 and bad.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
        unknown = await http.post(f"{emu.base_url}{TOKEN}/sendTelepathy")
        assert unknown.status_code == 404 and unknown.json()["ok"] is False
        # JSON bodies with native types work too, and method names are case-insensitive
        ok = await http.post(
            f"{emu.base_url}{TOKEN}/SENDMESSAGE",
            json={
                "chat_id": ASHA,
                "text": "json body",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
            },
        )
        assert ok.json()["ok"] is True and ok.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    async with Bot(TOKEN, base_url=emu.base_url) as tg_bot:
        with pytest.raises(EndPointNotFound):
            await tg_bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ASHA})

    strict = BotApiEmulator(token=TOKEN)
    await strict.start()
    try:
        wrong = Bot("123456:WRONG", base_url=strict.base_url)
        with pytest.raises(InvalidToken):  # initialize() calls getMe, as on a real start-up
            await wrong.initialize()
        await wrong.shutdown()
        async with Bot(TOKEN, base_url=strict.base_url) as right:
            assert (await right.get_me()).username == strict.bot_username
    finally:
        await strict.stop()


async def test_edit_delete_callbacks_commands_and_chats(emu: BotApiEmulator, bot: Bot) -> None:
    msg = await bot.send_message(ASHA, "How are you feeling?", reply_markup=keyboard(("Good", "mood:good")))
    query_id = emu.press_button(ASHA, msg.message_id, "mood:good")
    update = (await bot.get_updates())[-1]
    assert update.callback_query is not None and update.callback_query.id == query_id
    assert isinstance(update.callback_query.message, Message)
    assert update.callback_query.message.text == "How are you feeling?"
    assert await bot.answer_callback_query(query_id, text="Noted")
    assert emu.callback_answers[-1]["text"] == "Noted" and emu.callback_answers[-1]["data"] == "mood:good"
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):  # one answer per query
        await bot.answer_callback_query(query_id)

    edited = await bot.edit_message_text(
        "Thanks for sharing",
        chat_id=ASHA,
        message_id=msg.message_id,
        reply_markup=keyboard(("Undo", "mood:undo")),
    )
    assert not isinstance(edited, bool) and edited.edit_date is not None
    await bot.edit_message_reply_markup(chat_id=ASHA, message_id=msg.message_id, reply_markup=None)
    record = emu.messages(ASHA)[0]
    assert record.text == "Thanks for sharing" and record.edits == ["Thanks for sharing"]
    assert record.original_text == "How are you feeling?" and record.buttons() == [] and record.markup_edits == 1
    with pytest.raises(ValueError, match=r"(?i)shows no button"):
        emu.press_button(ASHA, msg.message_id, "mood:good")  # the keyboard is gone now
    emu.press_button(ASHA, msg.message_id, "mood:good", strict=False)  # a stale tap still arrives

    assert await bot.delete_message(ASHA, msg.message_id)
    assert emu.messages(ASHA)[0].deleted is True
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await bot.edit_message_text("again", chat_id=ASHA, message_id=msg.message_id)

    commands = [BotCommand("start", "Begin"), BotCommand("checkin", "Daily check-in")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands([BotCommand("start", "शुरू करें")], language_code="hi")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "checkin"]
    assert emu.commands(language_code="hi") == [{"command": "start", "description": "शुरू करें"}]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])

    assert await bot.send_chat_action(ASHA, "typing")
    assert emu.chat_actions[-1]["action"] == "typing"
    chat = await bot.get_chat(ASHA)
    assert chat.first_name == "Asha" and chat.username == "asha"
    pinned = await bot.send_message(ASHA, "Your plan")
    assert await bot.pin_chat_message(ASHA, pinned.message_id)
    assert (await bot.get_chat(ASHA)).pinned_message.message_id == pinned.message_id  # type: ignore[union-attr]
    assert await bot.unpin_chat_message(ASHA)
    emu.create_group(-100123, "Evening circle", type="supergroup")
    assert await bot.leave_chat(-100123)
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(-100123, "hi")
    with pytest.raises(BadRequest):
        await bot.leave_chat(ASHA)
    assert await bot.close() and await bot.log_out()


async def test_documents_and_photos_upload_resend_and_download(emu: BotApiEmulator, bot: Bot) -> None:
    report = b"date,mood\n2025-01-01,good\n"
    sent = await bot.send_document(ASHA, report, filename="progress.csv", caption="<i>Your week</i>", parse_mode="HTML")
    assert sent.document is not None and sent.document.file_name == "progress.csv"
    assert sent.caption == "Your week" and sent.document.file_size == len(report)
    again = await bot.send_document(RAVI, sent.document.file_id)  # by file_id, no upload
    assert again.document is not None and again.document.file_unique_id == sent.document.file_unique_id
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == report
    hindi = await bot.send_document(RAVI, "प्रगति".encode(), filename="प्रगति.txt")
    assert hindi.document is not None and hindi.document.file_name == "प्रगति.txt"

    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\x00\x00\x00\rIHDR"
        + (64).to_bytes(4, "big")
        + (32).to_bytes(4, "big")
        + b"\x08\x02\x00\x00\x00"
    )
    photo = await bot.send_photo(ASHA, png, caption="streak")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (64, 32)
    records = emu.messages(ASHA)
    assert records[0].document is not None
    name, content = records[0].document
    assert (name, content) == ("progress.csv", report)
    assert records[1].photo is not None and records[1].photo.content == png and records[1].method == "sendPhoto"
    with pytest.raises(BadRequest, match=r"(?i)Wrong file identifier"):
        await bot.send_document(ASHA, "no-such-file-id")
    with pytest.raises(BadRequest):
        await bot.edit_message_caption(chat_id=ASHA, message_id=records[1].message_id, caption="streak")
    await bot.edit_message_caption(chat_id=ASHA, message_id=records[1].message_id, caption="7 day streak")
    assert records[1].caption == "7 day streak" and records[1].edits == ["7 day streak"]


# -------------------------------------------------------------------------- updates & polling
async def _poll_waiting(emu: BotApiEmulator) -> None:
    """Until a long poll waits in the emulator (an update pushed now wakes it)."""
    while emu.polls_waiting == 0:
        await asyncio.sleep(0.01)


async def test_get_updates_long_polls_confirms_and_resends(emu: BotApiEmulator, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert time.monotonic() - started >= 0.3  # it waited its timeout

    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await _poll_waiting(emu)
    started = time.monotonic()
    update_id = emu.send_text(ASHA, "/start from_poster")
    (update,) = await poll
    assert time.monotonic() - started < 30  # returned when the update arrived, not at its 60 s timeout
    assert update.update_id == update_id and update.message is not None
    assert update.message.text == "/start from_poster" and update.message.entities[0].type == "bot_command"

    assert [u.update_id for u in await bot.get_updates()] == [update_id]  # not confirmed yet
    assert await bot.get_updates(offset=update_id + 1) == ()  # confirmed
    assert emu.resend_update(update_id) == update_id
    (again,) = await bot.get_updates(offset=update_id + 1)
    assert again.update_id == update_id and again.message.text == "/start from_poster"  # type: ignore[union-attr]
    assert await bot.get_updates(offset=update_id + 1) == ()

    emu.send_text(ASHA, "filtered out")
    query = emu.send_update(
        {
            "callback_query": {
                "id": "q1",
                "from": {"id": ASHA, "is_bot": False, "first_name": "Asha"},
                "chat_instance": "c",
                "data": "x",
            }
        }
    )
    assert [u.update_id for u in await bot.get_updates(allowed_updates=["callback_query"])] == [query]
    sticker = emu.send_update(
        {
            "message": {
                "from": {"id": ASHA},
                "sticker": {
                    "file_id": "s1",
                    "file_unique_id": "su1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                },
            }
        }
    )
    (raw,) = await bot.get_updates(offset=query + 1, allowed_updates=[])
    assert raw.update_id == sticker and raw.message is not None and raw.message.sticker is not None
    assert raw.message.chat.id == ASHA and raw.message.from_user.first_name == "Asha"  # type: ignore[union-attr]


async def test_second_poller_conflicts_with_the_first(emu: BotApiEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=60))
    await _poll_waiting(emu)
    # a second instance of the bot (PTB serialises get_updates within one Bot)
    async with Bot(TOKEN, base_url=emu.base_url) as other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=dtm.timedelta(seconds=0.1)))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
            await asyncio.wait_for(first, 30)
        assert await second == ()


async def test_application_polling_end_to_end(emu: BotApiEmulator) -> None:
    seen_update_ids: list[int] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen_update_ids.append(update.update_id)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id,
            f"Welcome! code={' '.join(context.args or [])}",
            reply_markup=keyboard(("I'm okay", "mood:ok"), ("I need help", "mood:help")),
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Thank you")
        await query.edit_message_text(f"You chose {query.data}")

    async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None
        await update.edited_message.reply_text(f"Noticed your edit: {update.edited_message.text}")

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}", do_quote=True)

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.file_url).build()
    )
    app.add_handler(MessageHandler(filters.ALL, record), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))

    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        emu.send_text(ASHA, "/start ref42")
        welcome = await emu.wait_for_message(ASHA, lambda m: (m.text or "").startswith("Welcome"))
        assert welcome.text == "Welcome! code=ref42"
        assert welcome.buttons() == [("I'm okay", "mood:ok"), ("I need help", "mood:help")]

        query_id = emu.press_button(ASHA, welcome.message_id, "mood:help")
        await emu.wait_for_message(ASHA, lambda m: m.text == "You chose mood:help")
        assert welcome.text == "You chose mood:help" and welcome.buttons() == []
        assert [a["text"] for a in emu.callback_answers if a["callback_query_id"] == query_id] == ["Thank you"]

        update_id = emu.send_text(ASHA, "feeling low")
        echo = await emu.wait_for_message(ASHA, after=1)
        assert echo.text == "echo: feeling low"
        user_message_id = echo.reply_to_message_id
        assert user_message_id is not None
        emu.edit_user_message(ASHA, user_message_id, "feeling better")
        edit_reply = await emu.wait_for_message(ASHA, after=2)
        assert edit_reply.text == "Noticed your edit: feeling better"

        emu.resend_update(update_id)  # Telegram re-delivering after a restart
        await emu.wait_for_message(ASHA, after=3)
        assert seen_update_ids.count(update_id) == 2
        assert [m.text for m in emu.messages(ASHA)].count("echo: feeling low") == 2
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


# ---------------------------------------------------------------------------- limits & faults
class StoppedClock:
    """The emulator limiter's clock, moved only by the test: which sends share a window is decided
    by the test, not by how fast a busy machine gets from one request to the next."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_per_chat_limit_gives_429_with_retry_after_and_drops_message(emu: BotApiEmulator, bot: Bot) -> None:
    clock = StoppedClock()
    emu.set_limits(overall_per_sec=None, per_chat_per_sec=1, per_group_per_min=None, clock=clock)
    await bot.send_message(ASHA, "first")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(ASHA, "second")
    assert retry_seconds(info.value) == 1
    await bot.send_message(RAVI, "other chat is fine")
    assert [m.text for m in emu.messages(ASHA)] == ["first"]
    stats = emu.stats
    assert stats["rate_limited"] == 1 and stats["rate_limited_per_chat"] == {ASHA: 1}
    assert stats["sent_per_chat"] == {ASHA: 1, RAVI: 1}

    async with httpx.AsyncClient() as http:
        raw = (await http.post(f"{emu.base_url}{TOKEN}/sendMessage", data={"chat_id": ASHA, "text": "x"})).json()
    assert raw["error_code"] == 429 and raw["description"] == "Too Many Requests: retry after 1"
    assert raw["parameters"]["retry_after"] == 1
    clock.now += 1.0  # the window slid
    await bot.send_message(ASHA, "a second later")

    emu.clear_limits()
    await bot.send_message(ASHA, "unlimited again")
    assert [m.text for m in emu.messages(ASHA)] == ["first", "a second later", "unlimited again"]


async def test_ptb_rate_limiter_honours_retry_after(emu: BotApiEmulator) -> None:
    """PTB's AIORateLimiter (its own throttling off) waits out our 429 and retries."""
    clock = StoppedClock()
    emu.set_limits(overall_per_sec=None, per_chat_per_sec=1, per_group_per_min=None, clock=clock)
    limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=2)

    async def a_second_passes_after_the_429() -> None:
        while emu.stats["rate_limited"] == 0:
            await asyncio.sleep(0.01)
        clock.now += 1.0  # PTB waits its retry_after (a real second) before asking again

    passing = asyncio.create_task(a_second_passes_after_the_429())
    started = time.monotonic()
    async with ExtBot(TOKEN, base_url=emu.base_url, rate_limiter=limiter) as ext_bot:
        await ext_bot.send_message(ASHA, "first")
        await ext_bot.send_message(ASHA, "second")
    await passing
    assert time.monotonic() - started >= 1  # it did wait, as told
    assert [m.text for m in emu.messages(ASHA)] == ["first", "second"]
    assert emu.stats["rate_limited"] == 1 and emu.stats["sent_per_chat"] == {ASHA: 2}


async def test_overall_and_group_limits_with_time_scale(emu: BotApiEmulator, bot: Bot) -> None:
    # time_scale=4: the 1 s window passes in 250 ms of the clock
    clock = StoppedClock()
    emu.set_limits(overall_per_sec=3, per_chat_per_sec=None, per_group_per_min=None, time_scale=4, clock=clock)
    results = await asyncio.gather(*(bot.send_message(ASHA, f"m{i}") for i in range(5)), return_exceptions=True)
    assert sum(isinstance(r, RetryAfter) for r in results) == 2
    clock.now += 0.24
    with pytest.raises(RetryAfter):
        await bot.send_message(ASHA, "not yet")
    clock.now += 0.02
    assert await bot.send_message(ASHA, "window slid")

    emu.create_group(-500, "Peer circle")
    emu.set_limits(overall_per_sec=None, per_chat_per_sec=None, per_group_per_min=2, clock=clock)
    await bot.send_message(-500, "one")
    clock.now += 10
    await bot.send_message(-500, "two")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(-500, "three")
    assert retry_seconds(info.value) == 50  # when "one" leaves the minute
    assert [m.text for m in emu.messages(-500)] == ["one", "two"]
    # paid broadcasts skip the overall limit, as on Telegram
    emu.set_limits(overall_per_sec=1, per_chat_per_sec=None, per_group_per_min=None, clock=clock)
    await bot.send_message(ASHA, "a")
    await bot.send_message(RAVI, "b", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter):
        await bot.send_message(RAVI, "c")


async def test_blocked_user_gets_403(emu: BotApiEmulator, bot: Bot) -> None:
    msg = await bot.send_message(ASHA, "before")
    emu.set_blocked(ASHA)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ASHA, "after")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edited", chat_id=ASHA, message_id=msg.message_id)
    emu.set_blocked(ASHA, False)
    await bot.send_message(ASHA, "unblocked")
    assert [m.text for m in emu.messages(ASHA)] == ["before", "unblocked"]
    assert emu.stats["forbidden"] == 2


async def test_failure_rate_is_respected_and_failed_actions_are_not_performed(emu: BotApiEmulator, bot: Bot) -> None:
    emu.set_failure_rate(0.3, seed=7)
    attempts, delivered = 150, 0
    for i in range(attempts):
        try:
            await bot.send_message(ASHA, f"n{i}")
            delivered += 1
        except NetworkError:  # 500, 502 (HTML) and dropped connections all surface like this
            pass
    stats = emu.stats
    assert stats["injected_failures"] == attempts - delivered
    assert 0.15 * attempts < stats["injected_failures"] < 0.45 * attempts
    assert set(stats["injected_failures_by_kind"]) == {"500", "502", "disconnect"}
    assert stats["sent_messages"] == delivered == len(emu.messages(ASHA))
    assert await bot.get_me()  # never failed on purpose
    emu.set_failure_rate(1.0)
    assert await bot.get_updates() == ()
    with pytest.raises(NetworkError):
        await bot.send_message(ASHA, "never")
    emu.set_failure_rate(0)
    with pytest.raises(ValueError):
        emu.set_failure_rate(1.5)


# ------------------------------------------------------------------------------------ webhook
async def test_webhook_delivery_secret_retries_and_conflict(emu: BotApiEmulator, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures_left = 2
    arrived = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        nonlocal failures_left
        if failures_left:
            failures_left -= 1
            return web.Response(status=500)
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        arrived.set()
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        emu.send_text(ASHA, "queued before the webhook")
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t", drop_pending_updates=True)
        assert emu.webhook is not None and emu.webhook["secret_token"] == "s3cr3t"
        with pytest.raises(Conflict, match=r"(?i)can't use getUpdates method while webhook is active"):
            await bot.get_updates()

        update_id = emu.send_text(ASHA, "/checkin")
        await asyncio.wait_for(arrived.wait(), 5)
        secret, payload = received[0]
        assert secret == "s3cr3t" and payload["update_id"] == update_id
        assert Update.de_json(payload, bot).message.text == "/checkin"  # type: ignore[union-attr]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert info.last_error_message is not None and "500" in info.last_error_message
        assert emu.stats["webhook_failures"] == 2 and emu.stats["webhook_deliveries"] == 1

        with pytest.raises(BadRequest, match=r"(?i)Bad webhook"):
            await bot.set_webhook("https://example.org/hook")
        assert await bot.delete_webhook()
        later = emu.send_text(ASHA, "after webhook")
        assert [u.update_id for u in await bot.get_updates()] == [later]
        assert len(received) == 1
    finally:
        await runner.cleanup()


# ----------------------------------------------------------------------- control API and HTTP
async def test_http_control_client_mirrors_the_python_api(emu: BotApiEmulator, bot: Bot) -> None:
    async with EmulatorClient(emu.control_url) as client:
        health = await client.health()
        assert health["base_url"] == emu.base_url and health["bot_username"] == "saathi_demo_bot"
        user = await client.add_user(5151, "Meera", username="meera")
        assert user == {
            "id": 5151,
            "is_bot": False,
            "first_name": "Meera",
            "username": "meera",
            "language_code": "en",
        }
        await client.create_group(-700, "Family group")

        async def bot_replies() -> None:
            await bot.get_updates(timeout=2)
            await asyncio.sleep(0.05)
            await bot.send_message(5151, "Hi Meera", reply_markup=keyboard(("Check in", "ci")))

        task = asyncio.create_task(bot_replies())
        update_id = await client.send_text(5151, "/start")
        waiting = await client.wait_for_message(5151, lambda m: m.text == "Hi Meera", timeout=30)
        await task
        assert waiting.buttons() == [("Check in", "ci")] and isinstance(waiting, SentMessage)
        assert [m.text for m in await client.messages(5151)] == ["Hi Meera"]
        assert (await client.last_message(5151)).message_id == waiting.message_id  # type: ignore[union-attr]

        query_id = await client.press_button(5151, waiting.message_id, "ci")
        updates = await bot.get_updates(offset=update_id + 1)
        assert updates[-1].callback_query is not None and updates[-1].callback_query.id == query_id
        await bot.answer_callback_query(query_id, text="ok")
        assert (await client.callback_answers())[-1]["text"] == "ok"
        assert await client.resend_update(update_id) == update_id
        edit_id = await client.edit_user_message(5151, 1, "/start again")
        raw_id = await client.send_update({"message": {"from": {"id": 5151}, "text": "raw"}})
        assert raw_id == edit_id + 1

        await client.set_blocked(5151)
        with pytest.raises(Forbidden):
            await bot.send_message(5151, "blocked")
        await client.set_blocked(5151, False)
        await client.set_limits(overall_per_sec=None, per_chat_per_sec=1, per_group_per_min=None)
        await bot.send_message(5151, "one")
        with pytest.raises(RetryAfter):
            await bot.send_message(5151, "two")
        await client.clear_limits()
        await client.set_failure_rate(1.0, seed=1)
        with pytest.raises(NetworkError):
            await bot.send_message(5151, "fails")
        await client.set_failure_rate(0.0)
        await bot.set_my_commands([BotCommand("start", "Begin")])
        assert await client.commands() == [{"command": "start", "description": "Begin"}]

        stats = await client.stats()
        assert stats["sent_per_chat"][5151] == 2 and stats["rate_limited"] == 1 and stats["forbidden"] == 1
        assert stats["injected_failures"] == 1
        assert await client.webhook() is None

        with pytest.raises(ControlError, match=r"(?i)unknown user"):
            await client.send_text(999999, "who am I")
        with pytest.raises(TimeoutError, match=r"(?i)received 2 message"):
            await client.wait_for_message(5151, lambda m: m.text == "never", timeout=0.2)
        await client.reset_stats()
        assert (await client.stats())["sent_messages"] == 0


async def test_wait_for_message_timeout_describes_the_chat(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.send_message(ASHA, "Only this", reply_markup=keyboard(("A", "a")))
    with pytest.raises(TimeoutError) as info:
        await emu.wait_for_message(ASHA, lambda m: m.text == "Something else", timeout=0.1)
    text = str(info.value)
    assert "chat 4242" in text and "'Only this'" in text and "('A', 'a')" in text
    with pytest.raises(TimeoutError, match=r"(?i)received 0 message"):
        await emu.wait_for_message(RAVI, timeout=0.05)
    with pytest.raises(ValueError, match=r"(?i)unknown chat"):
        emu.send_text(ASHA, "hi", chat_id=-1)


async def test_group_chat_round_trip(emu: BotApiEmulator, bot: Bot) -> None:
    emu.create_group(-1001, "Tuesday circle", type="supergroup")
    update_id = emu.send_text(RAVI, "/share@saathi_demo_bot today was hard", chat_id=-1001)
    (update,) = await bot.get_updates()
    assert update.update_id == update_id and update.effective_chat is not None
    assert update.effective_chat.type == "supergroup" and update.effective_chat.title == "Tuesday circle"
    assert update.effective_user is not None and update.effective_user.id == RAVI
    reply = await update.message.reply_text("Thank you for sharing")  # type: ignore[union-attr]
    assert reply.chat.id == -1001 and reply.reply_to_message.message_id == update.message.message_id  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match=r"(?i)can't be deleted"):
        await bot.delete_message(-1001, update.message.message_id)  # type: ignore[union-attr]
    emu.set_blocked(-1001)
    with pytest.raises(Forbidden, match=r"(?i)kicked"):
        await bot.send_message(-1001, "hello?")


async def test_reset_keeps_serving(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.send_message(ASHA, "before reset")
    emu.set_limits()
    await emu.reset()
    assert emu.messages(ASHA) == [] and emu.limits is None and emu.stats["sent_messages"] == 0
    with pytest.raises(TelegramError, match=r"(?i)Chat not found"):
        await bot.send_message(ASHA, "gone")
    emu.add_user(ASHA, "Asha")
    assert (await bot.send_message(ASHA, "fresh")).message_id == 1
