"""Centre setup and invites in the console: admins only, their own centre only, every change audited,
and the same use cases as the command line."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlmodel import col, select
from starlette.testclient import TestClient

from bot.services import admin
from storage.circles.tables import Circle
from storage.people.tables import Center, InviteCode, Member, Staff
from storage.safety.tables import AuditEntry
from tests.storage.helpers import member
from tests.web.conftest import ADMIN, CENTRE, COUNSELLOR, OTHER_CENTRE, OTHER_COUNSELLOR, ConsoleWorld, csrf_of

OTHER_ADMIN = "Director Disha"
ADMIN_POSTS = [
    "/setup/settings",
    "/setup/staff",
    "/setup/staff/backup",
    "/setup/staff/deactivate",
    "/setup/reassign",
    "/setup/circles",
    "/setup/circles/capacity",
    "/setup/sponsors/volunteer",
    "/setup/sponsors/link",
    "/setup/sponsors/unlink",
    "/invites",
]


def _staff(world: ConsoleWorld, name: str) -> Staff:
    with world.ctx.uow() as session:
        return session.exec(select(Staff).where(Staff.name == name)).one()


def _audit(world: ConsoleWorld) -> list[str]:
    with world.ctx.uow() as session:
        return [a.action for a in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]


@pytest.fixture
def other_admin(console: ConsoleWorld) -> TestClient:
    admin.add_counsellor(console.ctx, OTHER_CENTRE, OTHER_ADMIN, telegram_id=9005, role="admin")
    return console.client_for(OTHER_ADMIN)


def test_a_counsellor_cannot_reach_setup_or_invites(console: ConsoleWorld, counsellor: TestClient) -> None:
    assert counsellor.get("/setup").status_code == 403
    assert counsellor.get("/invites").status_code == 403
    csrf = csrf_of(counsellor)
    for path in ADMIN_POSTS:
        assert counsellor.post(path, data={"csrf": csrf, "name": "X", "staff_id": "1"}).status_code == 403, path
    assert counsellor.get("/invites/sheet.pdf?code=ABCDEFGH").status_code == 403
    assert counsellor.get("/invites/sheet.png?code=ABCDEFGH").status_code == 403
    assert not any(a.startswith("console:staff") for a in _audit(console))


def test_the_admin_sees_their_centre_only(console: ConsoleWorld, admin_client: TestClient) -> None:
    page = admin_client.get("/setup")
    assert page.status_code == 200
    assert COUNSELLOR in page.text and ADMIN in page.text and CENTRE in page.text
    assert OTHER_COUNSELLOR not in page.text and OTHER_CENTRE not in page.text


def test_posts_need_the_csrf_token(console: ConsoleWorld, admin_client: TestClient) -> None:
    for path in ADMIN_POSTS:
        assert admin_client.post(path, data={"csrf": "forged", "name": "X"}).status_code == 403, path


def test_adding_a_counsellor_shows_their_one_time_link_and_is_audited(
    console: ConsoleWorld, admin_client: TestClient
) -> None:
    response = admin_client.post("/setup/staff", data={"csrf": csrf_of(admin_client), "name": "Counsellor Neha"})
    assert response.status_code == 200
    link = re.search(r"https://t\.me/saathi_demo_bot\?start=(staff-[\w-]+)", response.text)
    assert link is not None
    added = _staff(console, "Counsellor Neha")
    assert added.link_code == link.group(1) and added.role == "counsellor" and not added.is_backup
    assert "console:staff_add" in _audit(console)


def test_backup_deactivate_and_reassign(
    console: ConsoleWorld, admin_client: TestClient, counsellor: TestClient
) -> None:
    admin.add_counsellor(console.ctx, CENTRE, "Counsellor Neha", telegram_id=9006)
    neha, meera = _staff(console, "Counsellor Neha"), _staff(console, COUNSELLOR)
    csrf = csrf_of(admin_client)
    # backup on
    response = admin_client.post("/setup/staff/backup", data={"csrf": csrf, "staff_id": neha.id, "backup": "on"})
    assert response.status_code == 200 and _staff(console, "Counsellor Neha").is_backup
    # one member to Neha
    pseudonym = member(console.ctx, console.members[0].telegram_user_id).pseudonym
    admin_client.post("/setup/reassign", data={"csrf": csrf, "pseudonym": pseudonym, "counsellor_id": neha.id})
    assert member(console.ctx, console.members[0].telegram_user_id).counsellor_id == neha.id
    # Meera leaves: her other two members go to Neha, nobody is left without a counsellor
    admin_client.post("/setup/staff/deactivate", data={"csrf": csrf, "staff_id": meera.id, "move_to": neha.id})
    assert not _staff(console, COUNSELLOR).active
    assert {member(console.ctx, p.telegram_user_id).counsellor_id for p in console.members} == {neha.id}
    assert {"console:staff_backup_on", "console:member_reassign", "console:staff_deactivate"} <= set(_audit(console))
    # Meera's open session ends at once
    assert counsellor.get("/alerts", follow_redirects=False).headers["location"] == "/signin"


def test_another_centres_people_cannot_be_changed(
    console: ConsoleWorld, admin_client: TestClient, other_admin: TestClient
) -> None:
    csrf = csrf_of(other_admin)
    meera = _staff(console, COUNSELLOR)
    pseudonym = member(console.ctx, console.members[0].telegram_user_id).pseudonym
    ravi = _staff(console, OTHER_COUNSELLOR)
    for path, data in [
        ("/setup/staff/deactivate", {"staff_id": meera.id}),
        ("/setup/staff/backup", {"staff_id": meera.id, "backup": "on"}),
        ("/setup/reassign", {"pseudonym": pseudonym, "counsellor_id": ravi.id}),
    ]:
        response = other_admin.post(path, data={"csrf": csrf, **data})
        assert response.status_code == 400, path
        # answered as if they did not exist (the typed pseudonym is only echoed back)
        assert COUNSELLOR not in response.text and "at this centre" in response.text
    meera_after = _staff(console, COUNSELLOR)
    assert meera_after.active and not meera_after.is_backup
    assert member(console.ctx, console.members[0].telegram_user_id).counsellor_id == meera.id
    # nor can Asha Kendra's admin hand a member to Disha Kendra's counsellor
    response = admin_client.post(
        "/setup/reassign", data={"csrf": csrf_of(admin_client), "pseudonym": pseudonym, "counsellor_id": ravi.id}
    )
    assert response.status_code == 400 and OTHER_COUNSELLOR not in response.text


def test_centre_settings_and_circles(console: ConsoleWorld, admin_client: TestClient) -> None:
    csrf = csrf_of(admin_client)
    response = admin_client.post(
        "/setup/settings",
        data={
            "csrf": csrf,
            "helpline": "Tele-MANAS 14416",
            "ack_urgent_minutes": "5",
            "ack_concern_minutes": "120",
            "retention_circle_days": "14",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with console.ctx.uow() as session:
        center = session.exec(select(Center).where(Center.name == CENTRE)).one()
        assert (center.helpline, center.ack_urgent_minutes, center.ack_concern_minutes) == ("Tele-MANAS 14416", 5, 120)
        assert center.retention_circle_days == 14 and center.retention_note_days == 180
    refused = admin_client.post("/setup/settings", data={"csrf": csrf, "ack_urgent_minutes": "500"})
    assert refused.status_code == 400 and "between 1 and 60" in refused.text
    # circles: add, then capacity (never below the members it has)
    admin_client.post("/setup/circles", data={"csrf": csrf, "name": "Evening Circle", "capacity": "6"})
    with console.ctx.uow() as session:
        circle = session.exec(select(Circle).where(Circle.name == "Evening Circle")).one()
    assert circle.capacity == 6
    admin_client.post("/setup/circles/capacity", data={"csrf": csrf, "circle_id": circle.id, "capacity": "10"})
    with console.ctx.uow() as session:
        assert session.get(Circle, circle.id).capacity == 10
    too_big = admin_client.post(
        "/setup/circles/capacity", data={"csrf": csrf, "circle_id": circle.id, "capacity": "40"}
    )
    assert too_big.status_code == 400
    assert {"console:center_settings", "console:circle_add", "console:circle_capacity"} <= set(_audit(console))


def test_counsellors_can_be_kept_to_their_own_members(console: ConsoleWorld, admin_client: TestClient) -> None:
    member_name = console.members[0]
    console.raise_alert(member_name)
    admin.add_counsellor(console.ctx, CENTRE, "Counsellor Kiran", telegram_id=9004)
    colleague = console.client_for("Counsellor Kiran")  # not the member's counsellor
    with console.ctx.uow() as session:
        pseudonym = session.get(Member, console.member_id(member_name)).pseudonym  # type: ignore[union-attr]
    assert pseudonym in colleague.get("/alerts").text  # off by default: the whole centre
    assert '<option value="no" selected>' in admin_client.get("/setup").text
    csrf = csrf_of(admin_client)
    # a form without the choice leaves it as it is
    admin_client.post("/setup/settings", data={"csrf": csrf, "ack_urgent_minutes": "10"}, follow_redirects=False)
    assert pseudonym in colleague.get("/alerts").text
    # a counsellor cannot switch it
    assert (
        colleague.post("/setup/settings", data={"csrf": csrf_of(colleague), "own_members_only": "yes"}).status_code
        == 403
    )
    response = admin_client.post(
        "/setup/settings", data={"csrf": csrf, "own_members_only": "yes"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert '<option value="yes" selected>' in admin_client.get("/setup").text
    assert pseudonym not in colleague.get("/alerts").text
    assert pseudonym in admin_client.get("/alerts").text  # admins still see every member
    assert _audit(console).count("console:center_settings") == 2
    admin_client.post("/setup/settings", data={"csrf": csrf, "own_members_only": "no"}, follow_redirects=False)
    assert pseudonym in colleague.get("/alerts").text


def test_invites_print_as_a_sheet_whose_qr_codes_decode_to_the_links(
    console: ConsoleWorld, admin_client: TestClient, other_admin: TestClient
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (a dev dependency) decodes the QR codes")
    admin.add_circle(console.ctx, CENTRE, "Evening Circle", capacity=12)
    response = admin_client.post(
        "/invites",
        data={"csrf": csrf_of(admin_client), "circle": "Evening Circle", "count": "9", "expires": "14", "lang": "hi"},
    )
    assert response.status_code == 200
    codes = re.findall(r"<td><code>([A-Z0-9]{8})</code></td><td class=\"meta\">https", response.text)
    assert len(codes) == 9
    with console.ctx.uow() as session:
        rows = session.exec(select(InviteCode).where(col(InviteCode.code).in_(codes))).all()
        assert {r.circle_id for r in rows} == {
            session.exec(select(Circle.id).where(Circle.name == "Evening Circle")).one()
        }
    pdf_link = re.search(r'href="(/invites/sheet\.pdf\?[^"]+)"', response.text)
    assert pdf_link is not None
    pdf = admin_client.get(pdf_link.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and b"/Count 2" in pdf.content
    decoded = []
    for page in (1, 2):
        png = admin_client.get(
            pdf_link.group(1).replace("&amp;", "&").replace("sheet.pdf", "sheet.png") + f"&page={page}"
        )
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        decoded += [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]
    assert sorted(decoded) == sorted(f"https://t.me/saathi_demo_bot?start={code}" for code in codes)
    assert (
        admin_client.get(
            pdf_link.group(1).replace("&amp;", "&").replace("sheet.pdf", "sheet.png") + "&page=3"
        ).status_code
        == 404
    )
    assert "console:invites_create" in _audit(console) and "console:invite_sheet" in _audit(console)
    # another centre's admin cannot print them, nor learn whether they exist
    query = "&".join(f"code={c}" for c in codes[:2])
    assert other_admin.get(f"/invites/sheet.pdf?{query}").status_code == 404
    assert other_admin.get(f"/invites/sheet.png?{query}").status_code == 404
    assert codes[0] not in other_admin.get("/invites").text
    # a used code is no longer printed
    with console.ctx.uow() as session:
        used = session.exec(select(InviteCode).where(InviteCode.code == codes[0])).one()
        used.used_at = console.clock.now()
        session.add(used)
        session.commit()
    assert admin_client.get(f"/invites/sheet.pdf?code={codes[0]}").status_code == 404
