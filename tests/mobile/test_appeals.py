"""The worker's appeals on the phone (/m/appeals/): filing one with photos or PDFs, following its steps,
answering the union, rating the outcome; each page against anonymous, another worker and the owner."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gigunion.appeals.models import Appeal, AppealAttachment, AppealEvent, Channel, EventKind, Status
from gigunion.appeals.services import appeal_hand_off, appeal_pause, appeal_step
from gigunion.core import sms
from gigunion.orgs.access import require_jurisdiction
from tests.conftest import Cast
from tests.mobile.helpers import english_client, last_code, page
from tests.people import OTHER_PHONE, RIDER_PHONE, Members

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(phone: str) -> Client:
    client = english_client()
    client.post("/m/login/", {"phone": phone, "action": "send_code"})
    response = client.post("/m/login/", {"phone": phone, "code": last_code(phone), "action": "login"})
    assert response.status_code == 302
    sms.outbox.clear()
    return client


def photo_with_location(name: str = "wages.jpg") -> SimpleUploadedFile:
    """A JPEG carrying EXIF: the camera's make and a GPS position."""
    image = Image.new("RGB", (64, 48), (200, 30, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (26.0, 34.0, 48.0), 3: "E", 4: (106.0, 42.0, 36.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "category": "wage_arrears",
        "description": "老板拖欠我三个月工资共9000元。",
        "employer_name": "花溪不存在物流有限公司",  # unknown to the registry
        "work_region": "520102",
        "may_contact": "yes",
    }
    values.update(overrides)
    return values


def file_appeal(client: Client, **overrides: Any) -> Appeal:
    response = client.post("/m/appeals/new/", form(**overrides))
    appeal = Appeal.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/m/appeals/{appeal.number}/")
    return appeal


@pytest.fixture
def rider(members: Members) -> Client:
    return log_in(RIDER_PHONE)


@pytest.fixture
def other(members: Members) -> Client:
    return log_in(OTHER_PHONE)


# Who may see what -------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_and_back(members: Members) -> None:
    client = english_client()
    for path in ("/m/appeals/", "/m/appeals/new/", "/m/appeals/SQ20260101000001/", "/m/appeals/SQ1/files/1"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, f"/m/login/?next={quote(path, safe='')}")
    refused = client.post("/m/appeals/new/", form())
    assert (refused.status_code, refused["Location"]) == (302, "/m/login/?next=%2Fm%2Fappeals%2Fnew%2F")
    assert Appeal.objects.count() == 0


def test_another_worker_finds_nothing_of_the_riders(rider: Client, other: Client, members: Members, cast: Cast) -> None:
    appeal = file_appeal(rider, files=[photo_with_location()])
    attachment = AppealAttachment.objects.get()
    assert other.get("/m/appeals/").status_code == 200
    assert appeal.number not in page(other.get("/m/appeals/"))
    detail = other.get(f"/m/appeals/{appeal.number}/")
    assert detail.status_code == 404
    assert "There is no appeal of yours with this number." in page(detail)
    assert other.get(f"/m/appeals/{appeal.number}/files/{attachment.pk}").status_code == 404
    jurisdiction = require_jurisdiction(cast.district_staff.user)
    appeal_pause(appeal=appeal, jurisdiction=jurisdiction, actor=cast.district_staff.user, question="工资条？")
    assert other.post(f"/m/appeals/{appeal.number}/", {"action": "reply", "text": "冒充"}).status_code == 404
    appeal.refresh_from_db()
    assert appeal.paused_since is not None
    # A staff member's office login is no worker session: the phone pages want a worker.
    staff = cast.client_for(cast.city_staff)
    refused = staff.get(f"/m/appeals/{appeal.number}/files/{attachment.pk}")
    assert (refused.status_code, refused["Location"]) == (
        302,
        f"/m/login/?next=%2Fm%2Fappeals%2F{appeal.number}%2Ffiles%2F{attachment.pk}",
    )
    # The owner, and only a file of this appeal.
    assert rider.get(f"/m/appeals/{appeal.number}/files/{attachment.pk}").status_code == 200
    assert rider.get(f"/m/appeals/{appeal.number}/files/{attachment.pk + 100}").status_code == 404


# Filing -----------------------------------------------------------------------------------------------------


def test_the_form_offers_the_riders_city_districts_with_hers_chosen(rider: Client) -> None:
    html = page(rider.get("/m/appeals/new/"))
    assert '<option value="520102" selected>南明区</option>' in html
    assert '<option value="520103">云岩区</option>' in html
    assert '<input type="radio" name="category" value="wage_arrears"><span>Wage arrears</span>' in html
    assert '<input id="id_employer_name" name="employer_name" value="美团" maxlength="128">' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<input id="id_photo" name="files" type="file" accept="image/*" capture="environment">' in html
    assert '<input id="id_files" name="files" type="file" accept="image/*,application/pdf" multiple>' in html
    assert '<input type="checkbox" name="may_contact" value="yes" checked>' in html


def test_an_appeal_about_an_unknown_employer_goes_to_the_district_federation(
    rider: Client, members: Members, cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(rider, files=[photo_with_location(), SimpleUploadedFile("contract.pdf", PDF)])
    assert (appeal.person, appeal.channel, appeal.category, appeal.status) == (
        members.rider,
        Channel.ONLINE,
        "wage_arrears",
        Status.SUBMITTED,
    )
    assert (appeal.union, appeal.employer, appeal.employer_name, appeal.work_region_id) == (
        cast.district,
        None,
        "花溪不存在物流有限公司",
        "520102",
    )
    assert appeal.may_contact is True
    assert [(sent.phone, sent.message) for sent in sms.outbox] == [
        (RIDER_PHONE, f"【工会服务】您的诉求（编号{appeal.number}）已提交，由南明区总工会办理。")
    ]
    files = list(AppealAttachment.objects.order_by("pk"))
    assert [(file.name, file.content_type, file.by_worker) for file in files] == [
        ("wages.jpg", "image/jpeg", True),
        ("contract.pdf", "application/pdf", True),
    ]
    with Image.open(io.BytesIO(bytes(files[0].data))) as stored:
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
    html = page(rider.get(f"/m/appeals/{appeal.number}/"))
    assert "Your appeal has been sent. The union will answer you here and by text message." in html
    assert '<dd class="appeal-union">南明区总工会</dd>' in html
    assert '<dd class="appeal-status">Submitted</dd>' in html
    assert f'<img src="/m/appeals/{appeal.number}/files/{files[0].pk}" alt="wages.jpg" loading="lazy">' in html
    assert f'<a href="/m/appeals/{appeal.number}/files/{files[1].pk}">contract.pdf</a>' in html
    # The notice shows once.
    assert "Your appeal has been sent." not in page(rider.get(f"/m/appeals/{appeal.number}/"))
    listing = page(rider.get("/m/appeals/"))
    assert f'<a class="m-appeal-link" href="/m/appeals/{appeal.number}/" data-number="{appeal.number}">' in listing
    assert "Handled by 南明区总工会" in listing


def test_files_are_served_to_the_owner_with_safe_headers(rider: Client) -> None:
    appeal = file_appeal(rider, files=[photo_with_location(), SimpleUploadedFile("合同.pdf", PDF)])
    photo, pdf = AppealAttachment.objects.order_by("pk")
    shown = rider.get(f"/m/appeals/{appeal.number}/files/{photo.pk}")
    assert (shown["Content-Type"], shown["Content-Disposition"]) == ("image/jpeg", 'inline; filename="wages.jpg"')
    assert (shown["X-Content-Type-Options"], shown["Cache-Control"]) == ("nosniff", "private, no-store")
    assert shown.content == bytes(photo.data)
    downloaded = rider.get(f"/m/appeals/{appeal.number}/files/{pdf.pk}")
    assert (downloaded["Content-Type"], downloaded["Content-Disposition"]) == (
        "application/pdf",
        "attachment; filename*=utf-8''%E5%90%88%E5%90%8C.pdf",
    )
    assert downloaded.content == PDF


def test_a_text_file_named_jpg_is_refused_and_nothing_is_created(
    rider: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    disguised = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script> not a photo", content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = rider.post("/m/appeals/new/", form(files=[photo_with_location(), disguised]))
    assert response.status_code == 400
    html = page(response)
    assert "“photo.jpg”: This file is not a photo that can be read." in html
    assert "Choose the files again." in html
    assert "老板拖欠我三个月工资共9000元。</textarea>" in html  # the text is kept
    assert (Appeal.objects.count(), AppealAttachment.objects.count(), AppealEvent.objects.count()) == (0, 0, 0)
    assert sms.outbox == []


def test_oversized_and_too_many_files_are_refused_before_reading(rider: Client) -> None:
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = rider.post("/m/appeals/new/", form(files=[big]))
    assert response.status_code == 400
    assert "“scan.pdf” is too large: a photo or document may be at most 10 MB." in page(response)
    four = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(4)]
    response = rider.post("/m/appeals/new/", form(files=four))
    assert response.status_code == 400
    assert "Add at most 3 photos or documents." in page(response)
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"category": ""}, "Choose what the problem is about."),
        ({"category": "bribery"}, "Choose what the problem is about."),
        ({"work_region": "110101"}, "Choose the district where you work."),  # not a district the form offers
        ({"description": "钱"}, "Describe what happened in a few words at least."),
    ],
)
def test_bad_input_is_refused_with_a_message(rider: Client, overrides: dict[str, str], message: str) -> None:
    response = rider.post("/m/appeals/new/", form(**overrides))
    assert response.status_code == 400
    assert message in page(response)
    assert Appeal.objects.count() == 0


def test_script_in_the_text_is_shown_escaped(rider: Client, cast: Cast) -> None:
    script = "<script>alert('x')</script>"
    appeal = file_appeal(rider, description=f"拖欠工资 {script}", employer_name=f"坏公司{script}")
    jurisdiction = require_jurisdiction(cast.district_staff.user)
    appeal_step(
        appeal=appeal, kind=EventKind.FIRST_RESPONSE, jurisdiction=jurisdiction, actor=None, text=f"收到 {script}"
    )
    for path in (f"/m/appeals/{appeal.number}/", "/m/appeals/"):
        body = rider.get(path).content.decode()
        assert "<script>alert" not in body
    body = rider.get(f"/m/appeals/{appeal.number}/").content.decode()
    assert "拖欠工资 &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "坏公司&lt;script&gt;" in body
    assert "收到 &lt;script&gt;" in body
    refused = rider.post("/m/appeals/new/", form(description=script, category=""))
    assert "<script>alert" not in refused.content.decode()


# Following the case -----------------------------------------------------------------------------------------


def test_the_worker_sees_hand_offs_but_not_staff_notes_or_escalation(rider: Client, cast: Cast) -> None:
    appeal = file_appeal(rider)
    jurisdiction = require_jurisdiction(cast.district_staff.user)
    staff = cast.district_staff.user
    appeal_step(appeal=appeal, kind=EventKind.NOTE, jurisdiction=jurisdiction, actor=staff, text="内部备注：老板难缠")
    appeal_hand_off(
        appeal=appeal, to_union=cast.district_grassroots, jurisdiction=jurisdiction, actor=staff, reason="归口办理"
    )
    html = page(rider.get(f"/m/appeals/{appeal.number}/"))
    assert '<dd class="appeal-union">南明区网约送餐员联合工会</dd>' in html
    assert "Handed to another union" in html
    assert "内部备注" not in html
    assert "overdue" not in html.lower()
    assert f"{appeal.resolution_due:%Y-%m-%d}" not in html  # the deadlines are the union's business
    assert _timeline_kinds(html) == ["submitted", "handed_off"]


def _timeline_kinds(html: str) -> list[str]:
    return re.findall(r'<li class="m-event m-event-\w+" data-kind="(\w+)">', html)


def test_the_worker_answers_a_question_and_the_clock_runs_again(rider: Client, other: Client, cast: Cast) -> None:
    appeal = file_appeal(rider)
    jurisdiction = require_jurisdiction(cast.district_staff.user)
    assert "The union needs your answer" not in page(rider.get(f"/m/appeals/{appeal.number}/"))
    refused = rider.post(f"/m/appeals/{appeal.number}/", {"action": "reply", "text": "早答"})
    assert (refused.status_code, "The union is not waiting for an answer." in page(refused)) == (400, True)
    appeal_pause(
        appeal=appeal, jurisdiction=jurisdiction, actor=cast.district_staff.user, question="请提供工资条照片。"
    )
    html = page(rider.get(f"/m/appeals/{appeal.number}/"))
    assert "The union needs your answer" in html
    assert "请提供工资条照片。" in html
    empty = rider.post(f"/m/appeals/{appeal.number}/", {"action": "reply", "text": "  "})
    assert (empty.status_code, "Write your answer." in page(empty)) == (400, True)
    answered = rider.post(f"/m/appeals/{appeal.number}/", {"action": "reply", "text": "工资条在微信里，明天送到。"})
    assert (answered.status_code, answered["Location"]) == (302, f"/m/appeals/{appeal.number}/")
    appeal.refresh_from_db()
    assert appeal.paused_since is None
    resumed = AppealEvent.objects.get(kind=EventKind.RESUMED)
    assert (resumed.text, resumed.appeal_id) == ("工资条在微信里，明天送到。", appeal.pk)
    html = page(rider.get(f"/m/appeals/{appeal.number}/"))
    assert "The union needs your answer" not in html
    assert "工资条在微信里，明天送到。" in html
    assert _timeline_kinds(html) == ["submitted", "paused", "resumed"]


def test_the_worker_rates_a_resolved_appeal_once(rider: Client, other: Client, cast: Cast) -> None:
    appeal = file_appeal(rider)
    jurisdiction = require_jurisdiction(cast.district_staff.user)
    actor = cast.district_staff.user
    assert rider.post(f"/m/appeals/{appeal.number}/", {"action": "rate", "rating": "5"}).status_code == 400
    appeal_step(appeal=appeal, kind=EventKind.FIRST_RESPONSE, jurisdiction=jurisdiction, actor=actor, text="已联系")
    appeal_step(appeal=appeal, kind=EventKind.RESOLVED, jurisdiction=jurisdiction, actor=actor, text="已追回9000元")
    html = page(rider.get(f"/m/appeals/{appeal.number}/"))
    assert "Is your problem solved?" in html
    assert (
        '<input type="radio" name="rating" value="5"> <span class="m-star-drawn" aria-hidden="true">★★★★★</span>'
        in html
    )
    assert "已追回9000元" in html
    bad = rider.post(f"/m/appeals/{appeal.number}/", {"action": "rate", "rating": "6", "satisfied": "maybe"})
    assert bad.status_code == 400
    assert ("Choose 1 to 5 stars." in page(bad), "Say whether your problem is solved." in page(bad)) == (True, True)
    assert (
        other.post(f"/m/appeals/{appeal.number}/", {"action": "rate", "rating": "1", "satisfied": "no"}).status_code
        == 404
    )
    rated = rider.post(
        f"/m/appeals/{appeal.number}/", {"action": "rate", "rating": "5", "satisfied": "yes", "comment": "谢谢工会"}
    )
    assert (rated.status_code, rated["Location"]) == (302, f"/m/appeals/{appeal.number}/")
    appeal.refresh_from_db()
    assert (appeal.rating, appeal.satisfied, appeal.status) == (5, True, Status.RESOLVED)
    assert AppealEvent.objects.get(kind=EventKind.CONFIRMED).text == "谢谢工会"
    html = page(rider.get(f"/m/appeals/{appeal.number}/"))
    assert '<dd class="appeal-rating">5 stars</dd>' in html
    assert "Is your problem solved?" not in html
    again = rider.post(f"/m/appeals/{appeal.number}/", {"action": "rate", "rating": "1", "satisfied": "yes"})
    assert (again.status_code, "This appeal cannot be rated now." in page(again)) == (400, True)
    appeal.refresh_from_db()
    assert appeal.rating == 5


def test_not_satisfied_reopens_the_case(rider: Client, cast: Cast) -> None:
    appeal = file_appeal(rider)
    jurisdiction = require_jurisdiction(cast.district_staff.user)
    appeal_step(appeal=appeal, kind=EventKind.RESOLVED, jurisdiction=jurisdiction, actor=None, text="已办结")
    rider.post(f"/m/appeals/{appeal.number}/", {"action": "rate", "rating": "2", "satisfied": "no"})
    appeal.refresh_from_db()
    assert (appeal.rating, appeal.satisfied, appeal.status) == (2, False, Status.INVESTIGATING)
    assert "Is your problem solved?" not in page(rider.get(f"/m/appeals/{appeal.number}/"))
    appeal_step(appeal=appeal, kind=EventKind.RESOLVED, jurisdiction=jurisdiction, actor=None, text="再次办结")
    assert "Is your problem solved?" in page(rider.get(f"/m/appeals/{appeal.number}/"))  # rated again


def test_home_and_card_link_to_the_appeals(rider: Client) -> None:
    assert '<a class="m-button secondary" href="/m/appeals/">My appeals</a>' in page(rider.get("/m/"))
    assert '<a class="m-button secondary" href="/m/appeals/">My appeals</a>' in page(rider.get("/m/me/"))
