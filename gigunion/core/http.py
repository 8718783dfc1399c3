"""Posting JSON to an outer-edge service (SMS gateway, real-name verification) configured by address."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def post_json(url: str, payload: dict[str, Any], *, token: str, timeout: float) -> Any:
    """POST `payload` as JSON with a bearer token and return the decoded JSON answer (None when empty).

    Raises ValueError for an address that is not http(s) or an answer that is not JSON, OSError when
    the service cannot be reached or answers with an HTTP error.
    """
    if not url.startswith(("https://", "http://")):
        raise ValueError("the service address must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body = response.read()
    return json.loads(body) if body.strip() else None
