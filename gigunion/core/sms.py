"""Text messages (SMS) through a pluggable gateway: the outer edge of the system.

settings.SMS_BACKEND names the backend:
- "console" (default): the message is written to the log, for development and the demo;
- "file": one JSON line per message appended to settings.SMS_FILE_PATH;
- "memory": kept in `outbox` (the test suite reads it, like Django's locmem e-mail backend);
- "http": POSTed as JSON {"phone", "message", "sign"} to settings.SMS_HTTP_URL with the bearer
  token settings.SMS_HTTP_TOKEN; a gateway adapter (阿里云/腾讯云 …) sits behind that URL;
- or the dotted path of a class with `send(phone, message)`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gigunion.core.http import post_json
from gigunion.core.masking import mask_phone

logger = logging.getLogger("gigunion.sms")


class SmsError(Exception):
    """The gateway did not accept the message."""


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


@dataclass(frozen=True)
class SentMessage:
    phone: str
    message: str


outbox: list[SentMessage] = []


class ConsoleBackend:
    def send(self, phone: str, message: str) -> None:
        # The demo's codes must be readable here; the number stays masked in the log.
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class MemoryBackend:
    def send(self, phone: str, message: str) -> None:
        outbox.append(SentMessage(phone=phone, message=message))


class FileBackend:
    def send(self, phone: str, message: str) -> None:
        line = json.dumps({"at": datetime.now(UTC).isoformat(), "phone": phone, "message": message}, ensure_ascii=False)
        with open(settings.SMS_FILE_PATH, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


class HttpBackend:
    def send(self, phone: str, message: str) -> None:
        try:
            post_json(
                settings.SMS_HTTP_URL,
                {"phone": phone, "message": message, "sign": settings.SMS_SIGN},
                token=settings.SMS_HTTP_TOKEN,
                timeout=settings.SMS_HTTP_TIMEOUT,
            )
        except (OSError, ValueError) as error:
            raise SmsError(f"SMS gateway did not accept the message: {error}") from error


_BACKENDS: dict[str, type[SmsBackend]] = {
    "console": ConsoleBackend,
    "memory": MemoryBackend,
    "file": FileBackend,
    "http": HttpBackend,
}


def sms_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    backend_class = _BACKENDS.get(name) or import_string(name)
    return backend_class()


def sms_send(phone: str, message: str) -> None:
    """Send one message; SmsError when the gateway refuses it."""
    sms_backend().send(phone, f"【{settings.SMS_SIGN}】{message}")
