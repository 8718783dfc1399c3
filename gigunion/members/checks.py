"""Checking what a worker, a platform or a spreadsheet says about a person, with one message per field.

Shared by the join page, the one-tap token, the member import and (later) the roster import, so
every invalid ID number, phone, occupation or region reads the same everywhere, in Chinese or English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gigunion.core.exceptions import DomainError
from gigunion.core.occupations import Occupation, occupation_from_text
from gigunion.core.validators import (
    CreditCodeError,
    IdNumberError,
    IdNumberInfo,
    PhoneError,
    normalize_text,
    parse_credit_code,
    parse_id_number,
    parse_mobile,
)
from gigunion.enterprises.models import Enterprise
from gigunion.members.identity import normalize_name, plausible_name
from gigunion.members.models import JOIN_PLACE_NAMES, JoinPlace
from gigunion.regions.models import Region
from gigunion.regions.selectors import current_region_codes, division_code_is_known, known_division_codes

ID_NUMBER_MESSAGES: dict[str, Promise] = {
    "empty": _("Enter the ID number."),
    "excel_number": _("Excel turned the ID number into a number and digits were lost; enter it as text."),
    "first_generation": _("15-digit ID numbers are no longer accepted; enter the 18-digit ID number."),
    "length": _("An ID number has 18 characters."),
    "format": _("An ID number is 17 digits followed by a digit or X."),
    "checksum": _("The ID number's last character does not match; check it for typos."),
    "birth_date": _("The birth date in the ID number is not a real date."),
    "future_birth": _("The birth date in the ID number is in the future."),
    "province": _("The ID number does not begin with a province code."),
    "unknown_region": _("The first six digits of the ID number are not a region code that was ever issued."),
}
PHONE_MESSAGES: dict[str, Promise] = {
    "empty": _("Enter the mobile number."),
    "format": _("A mobile number has 11 digits and begins with 13 to 19."),
}


@dataclass
class WorkerInput:
    """What someone says about a worker, as text."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    occupation: str = ""
    platform: str = ""
    external_id: str = ""
    employer_name: str = ""
    employer_credit_code: str = ""
    work_region: str = ""
    join_place: str = ""


@dataclass
class CheckedWorker:
    name: str
    id_info: IdNumberInfo
    phone: str
    occupation: Occupation
    platform: str
    external_id: str
    employer: Enterprise | None
    employer_name: str
    work_region: Region
    join_place: JoinPlace


class WorkerInputError(DomainError):
    """One message per field that is wrong (field name → message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), code="invalid_worker")
        self.errors = errors


class Lookups:
    """The reads a check makes, remembered: an import checks thousands of rows against the same few
    regions, address codes and employers. One instance per request or per import."""

    def __init__(self) -> None:
        self._regions: dict[str, Region | None] = {}
        self._known: dict[str, bool] = {}
        self._by_credit_code: dict[str, Enterprise | None] = {}
        self._by_name: dict[tuple[str, str], Enterprise | None] = {}
        self._current_codes: set[str] | None = None  # every current region's code, once loaded

    def load_regions(self) -> None:
        """Read every current region code and every address code ever issued at once: afterwards
        region_code() and code_known() answer without a query (a checker that runs where the database
        cannot be reached, core.forked). About 50,000 codes: for a big import, not for a form."""
        self._current_codes = set(current_region_codes())
        self._known = dict.fromkeys(known_division_codes(), True)

    def region(self, code: str) -> Region | None:
        if code not in self._regions:
            self._regions[code] = region_for_code(code)
        return self._regions[code]

    def region_code(self, code: str) -> str | None:
        """The code of the current region `code` names (as region() finds it), or None."""
        if self._current_codes is not None:
            code = code.strip()
            return code if code in self._current_codes else None
        region = self.region(code)
        return region.code if region is not None else None

    def code_known(self, code: str) -> bool:
        if code not in self._known:
            if self._current_codes is not None:
                return False
            self._known[code] = division_code_is_known(code)
        return self._known[code]

    def employer_by_credit_code(self, credit_code: str) -> Enterprise | None:
        if credit_code not in self._by_credit_code:
            self._by_credit_code[credit_code] = Enterprise.objects.filter(credit_code=credit_code).first()
        return self._by_credit_code[credit_code]

    def employer_by_name(self, name: str, city_prefix: str) -> Enterprise | None:
        """The one enterprise of this exact name in the city; None when there is none or several."""
        key = (name, city_prefix)
        if key not in self._by_name:
            matches = list(Enterprise.objects.filter(name=name, region__code__startswith=city_prefix)[:2])
            self._by_name[key] = matches[0] if len(matches) == 1 else None
        return self._by_name[key]


def id_number_error(
    value: str, *, today: date | None = None, lookups: Lookups | None = None
) -> tuple[IdNumberInfo | None, str]:
    """The parsed ID number, or the message saying what is wrong with it."""
    known = lookups.code_known if lookups is not None else division_code_is_known
    try:
        info = parse_id_number(value, today=today, region_known=known)
    except IdNumberError as error:
        return None, str(ID_NUMBER_MESSAGES.get(error.code, ID_NUMBER_MESSAGES["format"]))
    if "unknown_region" in info.warnings:
        return None, str(ID_NUMBER_MESSAGES["unknown_region"])
    return info, ""


def phone_error(value: str, *, required: bool) -> tuple[str, str]:
    if not value.strip() and not required:
        return "", ""
    try:
        return parse_mobile(value), ""
    except PhoneError as error:
        return "", str(PHONE_MESSAGES.get(error.code, PHONE_MESSAGES["format"]))


def region_for_code(code: str) -> Region | None:
    code = code.strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        return None
    return Region.objects.filter(code=code, is_current=True).first()


def worker_check(
    data: WorkerInput, *, phone_required: bool = True, today: date | None = None, lookups: Lookups | None = None
) -> CheckedWorker:
    """Check every field; WorkerInputError with a message for each wrong one."""
    lookups = lookups or Lookups()
    errors: dict[str, str] = {}
    name = normalize_name(data.name)
    if not name:
        errors["name"] = str(_("Enter the name as on the ID card."))
    elif not plausible_name(name):
        errors["name"] = str(_("A name is 2 to 30 Chinese characters or letters (· allowed)."))
    info, message = id_number_error(data.id_number, today=today, lookups=lookups)
    if message:
        errors["id_number"] = message
    phone, message = phone_error(data.phone, required=phone_required)
    if message:
        errors["phone"] = message
    occupation = occupation_from_text(normalize_text(data.occupation))
    if occupation is None:
        errors["occupation"] = str(_("Choose an occupation from the list."))
    region = lookups.region(normalize_text(data.work_region).strip())
    if region is None:
        errors["work_region"] = str(_("Choose where you work: a current 6, 9 or 12-digit region code."))
    employer: Enterprise | None = None
    credit_text = normalize_text(data.employer_credit_code)
    if credit_text:
        try:
            credit_code = parse_credit_code(credit_text)
        except CreditCodeError:
            errors["employer_credit_code"] = str(
                _("The employer's unified social credit code is not valid (18 characters, GB 32100).")
            )
        else:
            employer = lookups.employer_by_credit_code(credit_code)
    employer_name = normalize_text(data.employer_name)[:128]
    if employer is None and employer_name and region is not None:
        # An exact name in the work region: the worker rarely knows the employer's code.
        employer = lookups.employer_by_name(employer_name, region.code[:4])
    place_text = normalize_text(data.join_place)
    join_place = JOIN_PLACE_NAMES.get(place_text) or (JoinPlace(place_text) if place_text in JoinPlace.values else None)
    if place_text and join_place is None:
        errors["join_place"] = str(_("Joined at is 工作地 (workplace) or 输出地 (origin)."))
    if errors:
        raise WorkerInputError(errors)
    assert info is not None
    assert occupation is not None
    assert region is not None
    return CheckedWorker(
        name=name,
        id_info=info,
        phone=phone,
        occupation=occupation,
        platform=normalize_text(data.platform)[:64],
        external_id=normalize_text(data.external_id)[:64],
        employer=employer,
        employer_name=employer.name if employer is not None and not employer_name else employer_name,
        work_region=region,
        join_place=join_place or JoinPlace.WORKPLACE,
    )
