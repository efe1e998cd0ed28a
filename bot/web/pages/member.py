"""A member: 30 or 90 days of mood and craving, the check-in calendar, triggers named most often, alerts,
circle and sponsor. Their real name and their own words appear only after an explicit click (a POST with
the CSRF token), each time written to the audit log as ``console:reveal``; the case review downloads
(the member's counsellor, or an admin) as ``console:export-case``. Another centre's member, or another
counsellor's where the centre keeps counsellors to their own, is a 404."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.services import console_members
from bot.web import auth, exports
from bot.web.deps import services_of
from bot.web.scope import scope_of
from bot.web.templating import render


def _days(request: Request) -> int:
    return 90 if request.query_params.get("days") == "90" else 30


async def _view(request: Request) -> console_members.MemberView:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    view = await run_in_threadpool(
        console_members.member_view,
        services_of(request),
        scope_of(user),
        request.path_params["member_id"],
        days=_days(request),
        lang=user.language,
        role=user.role,
    )
    if view is None:
        raise HTTPException(status_code=404)
    return view


async def member_page(request: Request) -> Response:
    view = await _view(request)
    return render(request, "member.html", {"view": view, "revealed": None})


async def reveal(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    await auth.check_csrf(request)
    member_id = request.path_params["member_id"]
    revealed = await run_in_threadpool(console_members.reveal, services_of(request), scope_of(user), member_id)
    if revealed is None:
        raise HTTPException(status_code=404)
    if request.headers.get("hx-request"):
        return render(request, "member_private.html", {"revealed": revealed})
    view = await _view(request)
    return render(request, "member.html", {"view": view, "revealed": revealed})


async def _review(request: Request) -> tuple[console_members.CaseReview, str]:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    review = await run_in_threadpool(
        console_members.case_review,
        services_of(request),
        scope_of(user),
        request.path_params["member_id"],
        role=user.role,
    )
    if review is None:
        raise HTTPException(status_code=404)
    return review, user.language


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


async def case_review_csv(request: Request) -> Response:
    review, lang = await _review(request)
    name = f"case-review-{review.pseudonym.replace(' ', '-')}-{review.today.isoformat()}.csv"
    text = exports.case_review_csv(review, lang)
    return Response(text, media_type="text/csv; charset=utf-8", headers=_attachment(name))


async def case_review_pdf(request: Request) -> Response:
    review, lang = await _review(request)
    pdf = await run_in_threadpool(exports.case_review_pdf, review, lang)
    name = f"case-review-{review.pseudonym.replace(' ', '-')}-{review.today.isoformat()}.pdf"
    return Response(pdf, media_type="application/pdf", headers=_attachment(name))


routes: list[BaseRoute] = [
    Route("/members/{member_id:int}", member_page),
    Route("/members/{member_id:int}/reveal", reveal, methods=["POST"]),
    Route("/members/{member_id:int}/case-review.csv", case_review_csv),
    Route("/members/{member_id:int}/case-review.pdf", case_review_pdf),
]
