"""The worker's session on the mobile pages: who is logged in (by phone and SMS code), which phone is proven.

A worker is not a Django user: the session holds the Person's key and the blind index of the phone
it was proven with, so a changed phone number on the record ends the session.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

from gigunion.members.models import Person
from gigunion.orgs.services import phone_blind_index

PERSON_KEY = "mobile_person"
PERSON_PHONE_KEY = "mobile_person_phone"
# A phone proven by an SMS code on the join page, kept while the code would have been valid, so a
# join refused for another reason (a name that does not match) can be sent again without a new code.
VERIFIED_PHONE_KEY = "mobile_join_phone"


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def worker_log_in(request: HttpRequest, person: Person) -> None:
    """Log the worker in: a new session key (no fixation), the person and the phone it was proven with."""
    request.session.cycle_key()
    request.session[PERSON_KEY] = person.pk
    request.session[PERSON_PHONE_KEY] = person.phone_index


def worker_log_out(request: HttpRequest) -> None:
    request.session.pop(PERSON_KEY, None)
    request.session.pop(PERSON_PHONE_KEY, None)
    request.session.pop(VERIFIED_PHONE_KEY, None)
    request.session.cycle_key()


def current_worker(request: HttpRequest) -> Person | None:
    """The logged-in worker; None when nobody is, or the record's phone has changed since."""
    person_id = request.session.get(PERSON_KEY)
    if not isinstance(person_id, int):
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not person.phone_index or person.phone_index != request.session.get(PERSON_PHONE_KEY):
        request.session.pop(PERSON_KEY, None)
        request.session.pop(PERSON_PHONE_KEY, None)
        return None
    return person


def phone_proven_remember(request: HttpRequest, phone: str) -> None:
    request.session[VERIFIED_PHONE_KEY] = {
        "index": phone_blind_index(phone),
        "until": time.time() + settings.SMS_CODE_MINUTES * 60,
    }


def phone_proven(request: HttpRequest, phone: str) -> bool:
    """True when this phone was proven by a code in this session, recently."""
    proven = request.session.get(VERIFIED_PHONE_KEY)
    if not phone or not isinstance(proven, dict):
        return False
    return proven.get("index") == phone_blind_index(phone) and float(proven.get("until", 0)) > time.time()


def phone_proven_forget(request: HttpRequest) -> None:
    request.session.pop(VERIFIED_PHONE_KEY, None)
