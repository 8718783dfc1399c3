"""The API's own refusals, answered by urls.py in the one error shape {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Answer `status` with this code, message, details and extra headers (e.g. Retry-After)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


class PayloadTooLarge(ApiError):
    """More items, or more bytes, than one call may carry (413)."""

    def __init__(self, message: str, *, rows: int = 0) -> None:
        super().__init__(413, "payload_too_large", message)
        self.rows = rows
