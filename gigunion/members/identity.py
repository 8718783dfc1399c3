"""Real-name verification (实名认证) behind one interface: the outer edge of the system.

settings.IDENTITY_BACKEND names the backend:
- "offline" (default): what can be checked without a service — the ID number's check character,
  birth date and address code (against every GB/T 2260 code ever issued), and a plausible name;
- "http": POSTs {"name", "id_number"} to settings.IDENTITY_HTTP_URL (an adapter to the public
  security real-name service or a vendor sits there) and expects {"match": true|false};
- or the dotted path of a class with `verify(name, id_number)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gigunion.core.http import post_json
from gigunion.core.validators import IdNumberInfo, normalize_text

# Han characters, letters and the middle dot of ethnic-minority names (买买提·艾力); 2-30 of them.
_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaffA-Za-z·\s]{2,30}$")


class IdentityUnavailable(Exception):
    """The verification service could not be reached; the worker may try again later."""


@dataclass(frozen=True)
class IdentityCheck:
    ok: bool
    backend: str
    code: str = ""  # why not: "name", "mismatch"


class IdentityBackend(Protocol):
    name: str

    def verify(self, name: str, info: IdNumberInfo) -> IdentityCheck: ...


def normalize_name(value: str) -> str:
    return re.sub(r"\s+", "", normalize_text(value))


def plausible_name(name: str) -> bool:
    return bool(_NAME.match(name)) and not name.startswith("·") and not name.endswith("·")


class OfflineBackend:
    """Checks that need no service. The ID number itself was parsed (check character, birth date,
    address code) before a backend is asked; this adds the name."""

    name = "offline"

    def verify(self, name: str, info: IdNumberInfo) -> IdentityCheck:
        if not plausible_name(name):
            return IdentityCheck(ok=False, backend=self.name, code="name")
        return IdentityCheck(ok=True, backend=self.name)


class HttpBackend:
    name = "http"

    def verify(self, name: str, info: IdNumberInfo) -> IdentityCheck:
        try:
            answer = post_json(
                settings.IDENTITY_HTTP_URL,
                {"name": name, "id_number": info.number},
                token=settings.IDENTITY_HTTP_TOKEN,
                timeout=10,
            )
        except (OSError, ValueError) as error:
            raise IdentityUnavailable(str(error)) from error
        match = isinstance(answer, dict) and answer.get("match") is True
        return IdentityCheck(ok=match, backend=self.name, code="" if match else "mismatch")


_BACKENDS: dict[str, type[IdentityBackend]] = {"offline": OfflineBackend, "http": HttpBackend}


def identity_backend() -> IdentityBackend:
    name = settings.IDENTITY_BACKEND
    backend_class = _BACKENDS.get(name) or import_string(name)
    return backend_class()
