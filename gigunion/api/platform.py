"""The platform API (v1): rosters, membership status and one-tap join links for platform partners.

This layer parses, authorizes, calls the domain and shapes JSON: roster writes are
ledger.roster.roster_push, reads are ledger.status, join links members.services.join_token_issue.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.params import functions as param

from gigunion.api.auth import ApiKeyAuth, count_rows
from gigunion.api.errors import ApiError
from gigunion.api.schemas import (
    BatchOut,
    ErrorOut,
    JoinTokenIn,
    JoinTokenOut,
    MeOut,
    RosterBatchIn,
    RosterBatchOut,
    RosterWorkerIn,
    StatusIn,
    StatusOut,
    WorkerOut,
)
from gigunion.ledger import status as ledger_status
from gigunion.ledger.roster import ROSTER_COLUMNS, RosterRejected, roster_push
from gigunion.members.checks import WorkerInput, WorkerInputError, worker_check
from gigunion.members.services import join_token_issue
from gigunion.platforms.models import ApiKey, IdempotentRequest, Platform, Scope

router = Router()

_FIELD_OF_HEADER = {column.header: column.key for column in ROSTER_COLUMNS}
_MAX_ID = 2**63 - 1
IDEMPOTENCY_KEY_LENGTH = 128
REPLAYED_HEADER = "Idempotent-Replayed"
IdempotencyKeyHeader = Annotated[
    str | None,
    param.Header(
        None,
        alias="Idempotency-Key",
        max_length=IDEMPOTENCY_KEY_LENGTH,
        description="Send the same key with the same body to retry safely: the first answer is replayed (header "
        "Idempotent-Replayed: true) and nothing is written again. The same key with another body answers 422 "
        "idempotency_key_reused.",
    ),
]


def _errors(*statuses: int) -> dict[int, Any]:
    return dict.fromkeys(statuses, ErrorOut)


def _key(request: HttpRequest) -> ApiKey:
    key = getattr(request, "auth", None)
    assert isinstance(key, ApiKey)
    return key


def _platform(request: HttpRequest) -> Platform:
    return _key(request).platform


# --- who am I --------------------------------------------------------------------------------------


@router.get(
    "/me",
    auth=ApiKeyAuth(),
    response={200: MeOut, **_errors(401, 429)},
    tags=["platform"],
    summary="The calling platform and key",
)
def me(request: HttpRequest) -> dict[str, Any]:
    """The platform this key belongs to, the federation holding its data agreement (workers may only be
    placed in that federation's region), and the key's scopes and rate limit. Any key may call it."""
    key = _key(request)
    platform = key.platform
    return {
        "platform": {
            "code": platform.code,
            "name": platform.name,
            "federation": platform.organization.name,
            "region_code": platform.organization.region_prefix,
        },
        "key": key.display,
        "scopes": sorted(key.scopes),
        "rate_per_minute": key.rate_per_minute,
    }


# --- rosters ---------------------------------------------------------------------------------------


def _roster_row(worker: RosterWorkerIn) -> dict[str, str]:
    return {
        "name": worker.name,
        "id_number": worker.id_number,
        "phone": worker.phone,
        "occupation": worker.occupation,
        "platform": worker.platform,
        "external_id": worker.external_id,
        "employer": worker.employer,
        "employer_credit_code": worker.employer_credit_code,
        "work_region": worker.work_region,
        "active": "是" if worker.active else "否",
    }


def _request_hash(request: HttpRequest, payload: RosterBatchIn) -> str:
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": payload.model_dump(mode="json")},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replay(stored: IdempotentRequest, request_hash: str) -> JsonResponse:
    if stored.request_hash != request_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was already used with a different request; use a new key for a new batch."),
        )
    response = JsonResponse(stored.response, status=stored.status, safe=False)
    response[REPLAYED_HEADER] = "true"
    return response


def _idempotency_key(text: str | None) -> str | None:
    if text is None:
        return None
    key = text.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_LENGTH:
        raise ApiError(
            422,
            "invalid_idempotency_key",
            _("An Idempotency-Key is 1 to %(length)d characters.") % {"length": IDEMPOTENCY_KEY_LENGTH},
        )
    return key


@router.post(
    "/roster/batches",
    auth=ApiKeyAuth(Scope.ROSTER_WRITE),
    response={200: RosterBatchOut, **_errors(400, 401, 403, 413, 422, 429)},
    tags=["rosters"],
    summary="Push a batch of workers (用工人员名册)",
)
def roster_batch_push(
    request: HttpRequest,
    payload: RosterBatchIn,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Up to 1000 workers, all or nothing: when any worker is invalid nothing is stored and the answer (422
    `invalid_rows`) names every invalid worker by its index and field. Work regions must lie in the region of
    the federation holding your agreement. Each worker comes back with its status in the ledger (imported the
    first time you list them, updated when something changed, unchanged) and whether they are a union member.
    More than 1000 workers, or a body over 2 MB, answers 413 before anything is checked."""
    platform = _platform(request)
    count_rows(request, len(payload.workers))
    key = _idempotency_key(idempotency_key)
    request_hash = _request_hash(request, payload)
    if key is not None:
        stored = IdempotentRequest.objects.filter(platform=platform, key=key).first()
        if stored is not None:
            return _replay(stored, request_hash)
    try:
        with transaction.atomic():
            result = roster_push(
                platform=platform, rows=[_roster_row(worker) for worker in payload.workers], as_of=payload.as_of
            )
            assert result.batch is not None
            memberships = ledger_status.membership_by_id_number([worker.id_number for worker in payload.workers])
            body = {
                "batch_id": result.batch.pk,
                "counts": {
                    "imported": result.report.imported,
                    "updated": result.report.updated,
                    "unchanged": result.report.unchanged,
                },
                "results": [
                    {
                        "index": index,
                        "external_id": worker.external_id,
                        "status": result.statuses[index],
                        "membership": memberships[index],
                    }
                    for index, worker in enumerate(payload.workers)
                ],
            }
            if key is not None:
                IdempotentRequest.objects.create(
                    platform=platform, key=key, request_hash=request_hash, status=200, response=body
                )
    except RosterRejected as error:
        details = [
            {"index": row_error.row, "field": _FIELD_OF_HEADER.get(row_error.column, ""), "message": row_error.message}
            for row_error in error.errors
        ]
        raise ApiError(422, error.code, error.message, details=details) from None
    except IntegrityError:
        # The same key sent twice at once: the first to commit wins, this one's writes are undone.
        stored = IdempotentRequest.objects.filter(platform=platform, key=key).first() if key is not None else None
        if stored is None:
            raise
        return _replay(stored, request_hash)
    return body


@router.get(
    "/roster/batches/{batch_id}",
    auth=ApiKeyAuth(Scope.ROSTER_WRITE, Scope.STATUS_READ),
    response={200: BatchOut, **_errors(401, 403, 404, 422, 429)},
    tags=["rosters"],
    summary="A batch you pushed",
)
def roster_batch_read(request: HttpRequest, batch_id: Annotated[int, param.Path(ge=1, le=_MAX_ID)]) -> dict[str, Any]:
    """The counts of one of your batches. Another platform's batch answers 404."""
    batch = ledger_status.platform_batch(_platform(request), batch_id)
    if batch is None:
        raise ApiError(404, "not_found", _("Not found."))
    return {
        "batch_id": batch.pk,
        "as_of": batch.as_of,
        "created_at": batch.created_at,
        "rows": batch.rows,
        "counts": {"imported": batch.imported, "updated": batch.updated, "unchanged": batch.unchanged},
    }


# --- membership status -----------------------------------------------------------------------------


@router.post(
    "/members/status",
    auth=ApiKeyAuth(Scope.STATUS_READ),
    response={200: StatusOut, **_errors(400, 401, 403, 413, 422, 429)},
    tags=["members"],
    summary="Membership status of your workers",
)
def members_status(request: HttpRequest, payload: StatusIn) -> dict[str, Any]:
    """Up to 1000 of your platform ids; each comes back, in order, as member, pending (applied, awaiting the
    union's approval), not_member, or unknown: an id that is not one of your workers (we never tell you about
    another platform's workers). Nothing else about the worker is returned."""
    count_rows(request, len(payload.external_ids))
    statuses = ledger_status.platform_statuses(_platform(request), payload.external_ids)
    return {
        "results": [
            {"external_id": external_id, "status": statuses[external_id]} for external_id in payload.external_ids
        ]
    }


@router.get(
    "/workers/{external_id}",
    auth=ApiKeyAuth(Scope.STATUS_READ),
    response={200: WorkerOut, **_errors(401, 403, 404, 422, 429)},
    tags=["members"],
    summary="One of your workers",
)
def worker_read(
    request: HttpRequest, external_id: Annotated[str, param.Path(min_length=1, max_length=64)]
) -> dict[str, Any]:
    """Membership status of one of your workers by your platform id, whether your latest roster had them at
    work, and its date. An id that is not one of your workers answers 404."""
    count_rows(request, 1)
    worker = ledger_status.platform_worker(_platform(request), external_id)
    if worker is None:
        raise ApiError(404, "not_found", _("Not found."))
    return {
        "external_id": worker.external_id,
        "status": worker.status,
        "active": worker.active,
        "last_seen": worker.last_seen,
    }


# --- one-tap join ----------------------------------------------------------------------------------


@router.post(
    "/join-tokens",
    auth=ApiKeyAuth(Scope.JOIN_TOKENS),
    response={200: JoinTokenOut, **_errors(400, 401, 403, 413, 422, 429)},
    tags=["joining"],
    summary="A one-tap join link (一键入会)",
)
def join_token_create(request: HttpRequest, payload: JoinTokenIn) -> dict[str, Any]:
    """A link for your app's "join the union" button, carrying the worker's details sealed (encrypted and
    signed) so the worker only confirms. It expires after a few minutes (`expires_at`). Details that are not
    valid answer 422 with a message per field; the work region must lie in the region of the federation
    holding your agreement."""
    count_rows(request, 1)
    platform = _platform(request)
    data = WorkerInput(
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        occupation=payload.occupation,
        platform=platform.name,
        external_id=payload.external_id,
        employer_name=payload.employer,
        work_region=payload.work_region,
    )
    try:
        checked = worker_check(data)
    except WorkerInputError as error:
        details = [{"field": field, "message": message} for field, message in error.errors.items()]
        raise ApiError(422, error.code, error.message, details=details) from None
    organization = platform.organization
    if not checked.work_region.code.startswith(organization.region_prefix):
        message = _("This region is outside the region of the platform's agreement (%(union)s).") % {
            "union": organization.name
        }
        raise ApiError(422, "outside_agreement", message, details=[{"field": "work_region", "message": message}])
    token = join_token_issue(data=data, issuer=platform.name)
    base = str(settings.PUBLIC_BASE_URL).rstrip("/") or request.build_absolute_uri("/").rstrip("/")
    return {
        "token": token,
        "url": f"{base}{reverse('mobile:join')}?t={quote(token, safe='')}",
        "expires_at": timezone.now() + timedelta(seconds=settings.JOIN_TOKEN_SECONDS),
    }
