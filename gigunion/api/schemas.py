"""Request and response bodies of the platform API (v1), with the examples the OpenAPI document shows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator

from gigunion.api.auth import count_rows
from gigunion.api.errors import PayloadTooLarge

MAX_WORKERS = 1000
MAX_EXTERNAL_IDS = 1000

MembershipState = Literal["member", "pending", "not_member"]
WorkerState = Literal["member", "pending", "not_member", "unknown"]
RowStatus = Literal["imported", "updated", "unchanged"]

_EXTERNAL_ID = Field(min_length=1, max_length=64, description="The platform's own id for the worker (平台工号).")
_OCCUPATION_HELP = (
    "A code (truck_driver, courier, caregiver, domestic_worker, mall_promoter, delivery_rider, real_estate_agent, "
    "security_guard, ride_hailing_driver, designated_driver, other) or its Chinese name (货车司机, 网约送餐员 …)."
)


def _limit_items(data: Any, info: ValidationInfo, field: str, limit: int, message: str) -> Any:
    """Count the items before anything else is checked: too many answer 413, not a list of 422s."""
    items = data.get(field) if isinstance(data, dict) else None
    if isinstance(items, list):
        request = (info.context or {}).get("request")
        count_rows(request, len(items))
        if len(items) > limit:
            raise PayloadTooLarge(message % {"limit": limit}, rows=len(items))
    return data


# --- errors --------------------------------------------------------------------------------------


class ErrorBody(Schema):
    code: str = Field(examples=["invalid_rows"])
    message: str
    details: list[dict[str, Any]] = []


class ErrorOut(Schema):
    """Every error answers with this one shape."""

    error: ErrorBody


# --- /me ---------------------------------------------------------------------------------------


class PlatformOut(Schema):
    code: str = Field(examples=["manbang"])
    name: str = Field(examples=["满帮"])
    federation: str = Field(description="The federation holding the data agreement.", examples=["贵阳市总工会"])
    region_code: str = Field(
        description="Workers may only be placed in regions whose code starts with this.", examples=["5201"]
    )


class MeOut(Schema):
    platform: PlatformOut
    key: str = Field(description="The key's public part.", examples=["gu_Ab3dEf9h_…"])
    scopes: list[str] = Field(examples=[["join_tokens", "roster:write", "status:read"]])
    rate_per_minute: int = Field(examples=[600])


# --- rosters -------------------------------------------------------------------------------------


def _no_nul(value: Any) -> Any:
    """Refuse text with a NUL character anywhere in a request body (PostgreSQL text cannot hold it)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    if isinstance(value, dict):
        for item in value.values():
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class InputSchema(Schema):
    """A request body: no text in it may contain a NUL character."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        return _no_nul(data)


class RosterWorkerIn(InputSchema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    external_id: str = _EXTERNAL_ID
    name: str = Field(max_length=64, description="The name as on the ID card.", examples=["王小明"])
    id_number: str = Field(
        max_length=32, description="18-character resident ID number.", examples=["520102199003071017"]
    )
    phone: str = Field("", max_length=32, description="11-digit mobile number (optional).", examples=["13985101001"])
    occupation: str = Field(max_length=32, description=_OCCUPATION_HELP, examples=["delivery_rider"])
    platform: str = Field(
        "", max_length=64, description="The platform the worker works on; default: yours.", examples=["满帮"]
    )
    employer: str = Field("", max_length=128, description="The employer's name (optional).")
    employer_credit_code: str = Field("", max_length=32, description="The employer's 18-character credit code.")
    work_region: str = Field(
        max_length=12, description="Where the worker works: a 6, 9 or 12-digit region code.", examples=["520102"]
    )
    active: bool = Field(True, description="At work (false: no longer works for the platform).")


class RosterBatchIn(InputSchema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "as_of": "2026-06-30",
                    "workers": [
                        {
                            "external_id": "MB000123",
                            "name": "王小明",
                            "id_number": "520102199003071017",
                            "phone": "13985101001",
                            "occupation": "truck_driver",
                            "work_region": "520102",
                            "active": True,
                        }
                    ],
                }
            ]
        },
    )

    as_of: date | None = Field(None, description="The date the roster describes (default: today; not in the future).")
    workers: list[RosterWorkerIn] = Field(min_length=1, max_length=MAX_WORKERS)

    @model_validator(mode="before")
    @classmethod
    def _at_most_1000(cls, data: Any, info: ValidationInfo) -> Any:
        return _limit_items(data, info, "workers", MAX_WORKERS, _("A batch holds at most %(limit)d workers."))

    @field_validator("as_of")
    @classmethod
    def _not_in_the_future(cls, value: date | None) -> date | None:
        if value is not None and value > timezone.localdate():
            raise ValueError(_("The roster's date is in the future."))
        return value


class RosterCounts(Schema):
    imported: int = Field(description="Workers this platform listed for the first time.")
    updated: int = Field(description="Workers whose details changed.")
    unchanged: int = Field(description="Workers sent again as they were.")


class RosterRowOut(Schema):
    index: int = Field(description="The worker's position in `workers`, from 0.")
    external_id: str
    status: RowStatus
    membership: MembershipState


class RosterBatchOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "batch_id": 41,
                    "counts": {"imported": 1, "updated": 0, "unchanged": 0},
                    "results": [{"index": 0, "external_id": "MB000123", "status": "imported", "membership": "member"}],
                }
            ]
        }
    )

    batch_id: int
    counts: RosterCounts
    results: list[RosterRowOut]


class BatchOut(Schema):
    batch_id: int
    as_of: date
    created_at: datetime
    rows: int = Field(description="Workers in the batch.")
    counts: RosterCounts


# --- membership status ---------------------------------------------------------------------------


class StatusIn(InputSchema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"external_ids": ["MB000123", "MB000124"]}]}
    )

    external_ids: list[str] = Field(min_length=1, max_length=MAX_EXTERNAL_IDS)

    @model_validator(mode="before")
    @classmethod
    def _at_most_1000(cls, data: Any, info: ValidationInfo) -> Any:
        return _limit_items(
            data, info, "external_ids", MAX_EXTERNAL_IDS, _("Ask about at most %(limit)d workers at a time.")
        )


class StatusRowOut(Schema):
    external_id: str
    status: WorkerState = Field(
        description="member; pending (applied, awaiting approval); not_member; unknown (not one of your workers)."
    )


class StatusOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {"external_id": "MB000123", "status": "member"},
                        {"external_id": "MB000124", "status": "unknown"},
                    ]
                }
            ]
        }
    )

    results: list[StatusRowOut]


class WorkerOut(Schema):
    external_id: str = Field(examples=["MB000123"])
    status: MembershipState
    active: bool | None = Field(description="At work, as your latest roster said (null: no roster listed them).")
    last_seen: date | None = Field(description="The date of your latest roster listing them.")


# --- one-tap join --------------------------------------------------------------------------------


class JoinTokenIn(InputSchema):
    model_config = ConfigDict(
        str_strip_whitespace=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "MB000123",
                    "name": "王小明",
                    "id_number": "520102199003071017",
                    "phone": "13985101001",
                    "occupation": "truck_driver",
                    "work_region": "520102",
                }
            ]
        },
    )

    external_id: str = _EXTERNAL_ID
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)
    phone: str = Field(max_length=32)
    occupation: str = Field(max_length=32, description=_OCCUPATION_HELP)
    work_region: str = Field(max_length=12)
    employer: str = Field("", max_length=128)


class JoinTokenOut(Schema):
    token: str
    url: str = Field(description="Open this in the worker's browser: the join page, filled in, for one tap.")
    expires_at: datetime
