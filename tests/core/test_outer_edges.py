"""The pluggable outer edges against a real HTTP server on loopback: the SMS gateway and real-name checks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from gigunion.core.exceptions import DomainError
from gigunion.core.sms import SmsError, sms_send
from gigunion.members.checks import WorkerInputError
from gigunion.members.models import JoinSource, Person
from gigunion.members.services import member_join
from tests.people import id_with_check, worker


class Service:
    """A loopback HTTP service that records what it was sent and answers with `answer`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.answer: tuple[int, bytes] = (200, b'{"ok": true}')
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.requests.append((self.headers["Authorization"], json.loads(body)))
                status, payload = service.answer
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"


@pytest.fixture
def service() -> Iterator[Service]:
    running = Service()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


def test_the_http_sms_backend_posts_the_signed_message(service: Service, settings: Any) -> None:
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = service.url
    settings.SMS_HTTP_TOKEN = "gateway-token"
    sms_send("13885001234", "您的验证码是123456")
    assert service.requests == [
        (
            "Bearer gateway-token",
            {"phone": "13885001234", "message": "【工会服务】您的验证码是123456", "sign": "工会服务"},
        )
    ]


def test_a_refusing_or_missing_gateway_is_an_sms_error(service: Service, settings: Any) -> None:
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = service.url
    service.answer = (503, b"{}")
    with pytest.raises(SmsError):
        sms_send("13885001234", "x")
    settings.SMS_HTTP_URL = "file:///etc/passwd"
    with pytest.raises(SmsError):
        sms_send("13885001234", "x")


def test_the_file_sms_backend_appends_json_lines(settings: Any, tmp_path: Path) -> None:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    sms_send("13885001234", "一")
    sms_send("13985005678", "二")
    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["phone"], line["message"]) for line in lines] == [
        ("13885001234", "【工会服务】一"),
        ("13985005678", "【工会服务】二"),
    ]


@pytest.mark.django_db
def test_the_http_identity_backend_decides_the_real_name_check(service: Service, settings: Any, members: Any) -> None:
    settings.IDENTITY_BACKEND = "http"
    settings.IDENTITY_HTTP_URL = service.url
    settings.IDENTITY_HTTP_TOKEN = "id-token"
    service.answer = (200, b'{"match": false}')
    with translation.override("en"), pytest.raises(WorkerInputError) as raised:
        member_join(data=worker(), source=JoinSource.QR, phone_verified=True)
    assert raised.value.errors == {"name": "The name and the ID number do not belong together."}
    assert service.requests == [("Bearer id-token", {"name": "刘洋", "id_number": worker().id_number})]

    service.answer = (200, b'{"match": true}')
    outcome = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)
    assert outcome.status == "joined"
    assert Person.objects.get(name="刘洋").verified_by == "http"

    settings.IDENTITY_HTTP_URL = "http://127.0.0.1:9/unreachable"
    with translation.override("en"), pytest.raises(DomainError) as unavailable:
        member_join(
            data=worker(name="王芳", id_number=id_with_check("52010219990101046"), phone="13700000009"),
            source=JoinSource.QR,
            phone_verified=True,
        )
    assert unavailable.value.code == "identity_unavailable"
