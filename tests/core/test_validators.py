"""Tests for gigunion.core.validators (pure Python, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from gigunion.core.validators import (
    CreditCodeError,
    IdNumberError,
    IdNumberInfo,
    PhoneError,
    is_valid_id_number,
    normalize_credit_code,
    normalize_text,
    parse_credit_code,
    parse_id_number,
    parse_mobile,
)

TODAY = date(2026, 11, 23)


def with_check(first17: str) -> str:
    """Append the GB 11643 MOD 11-2 check character (independent re-implementation for the tests)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def credit_with_check(first17: str) -> str:
    """Append the GB 32100 check character (independent re-implementation for the tests)."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(charset.index(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + charset[(31 - total % 31) % 31]


def full_width(text: str) -> str:
    """Convert ASCII to its full-width forms, as typed by a Chinese IME (built here to keep the source ASCII)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


def id_error_code(value: str, **kwargs: object) -> str:
    with pytest.raises(IdNumberError) as excinfo:
        parse_id_number(value, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert str(excinfo.value)  # every error carries a human-readable message
    return excinfo.value.code


# --- normalize_text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (full_width("123ABC "), "123ABC"),
        ("\uff11\uff12\uff13\uff21\uff22\uff23\u3000", "123ABC"),  # literal full-width
        ("  张三\t", "张三"),
        ("阿卜杜•热合曼", "阿卜杜·热合曼"),
        ("阿卜杜・热合曼", "阿卜杜·热合曼"),
        ("阿卜杜‧热合曼", "阿卜杜·热合曼"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        (" Zhang  San ", "Zhang  San"),  # inner spaces are kept
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# --- ID numbers: helper sanity ---------------------------------------------


def test_with_check_matches_hand_computed_values() -> None:
    # Hand-computed: sum of digit*weight = 130 -> 130 % 11 = 9 -> "3".
    assert with_check("11010520000229001") == "110105200002290013"
    # Hand-computed: sum = 146 -> 146 % 11 = 3 -> "9".
    assert with_check("81000019900101001") == "810000199001010019"
    # GB 11643-1999 published example: remainder 2 -> "X".
    assert with_check("11010519491231002") == "11010519491231002X"


# --- ID numbers: valid ------------------------------------------------------


def test_gb_example_number() -> None:
    info = parse_id_number("11010519491231002X", today=TODAY)
    assert info == IdNumberInfo(
        number="11010519491231002X",
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sex="female",
        is_residence_permit=False,
        warnings=(),
    )


def test_lowercase_x_is_uppercased() -> None:
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_full_width_helper() -> None:
    assert full_width("1X ") == "\uff11\uff38\u3000"


def test_full_width_digits() -> None:
    info = parse_id_number(full_width("11010519491231002X"), today=TODAY)
    assert info.number == "11010519491231002X"
    assert info.birth_date == date(1949, 12, 31)


def test_surrounding_spaces_and_excel_apostrophe() -> None:
    assert parse_id_number("  '11010519491231002X  ", today=TODAY).number == "11010519491231002X"
    assert parse_id_number("'11010519491231002X", today=TODAY).number == "11010519491231002X"


def test_inner_spaces_and_hyphens_removed() -> None:
    assert parse_id_number("110105 19491231 002X", today=TODAY).number == "11010519491231002X"
    assert parse_id_number("110105-19491231-002X", today=TODAY).number == "11010519491231002X"


def test_sex_from_17th_digit() -> None:
    male = parse_id_number(with_check("11010519900101001"), today=TODAY)  # 17th digit 1 -> odd
    female = parse_id_number(with_check("11010519900101002"), today=TODAY)  # 17th digit 2 -> even
    assert male.sex == "male"
    assert female.sex == "female"


def test_leap_day_2000_valid() -> None:
    info = parse_id_number("110105200002290013", today=TODAY)
    assert info.birth_date == date(2000, 2, 29)
    assert info.sex == "male"


def test_birth_on_today_is_valid() -> None:
    assert parse_id_number(with_check("11010520261123001"), today=TODAY).birth_date == TODAY


def test_birth_1900_01_01_is_valid() -> None:
    assert parse_id_number(with_check("11010519000101001"), today=TODAY).birth_date == date(1900, 1, 1)


def test_hong_kong_residence_permit() -> None:
    info = parse_id_number("810000199001010019", today=TODAY)
    assert info.is_residence_permit is True
    assert info.region_code == "810000"
    assert info.birth_date == date(1990, 1, 1)
    assert info.sex == "male"


def test_taiwan_residence_permit() -> None:
    info = parse_id_number(with_check("83000019851120002"), today=TODAY)
    assert info.number == "830000198511200022"
    assert info.is_residence_permit is True
    assert info.region_code == "830000"
    assert info.sex == "female"


def test_macao_residence_permit() -> None:
    assert parse_id_number(with_check("82000019950615003"), today=TODAY).is_residence_permit is True


def test_default_today_is_used() -> None:
    assert parse_id_number("11010519491231002X").birth_date == date(1949, 12, 31)


# --- ID numbers: region warning -------------------------------------------


def test_unknown_region_is_a_warning_not_an_error() -> None:
    seen: list[str] = []

    def region_known(code: str) -> bool:
        seen.append(code)
        return False

    info = parse_id_number("11010519491231002X", today=TODAY, region_known=region_known)
    assert info.warnings == ("unknown_region",)
    assert seen == ["110105"]


def test_known_region_no_warning() -> None:
    info = parse_id_number("11010519491231002X", today=TODAY, region_known=lambda code: True)
    assert info.warnings == ()


def test_region_not_checked_for_residence_permits() -> None:
    info = parse_id_number("810000199001010019", today=TODAY, region_known=lambda code: False)
    assert info.warnings == ()


def test_abolished_region_code_only_warns() -> None:
    # 110103 (former Chongwen district, merged 2010) still appears on older IDs; the caller's
    # lookup decides it is unknown, and the number stays valid.
    current_codes = {"110101", "110105"}
    info = parse_id_number(with_check("11010319800101001"), today=TODAY, region_known=current_codes.__contains__)
    assert info.region_code == "110103"
    assert info.warnings == ("unknown_region",)


# --- ID numbers: errors ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("'", "empty"),
        ("5.10101199003071E+17", "excel_number"),
        ("5.10101199003071e+17", "excel_number"),
        ("5.10101E17", "excel_number"),
        ("-5.10101E+17", "excel_number"),
        ("510101199003071234.0", "excel_number"),
        ("'5.10101199003071E+17", "excel_number"),
        ("110105491231002", "first_generation"),
        ("11010519491231002", "length"),  # 17 characters
        ("11010519491231002X1", "length"),
        ("1101051949123A002X", "format"),  # letter inside
        ("11010519491231002Y", "format"),
        ("1101051949123100", "length"),
        ("110105194912310021", "checksum"),  # correct check char is X
        ("110105200002290014", "checksum"),
    ],
)
def test_id_number_errors(value: str, code: str) -> None:
    assert id_error_code(value) == code


@pytest.mark.parametrize(
    "first17",
    [
        "11010519000229001",  # 1900 is not a leap year
        "11010520230229001",  # 2023 is not a leap year
        "11010520000230001",  # Feb 30
        "11010519901301001",  # month 13
        "11010519900100001",  # day 0
        "11010518991231001",  # before 1900
    ],
)
def test_invalid_birth_date(first17: str) -> None:
    assert id_error_code(with_check(first17)) == "birth_date"


def test_future_birth_date() -> None:
    assert id_error_code(with_check("11010520270101001")) == "future_birth"
    assert id_error_code(with_check("11010520261124001")) == "future_birth"  # tomorrow


@pytest.mark.parametrize("prefix", ["99", "00", "10", "16", "72", "84", "91"])
def test_invalid_province(prefix: str) -> None:
    assert id_error_code(with_check(prefix + "010519900101001")) == "province"


def test_error_is_value_error_with_message() -> None:
    with pytest.raises(ValueError, match="Excel"):
        parse_id_number("5.10101199003071E+17")


def test_is_valid_id_number() -> None:
    assert is_valid_id_number("11010519491231002X") is True
    assert is_valid_id_number("110105194912310021") is False
    assert is_valid_id_number(with_check("11010520270101001"), today=TODAY) is False
    # Warnings do not make a number invalid.
    assert is_valid_id_number("11010519491231002X", region_known=lambda code: False) is True


# --- Unified social credit codes ---------------------------------------------


def test_credit_helper_matches_known_codes() -> None:
    assert credit_with_check("91350100M000100Y4") == "91350100M000100Y43"
    assert credit_with_check("91110000600037341") == "91110000600037341L"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("91110000600037341L", "91110000600037341L"),
        ("91110000600037341l", "91110000600037341L"),  # lowercase
        (full_width("91350100M000100Y43"), "91350100M000100Y43"),
        (" 9135 0100-M000 100Y43 ", "91350100M000100Y43"),
        (credit_with_check("12100000400000000"), credit_with_check("12100000400000000")),
    ],
)
def test_valid_credit_codes(raw: str, expected: str) -> None:
    assert parse_credit_code(raw) == expected


def test_normalize_credit_code() -> None:
    assert normalize_credit_code(" " + full_width("9135") + "-0100 m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        (" - ", "empty"),
        ("91110108MA01KXXX", "length"),  # 16 characters
        ("91350100M000100Y433", "length"),
        ("91350100I000100Y43", "format"),  # I is never used
        ("91350100O000100Y43", "format"),  # O is never used
        ("91350100M000100Y4Z", "format"),
        ("913501A0M000100Y43", "format"),  # region code must be digits
        ("I1350100M000100Y43", "format"),  # registration authority outside charset
        ("91350100M000100Y44", "checksum"),
        ("91110000600037341M", "checksum"),
    ],
)
def test_credit_code_errors(value: str, code: str) -> None:
    with pytest.raises(CreditCodeError) as excinfo:
        parse_credit_code(value)
    assert excinfo.value.code == code


# --- Mobile numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("(+86) 138 0013 8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        (full_width("138 0013 8000"), "13800138000"),
        (" 199-1234-5678 ", "19912345678"),
    ],
)
def test_valid_mobile(raw: str, expected: str) -> None:
    assert parse_mobile(raw) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("  ", "empty"),
        ("12800138000", "format"),  # second digit must be 3-9
        ("1.38001E+10", "format"),  # Excel scientific notation
        ("13800138000.0", "format"),
        ("1380013800", "format"),  # 10 digits
        ("138001380001", "format"),  # 12 digits
        ("+8612800138000", "format"),
        ("010-12345678", "format"),  # landline
        ("1380013800O", "format"),  # letter O instead of zero
    ],
)
def test_mobile_errors(value: str, code: str) -> None:
    with pytest.raises(PhoneError) as excinfo:
        parse_mobile(value)
    assert excinfo.value.code == code


def test_excel_mobile_message_mentions_excel() -> None:
    with pytest.raises(PhoneError, match="Excel"):
        parse_mobile("1.38001E+10")
