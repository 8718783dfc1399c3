"""Validators for Chinese identity data: resident ID numbers, credit codes, mobile numbers.

Pure standard library (no Django) so importers, scripts and the mobile API can all share it.
Errors carry a stable ``code``; interface layers translate by code, not by message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = [
    "CreditCodeError",
    "DateError",
    "IdNumberError",
    "IdNumberInfo",
    "PhoneError",
    "credit_code_check_char",
    "id_check_char",
    "is_valid_id_number",
    "normalize_credit_code",
    "normalize_text",
    "parse_credit_code",
    "parse_date",
    "parse_id_number",
    "parse_mobile",
]

# Middle-dot look-alikes typed in ethnic-minority names (e.g. 阿卜杜·热合曼); unify to U+00B7.
_MIDDLE_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·"})

# Excel turns long digit strings into floats: "5.10101199003071E+17" or "510101199003071234.0".
# re.ASCII everywhere: \d must not accept other scripts' digits (e.g. Arabic-Indic) that NFKC keeps.
_EXCEL_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?E[+-]?\d+$", re.IGNORECASE | re.ASCII)
_EXCEL_DOT_ZERO = re.compile(r"^[+-]?\d+\.0+$", re.ASCII)


def _is_excel_number(value: str) -> bool:
    return bool(_EXCEL_SCIENTIFIC.match(value) or _EXCEL_DOT_ZERO.match(value))


def normalize_text(value: str) -> str:
    """NFKC-normalize (full-width to half-width), unify middle dots, strip surrounding whitespace."""
    # Inner characters are kept on purpose: names may legitimately contain them.
    return unicodedata.normalize("NFKC", value).translate(_MIDDLE_DOTS).strip()


# ---------------------------------------------------------------------------
# Resident ID numbers (GB 11643-1999)
# ---------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_FIRST_GENERATION = re.compile(r"^\d{15}$", re.ASCII)
_MIN_BIRTH_DATE = date(1900, 1, 1)
# Province-level codes (GB/T 2260); 71 is Taiwan, 81-83 are HK/Macao/Taiwan residence permits.
_PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82, 83]
)
_PERMIT_PROVINCES = frozenset({81, 82, 83})
# Characters people or spreadsheets insert between digit groups.
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class IdNumberInfo:
    """Facts derived from a valid 18-digit resident ID number."""

    number: str
    region_code: str
    birth_date: date
    sex: Literal["male", "female"]
    is_residence_permit: bool
    warnings: tuple[str, ...]


class IdNumberError(ValueError):
    """Invalid ID number; ``code`` is a stable machine code for translation."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def id_check_char(first17: str) -> str:
    """The GB 11643 MOD 11-2 check character of an ID number's first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def parse_id_number(
    value: str,
    *,
    today: date | None = None,
    region_known: Callable[[str], bool] | None = None,
) -> IdNumberInfo:
    """Validate an 18-digit resident ID number and return what it encodes."""
    # Excel prefixes text cells with an apostrophe; it is not part of the number.
    text = unicodedata.normalize("NFKC", value).strip().removeprefix("'").strip()
    if not text:
        raise IdNumberError("empty", "The ID number is empty.")
    if _is_excel_number(text):
        # Never guess the lost digits: a wrong but valid-looking number is worse than an error.
        raise IdNumberError(
            "excel_number",
            "Excel turned the ID number into a number and digits were lost; re-enter it as text.",
        )
    number = _SEPARATORS.sub("", text).upper()

    if _FIRST_GENERATION.match(number):
        raise IdNumberError(
            "first_generation",
            "First-generation 15-digit ID numbers are not accepted; enter the 18-digit ID number.",
        )
    if len(number) != 18:
        raise IdNumberError("length", f"The ID number must have 18 characters, got {len(number)}.")
    if not _ID_SHAPE.match(number):
        raise IdNumberError("format", "The ID number must be 17 digits followed by a digit or X.")
    if id_check_char(number[:17]) != number[17]:
        raise IdNumberError("checksum", "The ID number's check digit does not match; check for typos.")

    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("birth_date", "The birth date in the ID number is not a real date.") from None
    if birth < _MIN_BIRTH_DATE:
        raise IdNumberError("birth_date", "The birth date in the ID number is before 1900.")
    if birth > (today or date.today()):
        raise IdNumberError("future_birth", "The birth date in the ID number is in the future.")

    province = int(number[:2])
    if province not in _PROVINCES:
        raise IdNumberError("province", "The ID number does not start with a valid province code.")
    is_permit = province in _PERMIT_PROVINCES

    region_code = number[:6]
    warnings: list[str] = []
    # Only a warning: ID numbers keep the region code of the year they were issued,
    # so codes abolished since then are still legitimate.
    if region_known is not None and not is_permit and not region_known(region_code):
        warnings.append("unknown_region")

    return IdNumberInfo(
        number=number,
        region_code=region_code,
        birth_date=birth,
        sex="male" if int(number[16]) % 2 else "female",
        is_residence_permit=is_permit,
        warnings=tuple(warnings),
    )


def is_valid_id_number(
    value: str,
    *,
    today: date | None = None,
    region_known: Callable[[str], bool] | None = None,
) -> bool:
    """Return True if ``parse_id_number`` accepts the value (warnings do not count)."""
    try:
        parse_id_number(value, today=today, region_known=region_known)
    except IdNumberError:
        return False
    return True


# ---------------------------------------------------------------------------
# Unified social credit codes (GB 32100-2015)
# ---------------------------------------------------------------------------

# I, O, Z, S, V are excluded by the standard to avoid confusion with 1, 0, 2, 5, U.
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(rf"^[{_CREDIT_CHARSET}]{{2}}\d{{6}}[{_CREDIT_CHARSET}]{{10}}$", re.ASCII)


class CreditCodeError(ValueError):
    """Invalid unified social credit code; ``code`` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize_credit_code(value: str) -> str:
    """NFKC, strip, drop spaces and hyphens, uppercase."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character of a code's first 17 characters (all from the code's charset)."""
    total = sum(_CREDIT_CHARSET.index(char) * weight for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARSET[(31 - total % 31) % 31]


def parse_credit_code(value: str) -> str:
    """Validate a unified social credit code and return it normalized."""
    code = normalize_credit_code(value)
    if not code:
        raise CreditCodeError("empty", "The unified social credit code is empty.")
    if len(code) != 18:
        raise CreditCodeError("length", f"The unified social credit code must have 18 characters, got {len(code)}.")
    if not _CREDIT_SHAPE.match(code):
        raise CreditCodeError(
            "format",
            "The unified social credit code contains invalid characters (letters I, O, Z, S, V are never used).",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise CreditCodeError("checksum", "The unified social credit code's check character does not match.")
    return code


# ---------------------------------------------------------------------------
# Mainland mobile numbers
# ---------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_ELEVEN_DIGITS = re.compile(r"^\d{11}$", re.ASCII)


class PhoneError(ValueError):
    """Invalid mobile number; ``code`` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_mobile(value: str) -> str:
    """Validate a mainland China mobile number and return its 11 digits."""
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise PhoneError("empty", "The mobile number is empty.")
    if _is_excel_number(text):
        raise PhoneError("format", "Excel changed the mobile number into a number; re-enter it as text.")
    digits = _PHONE_SEPARATORS.sub("", text)
    # Only drop a country prefix when it leaves exactly 11 digits, so "86..." numbers are never mangled.
    for prefix in ("+86", "0086", "86"):
        rest = digits.removeprefix(prefix)
        if rest != digits and _ELEVEN_DIGITS.match(rest):
            digits = rest
            break
    if not _MOBILE.match(digits):
        raise PhoneError("format", "The mobile number must be 11 digits starting with 13-19.")
    return digits


class DateError(ValueError):
    """A date that cannot be read; ``code`` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", re.ASCII)
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, given its 1900 leap-year bug
_EXCEL_SERIALS = range(10_000, 80_000)  # 1927 .. 2119: plausible serial numbers only


def parse_date(value: str) -> date:
    """A date as staff type it: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, or an Excel serial number."""
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise DateError("empty", "The date is empty.")
    if text.isdigit() and len(text) == 5 and int(text) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    match = _DATE.match(text)
    if match is None:
        raise DateError("format", "Write the date as YYYY-MM-DD.")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise DateError("range", "This date does not exist.") from None
