"""The platform API v1: keys, scopes, limits, the audit log, rosters, status, tenancy and one-tap join links."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gigunion.ledger.models import RosterBatch, Sighting, Worker
from gigunion.members.checks import WorkerInput
from gigunion.members.models import JoinSource, Person
from gigunion.members.services import join_token_read, member_join
from gigunion.platforms.models import ApiCall, ApiKey, IdempotentRequest
from gigunion.platforms.services import api_key_revoke, api_key_rotate
from tests.people import id_with_check

pytestmark = pytest.mark.django_db

A = id_with_check("52010219900307101")  # works in 南明区
B = id_with_check("52010319850611202")  # works in 云岩区
C = id_with_check("52011119921201303")
UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "A valid API key is required.", "details": []}}
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "details": []}}


def key_of(text: str) -> ApiKey:
    return ApiKey.objects.get(prefix=text[3:].partition("_")[0])


def worker(external_id: str = "MB001", id_number: str = A, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "external_id": external_id,
        "name": "王小明",
        "id_number": id_number,
        "phone": "13985101001",
        "occupation": "delivery_rider",
        "work_region": "520102",
    }
    values.update(overrides)
    return values


def two_workers() -> list[dict[str, Any]]:
    return [
        worker(),
        worker("MB002", B, name="李娟", phone="13985101002", occupation="快递员", work_region="520103"),
    ]


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def push(client: Client, workers: list[dict[str, Any]], **extra: Any) -> Any:
    return post(client, "/api/v1/roster/batches", {"workers": workers, **extra.pop("body", {})}, **extra)


# --- authentication, scopes, limits -------------------------------------------------------------------


def test_me_names_the_platform_its_federation_and_the_key(platforms, client_for):
    response = client_for(platforms.manbang_key).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "platform": {"code": "manbang", "name": "满帮", "federation": "贵阳市总工会", "region_code": "5201"},
        "key": key_of(platforms.manbang_key).display,
        "scopes": ["join_tokens", "roster:write", "status:read"],
        "rate_per_minute": 600,
    }


@pytest.mark.parametrize("authorization", [None, "Bearer nonsense", "Bearer gu_nope_nope", "Basic dXNlcjpwdw=="])
def test_a_missing_or_unknown_key_answers_401_and_is_logged_without_a_platform(platforms, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    client = Client(headers=headers)
    client.cookies["django_language"] = "en"

    response = client.post("/api/v1/members/status", {"external_ids": ["MB001"]}, content_type="application/json")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    call = ApiCall.objects.get()
    assert (call.platform, call.api_key, call.method, call.path, call.status, call.rows) == (
        None,
        None,
        "POST",
        "/api/v1/members/status",
        401,
        0,
    )
    assert call.ip_address == "127.0.0.1"


def test_a_revoked_key_answers_401(platforms, client_for):
    api_key_revoke(key=key_of(platforms.manbang_key))

    response = client_for(platforms.manbang_key).get("/api/v1/me")

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_rotated_key_works_through_its_grace_period_and_not_after(platforms, client_for):
    old = key_of(platforms.manbang_key)
    new = api_key_rotate(key=old, grace_hours=1)

    assert client_for(platforms.manbang_key).get("/api/v1/me").status_code == 200
    assert client_for(new.text).get("/api/v1/me").status_code == 200

    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client_for(platforms.manbang_key).get("/api/v1/me")
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert client_for(new.text).get("/api/v1/me").status_code == 200


def test_a_key_without_the_scope_answers_403(platforms, client_for):
    response = push(client_for(platforms.manbang_status_key), [worker()])

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "missing_scope",
            "message": "This API key may not do this; it needs one of the scopes: roster:write.",
            "details": [{"required_scopes": ["roster:write"], "key_scopes": ["status:read"]}],
        }
    }
    assert not RosterBatch.objects.exists()
    call = ApiCall.objects.get()
    assert (call.platform, call.api_key, call.status) == (platforms.manbang, key_of(platforms.manbang_status_key), 403)


def test_the_status_key_may_read_batches_and_status(platforms, client_for):
    batch_id = push(client_for(platforms.manbang_key), [worker()]).json()["batch_id"]
    client = client_for(platforms.manbang_status_key)

    assert client.get(f"/api/v1/roster/batches/{batch_id}").status_code == 200
    assert post(client, "/api/v1/members/status", {"external_ids": ["MB001"]}).status_code == 200
    assert client.get("/api/v1/workers/MB001").status_code == 200
    assert post(client, "/api/v1/join-tokens", {}).status_code == 403


def test_over_the_rate_limit_answers_429_with_retry_after(platforms, client_for, monkeypatch):
    monkeypatch.setattr("gigunion.api.auth._clock", lambda: 1_800_000_030.0)  # 30 s into a minute
    ApiKey.objects.filter(pk=key_of(platforms.haohuo_key).pk).update(rate_per_minute=2)
    client = client_for(platforms.haohuo_key)

    assert [client.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/me")

    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": {
            "code": "rate_limited",
            "message": "Too many requests with this API key; try again in 30 seconds.",
            "details": [{"limit_per_minute": 2, "retry_after": 30}],
        }
    }
    # Another key, and the next minute, are not limited.
    assert client_for(platforms.manbang_key).get("/api/v1/me").status_code == 200
    monkeypatch.setattr("gigunion.api.auth._clock", lambda: 1_800_000_060.0)
    assert client.get("/api/v1/me").status_code == 200
    assert list(ApiCall.objects.order_by("id").values_list("status", flat=True)) == [200, 200, 429, 200, 200]


# --- rosters ------------------------------------------------------------------------------------------


def test_a_pushed_roster_answers_each_worker_s_status_and_membership(platforms, client_for):
    response = push(client_for(platforms.manbang_key), two_workers(), body={"as_of": "2026-06-30"})

    assert response.status_code == 200
    batch = RosterBatch.objects.get()
    assert response.json() == {
        "batch_id": batch.pk,
        "counts": {"imported": 2, "updated": 0, "unchanged": 0},
        "results": [
            {"index": 0, "external_id": "MB001", "status": "imported", "membership": "not_member"},
            {"index": 1, "external_id": "MB002", "status": "imported", "membership": "not_member"},
        ],
    }
    assert (batch.via, batch.as_of, batch.rows, batch.imported) == ("api", date(2026, 6, 30), 2, 2)
    sightings = Sighting.objects.order_by("external_id")
    assert [(s.platform, s.external_id, s.active, s.last_seen) for s in sightings] == [
        ("满帮", "MB001", True, date(2026, 6, 30)),
        ("满帮", "MB002", True, date(2026, 6, 30)),
    ]
    assert Worker.objects.get(sightings__external_id="MB002").occupation == "courier"


def test_pushing_again_counts_updated_and_unchanged_and_the_batch_can_be_read(platforms, client_for):
    client = client_for(platforms.manbang_key)
    push(client, two_workers(), body={"as_of": "2026-06-30"})
    again = two_workers()
    again[1]["active"] = False

    response = push(client, again, body={"as_of": "2026-07-31"})

    assert response.json()["counts"] == {"imported": 0, "updated": 1, "unchanged": 1}
    assert [row["status"] for row in response.json()["results"]] == ["unchanged", "updated"]
    batch = RosterBatch.objects.get(pk=response.json()["batch_id"])
    read = client.get(f"/api/v1/roster/batches/{batch.pk}")
    assert read.status_code == 200
    assert read.json() == {
        "batch_id": batch.pk,
        "as_of": "2026-07-31",
        "created_at": read.json()["created_at"],
        "rows": 2,
        "counts": {"imported": 0, "updated": 1, "unchanged": 1},
    }
    worker_answer = client.get("/api/v1/workers/MB002").json()
    assert worker_answer == {
        "external_id": "MB002",
        "status": "not_member",
        "active": False,
        "last_seen": "2026-07-31",
    }


def test_haohuo_may_push_workers_of_its_own_district(platforms, client_for):
    response = push(client_for(platforms.haohuo_key), [worker("HH001", B, work_region="520103")])

    assert response.status_code == 200
    assert response.json()["counts"] == {"imported": 1, "updated": 0, "unchanged": 0}
    assert Sighting.objects.get().platform == "好活"


def test_invalid_rows_answer_422_with_every_row_and_field_and_nothing_is_stored(platforms, client_for):
    rows = [
        worker("HH001", B, work_region="520103"),
        worker("HH002", B[:-1] + ("0" if B[-1] != "0" else "1"), work_region="520103"),
        worker("HH003", C, work_region="520102", occupation="astronaut"),
    ]

    response = push(client_for(platforms.haohuo_key), rows)

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "invalid_rows",
            "message": "Some workers in the batch are not valid; nothing was stored.",
            "details": [
                {
                    "index": 1,
                    "field": "id_number",
                    "message": "The ID number's last character does not match; check it for typos.",
                },
                {"index": 2, "field": "occupation", "message": "Choose an occupation from the list."},
                {
                    "index": 2,
                    "field": "work_region",
                    "message": "This region is outside the region of the platform's agreement (云岩区总工会).",
                },
            ],
        }
    }
    assert not RosterBatch.objects.exists()
    assert not Worker.objects.exists()
    assert ApiCall.objects.get().rows == 3


def test_a_malformed_body_answers_422_in_the_error_shape(platforms, client_for):
    response = push(client_for(platforms.manbang_key), [{"external_id": "MB001"}])

    assert response.status_code == 422
    body = response.json()["error"]
    assert (body["code"], body["message"]) == ("invalid", "The request is not valid.")
    assert {tuple(detail["location"]) for detail in body["details"]} == {
        ("body", "payload", "workers", "0", field) for field in ("name", "id_number", "occupation", "work_region")
    }


def test_a_roster_dated_in_the_future_is_refused(platforms, client_for):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = push(client_for(platforms.manbang_key), [worker()], body={"as_of": tomorrow})

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == ["body", "payload", "as_of"]
    assert not RosterBatch.objects.exists()


def test_more_than_1000_workers_answer_413_before_anything_is_checked(platforms, client_for):
    rows = [{"external_id": f"MB{number}"} for number in range(1001)]  # not even valid workers

    response = push(client_for(platforms.manbang_key), rows)

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": "A batch holds at most 1000 workers.", "details": []}
    }
    assert not RosterBatch.objects.exists()
    call = ApiCall.objects.get()
    assert (call.status, call.rows) == (413, 1001)


def test_a_body_over_2_mb_answers_413(platforms, client_for):
    response = push(client_for(platforms.manbang_key), [worker(name="王" * 1_100_000)])

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": "The request body is larger than 2 MB.", "details": []}
    }


def test_asking_about_more_than_1000_workers_answers_413(platforms, client_for):
    ids = [f"MB{number}" for number in range(1001)]

    response = post(client_for(platforms.manbang_key), "/api/v1/members/status", {"external_ids": ids})

    assert response.status_code == 413
    assert response.json()["error"]["message"] == "Ask about at most 1000 workers at a time."
    assert ApiCall.objects.get().rows == 1001


# --- idempotency --------------------------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_replay_the_answer_without_a_second_batch(platforms, client_for):
    client = client_for(platforms.manbang_key)
    first = push(client, two_workers(), **{"Idempotency-Key": "2026-06-30-a"})

    second = push(client, two_workers(), **{"Idempotency-Key": "2026-06-30-a"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert RosterBatch.objects.count() == 1
    stored = IdempotentRequest.objects.get()
    assert (stored.platform, stored.key, stored.status, stored.response) == (
        platforms.manbang,
        "2026-06-30-a",
        200,
        first.json(),
    )
    assert list(ApiCall.objects.order_by("id").values_list("status", "rows")) == [(200, 2), (200, 2)]


def test_the_same_idempotency_key_with_another_body_answers_422(platforms, client_for):
    client = client_for(platforms.manbang_key)
    push(client, two_workers(), **{"Idempotency-Key": "k-1"})

    response = push(client, [worker()], **{"Idempotency-Key": "k-1"})

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was already used with a different request; use a new key for a new batch.",
            "details": [],
        }
    }
    assert RosterBatch.objects.count() == 1


def test_a_refused_batch_is_not_stored_under_its_idempotency_key(platforms, client_for):
    client = client_for(platforms.manbang_key)
    bad = [worker(work_region="999999")]

    assert push(client, bad, **{"Idempotency-Key": "k-2"}).status_code == 422
    assert not IdempotentRequest.objects.exists()
    assert push(client, [worker()], **{"Idempotency-Key": "k-2"}).status_code == 200


def test_idempotency_keys_are_per_platform(platforms, client_for):
    push(client_for(platforms.manbang_key), [worker()], **{"Idempotency-Key": "same"})

    response = push(
        client_for(platforms.haohuo_key), [worker("HH001", B, work_region="520103")], **{"Idempotency-Key": "same"}
    )

    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response
    assert RosterBatch.objects.count() == 2


# --- status and tenancy -------------------------------------------------------------------------------


def test_status_answers_each_id_in_order_and_unknown_for_ids_that_are_not_the_platform_s(platforms, client_for):
    push(client_for(platforms.manbang_key), two_workers())

    manbang = post(
        client_for(platforms.manbang_status_key), "/api/v1/members/status", {"external_ids": ["MB002", "XX9", "MB001"]}
    )
    haohuo = post(client_for(platforms.haohuo_key), "/api/v1/members/status", {"external_ids": ["MB001", "MB002"]})

    assert manbang.json() == {
        "results": [
            {"external_id": "MB002", "status": "not_member"},
            {"external_id": "XX9", "status": "unknown"},
            {"external_id": "MB001", "status": "not_member"},
        ]
    }
    assert haohuo.json() == {
        "results": [{"external_id": "MB001", "status": "unknown"}, {"external_id": "MB002", "status": "unknown"}]
    }
    assert list(ApiCall.objects.order_by("id").values_list("path", "status", "rows")) == [
        ("/api/v1/roster/batches", 200, 2),
        ("/api/v1/members/status", 200, 3),
        ("/api/v1/members/status", 200, 2),
    ]


def test_another_platform_s_batch_and_worker_answer_404(platforms, client_for):
    batch_id = push(client_for(platforms.manbang_key), [worker()]).json()["batch_id"]
    haohuo = client_for(platforms.haohuo_key)

    batch = haohuo.get(f"/api/v1/roster/batches/{batch_id}")
    worker_answer = haohuo.get("/api/v1/workers/MB001")

    assert (batch.status_code, batch.json()) == (404, NOT_FOUND)
    assert (worker_answer.status_code, worker_answer.json()) == (404, NOT_FOUND)
    assert haohuo.get("/api/v1/roster/batches/999999").status_code == 404
    calls = ApiCall.objects.order_by("id").values_list("platform__code", "path", "status", "rows")
    assert list(calls)[1:] == [
        ("haohuo", f"/api/v1/roster/batches/{batch_id}", 404, 0),
        ("haohuo", "/api/v1/workers/MB001", 404, 1),
        ("haohuo", "/api/v1/roster/batches/999999", 404, 0),
    ]


def test_a_pushed_worker_who_joins_becomes_a_member(platforms, client_for, cast):
    client = client_for(platforms.manbang_key)
    push(client, two_workers())
    outcome = member_join(
        data=WorkerInput(
            name="王小明", id_number=A, phone="13985101001", occupation="delivery_rider", work_region="520102"
        ),
        source=JoinSource.QR,
        phone_verified=True,
    )
    assert outcome.status == "joined"
    cast.other_district.join_requires_approval = True
    cast.other_district.save()
    pending = member_join(
        data=WorkerInput(name="李娟", id_number=B, phone="13985101002", occupation="courier", work_region="520103"),
        source=JoinSource.QR,
        phone_verified=True,
    )
    assert pending.status == "pending"

    status = post(client, "/api/v1/members/status", {"external_ids": ["MB001", "MB002"]})
    again = push(client, two_workers())

    assert status.json() == {
        "results": [{"external_id": "MB001", "status": "member"}, {"external_id": "MB002", "status": "pending"}]
    }
    assert [(row["status"], row["membership"]) for row in again.json()["results"]] == [
        ("unchanged", "member"),
        ("unchanged", "pending"),
    ]
    assert client.get("/api/v1/workers/MB001").json()["status"] == "member"


def test_a_worker_who_joined_through_the_platform_s_button_is_known_before_any_roster(platforms, client_for):
    member_join(
        data=WorkerInput(
            name="张伟",
            id_number=C,
            phone="13985101003",
            occupation="truck_driver",
            platform="满帮",
            external_id="MB777",
            work_region="520111",
        ),
        source=JoinSource.ONE_TAP,
        phone_verified=True,
    )
    assert Person.objects.get().external_id == "MB777"

    manbang = client_for(platforms.manbang_key)
    status = post(manbang, "/api/v1/members/status", {"external_ids": ["MB777"]})
    read = manbang.get("/api/v1/workers/MB777")
    other = post(client_for(platforms.haohuo_key), "/api/v1/members/status", {"external_ids": ["MB777"]})

    assert status.json() == {"results": [{"external_id": "MB777", "status": "member"}]}
    assert read.json() == {"external_id": "MB777", "status": "member", "active": None, "last_seen": None}
    assert other.json() == {"results": [{"external_id": "MB777", "status": "unknown"}]}


# --- one-tap join links -------------------------------------------------------------------------------


def join_details(**overrides: str) -> dict[str, str]:
    values = {
        "external_id": "MB001",
        "name": "王小明",
        "id_number": A,
        "phone": "13985101001",
        "occupation": "delivery_rider",
        "work_region": "520102",
    }
    values.update(overrides)
    return values


def test_a_join_token_round_trip(platforms, client_for, settings):
    settings.PUBLIC_BASE_URL = "https://union.example.cn/"
    before = timezone.now()

    response = post(client_for(platforms.manbang_key), "/api/v1/join-tokens", join_details(employer="满帮物流"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "url", "expires_at"}
    assert body["url"].startswith("https://union.example.cn/m/join/?t=")
    data, issuer = join_token_read(body["token"])
    assert issuer == "满帮"
    assert data == WorkerInput(
        name="王小明",
        id_number=A,
        phone="13985101001",
        occupation="delivery_rider",
        platform="满帮",
        external_id="MB001",
        employer_name="满帮物流",
        work_region="520102",
    )
    expires = datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(seconds=900) <= expires <= timezone.now() + timedelta(seconds=900)
    page = Client().get(body["url"].removeprefix("https://union.example.cn"))
    assert page.status_code == 200
    assert ApiCall.objects.get().rows == 1


def test_a_join_token_without_a_public_base_url_uses_the_request_s_address(platforms, client_for, settings):
    settings.PUBLIC_BASE_URL = ""

    body = post(client_for(platforms.manbang_key), "/api/v1/join-tokens", join_details()).json()

    assert body["url"].startswith("http://testserver/m/join/?t=")


def test_invalid_join_details_answer_422_per_field(platforms, client_for):
    response = post(
        client_for(platforms.manbang_key),
        "/api/v1/join-tokens",
        join_details(phone="12345", id_number=A[:-1] + ("0" if A[-1] != "0" else "1"), occupation="astronaut"),
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_worker"
    assert error["details"] == [
        {"field": "id_number", "message": "The ID number's last character does not match; check it for typos."},
        {"field": "phone", "message": "A mobile number has 11 digits and begins with 13 to 19."},
        {"field": "occupation", "message": "Choose an occupation from the list."},
    ]


def test_a_join_token_outside_the_agreement_s_region_answers_422(platforms, client_for):
    response = post(client_for(platforms.haohuo_key), "/api/v1/join-tokens", join_details(work_region="520102"))

    assert response.status_code == 422
    message = "This region is outside the region of the platform's agreement (云岩区总工会)."
    assert response.json() == {
        "error": {
            "code": "outside_agreement",
            "message": message,
            "details": [{"field": "work_region", "message": message}],
        }
    }


# --- the document -------------------------------------------------------------------------------------


def test_the_openapi_document_describes_the_bearer_scheme_and_every_operation(client_for):
    document = client_for(None).get("/api/v1/openapi.json").json()

    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"]["type"] == "http"
    assert schemes["ApiKeyAuth"]["scheme"] == "bearer"
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) == {
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/roster/batches"),
        ("GET", "/api/v1/roster/batches/{batch_id}"),
        ("POST", "/api/v1/members/status"),
        ("GET", "/api/v1/workers/{external_id}"),
        ("POST", "/api/v1/join-tokens"),
    }
    for (_method, path), operation in operations.items():
        assert operation["summary"]
        assert operation["tags"]
        if path != "/api/v1/health":
            assert operation["security"] == [{"ApiKeyAuth": []}]
            assert "401" in operation["responses"]
    push_operation = operations[("POST", "/api/v1/roster/batches")]
    assert any(parameter["name"] == "Idempotency-Key" for parameter in push_operation["parameters"])
    assert {"413", "422", "429"} <= set(push_operation["responses"])


def test_health_docs_and_the_document_are_not_logged(client_for):
    client = client_for(None)
    client.get("/api/v1/health")
    client.get("/api/v1/openapi.json")
    client.get("/api/v1/docs")

    assert not ApiCall.objects.exists()


@pytest.mark.django_db
def test_a_nul_character_is_refused_or_unknown_never_an_error(platforms):
    client = platforms.client(platforms.manbang_key)

    status = client.post("/api/v1/members/status", {"external_ids": ["a\x00b"]}, content_type="application/json")
    worker = client.get("/api/v1/workers/a%00b")

    assert status.status_code == 422
    assert status.json()["error"]["code"] == "invalid"
    assert worker.status_code == 404
