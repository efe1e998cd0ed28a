"""Invites, for admins: create codes for the centre or one of its circles, and print them as an A4
sheet of cards (PDF, or PNG page by page) with the QR code, the code and how to join.

Codes are created by ``admin.create_invites`` (``saathi invite create``); a sheet prints only the
centre's own codes that are neither used nor expired, named in its address, so the page after
creating them links straight to their sheet and any open code can be printed again. Where the centre
has a WhatsApp number, the same codes print as WhatsApp cards too (``?channel=whatsapp``: the QR code
a wa.me link that opens the chat with "START CODE" typed).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.domain.whatsapp.invite import wa_me_link
from bot.i18n import LANGUAGES
from bot.services import admin, invite_sheet
from bot.services.admin import Actor, AdminError, audit_change, deep_link
from bot.services.console import ConsoleUser
from bot.services.context import ServiceContext
from bot.web import auth
from bot.web.deps import services_of
from bot.web.pages.setup import centre_of, refusal
from bot.web.templating import render
from storage.channels import queries as channels_db
from storage.people import queries as people_db

NAV = ("console-nav-invites", "/invites")
MAX_SHEET_CODES = 500  # as many as one `invite create` makes


def _page_data(ctx: ServiceContext, user: ConsoleUser) -> dict[str, Any]:
    center = centre_of(ctx, user.center_id)
    with ctx.uow() as session:
        open_codes = [(i.code, i.expires_at) for i in people_db.open_invites(session, user.center_id, ctx.clock.now())]
        whatsapp = channels_db.whatsapp_number(session, user.center_id) is not None
    return {
        "circles": admin.list_circles(ctx, center.name),
        "open_codes": open_codes,
        "languages": LANGUAGES,
        "whatsapp": whatsapp,  # the centre has a WhatsApp number: its cards can be printed too
    }


async def invites_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    data = await run_in_threadpool(_page_data, services_of(request), user)
    return render(request, "invites.html", data)


async def create_invites(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    await auth.check_csrf(request)
    form = await request.form()
    ctx = services_of(request)
    circle, count, expires, lang = (
        str(form.get(name) or "").strip() for name in ("circle", "count", "expires", "lang")
    )

    def create() -> list[admin.Invite]:
        if not count.isdecimal() or not expires.isdecimal():
            raise AdminError("count and days: whole numbers, please", "console-refused-whole-numbers")
        center = centre_of(ctx, user.center_id)
        return admin.create_invites(
            ctx,
            center.name,
            circle_name=circle or None,
            count=int(count),
            expires_days=int(expires),
            actor=Actor(user.staff_id),
        )

    try:
        invites = await run_in_threadpool(create)
    except AdminError as refused:
        data = await run_in_threadpool(_page_data, ctx, user)
        return render(request, "invites.html", {**data, "error": refusal(refused, user)}, status_code=400)
    data = await run_in_threadpool(_page_data, ctx, user)
    data.update(created=invites, sheet_lang=lang if lang in LANGUAGES else user.language)
    return render(request, "invites.html", data)


def _sheet_cards(
    ctx: ServiceContext, user: ConsoleUser, codes: list[str], lang: str, channel: str
) -> list[invite_sheet.InviteCard]:
    """The cards of ``codes``: Telegram's (t.me links) or, ``channel`` "whatsapp", WhatsApp's (wa.me
    links to the centre's number; none: 404)."""
    with ctx.uow() as session:
        found = people_db.open_invites(session, user.center_id, ctx.clock.now(), codes=codes)
        if not found or len(found) != len(set(codes)):  # another centre's, used or expired: nothing printed
            raise HTTPException(status_code=404)
        # the centre's own Telegram bot once it has run (its name known), else the .env bot
        bot = channels_db.telegram_username(session, user.center_id) or ctx.bot_username
        number = channels_db.whatsapp_number(session, user.center_id) if channel == "whatsapp" else None
        if channel == "whatsapp" and number is None:
            raise HTTPException(status_code=404)
        audit_change(session, Actor(user.staff_id), "invite_sheet", ctx.clock.now())
        session.commit()
    if number is not None:
        pairs = [(i.code, wa_me_link(number, i.code)) for i in found]
        return invite_sheet.invite_cards(pairs, lang, bot, whatsapp_number=number)
    pairs = [(i.code, deep_link(bot, i.code)) for i in found]
    return invite_sheet.invite_cards(pairs, lang, bot)


def _sheet_request(request: Request) -> tuple[ConsoleUser, list[str], str, str]:
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    codes = [c.strip().upper() for c in request.query_params.getlist("code") if c.strip()]
    channel = request.query_params.get("channel", "telegram")
    if not codes or len(codes) > MAX_SHEET_CODES or channel not in ("telegram", "whatsapp"):
        raise HTTPException(status_code=404)
    lang = request.query_params.get("lang", user.language)
    return user, codes, lang if lang in LANGUAGES else user.language, channel


async def sheet_pdf(request: Request) -> Response:
    user, codes, lang, channel = _sheet_request(request)
    ctx = services_of(request)

    def build() -> bytes:
        return invite_sheet.render_pdf(_sheet_cards(ctx, user, codes, lang, channel))

    pdf = await run_in_threadpool(build)
    return Response(
        pdf, media_type="application/pdf", headers={"content-disposition": 'inline; filename="saathi-invites.pdf"'}
    )


async def sheet_png(request: Request) -> Response:
    user, codes, lang, channel = _sheet_request(request)
    page = request.query_params.get("page", "1")
    number = int(page) if page.isdecimal() else 0
    ctx = services_of(request)

    def build() -> list[bytes]:
        return invite_sheet.render_png_pages(_sheet_cards(ctx, user, codes, lang, channel))

    pages = await run_in_threadpool(build)
    if not 1 <= number <= len(pages):
        raise HTTPException(status_code=404)
    filename = f"saathi-invites-{number}.png"
    return Response(
        pages[number - 1], media_type="image/png", headers={"content-disposition": f'inline; filename="{filename}"'}
    )


routes: list[BaseRoute] = [
    Route("/invites", invites_page),
    Route("/invites", create_invites, methods=["POST"]),
    Route("/invites/sheet.pdf", sheet_pdf),
    Route("/invites/sheet.png", sheet_png),
]
