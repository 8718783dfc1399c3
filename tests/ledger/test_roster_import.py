"""Roster imports into the worker ledger (清底数): de-duplication, sources, dates, bad input, re-runs."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from gigunion.core.tabular import TabularError
from gigunion.core.validators import credit_code_check_char
from gigunion.enterprises.models import Enterprise
from gigunion.ledger.models import RosterBatch, Sighting, Source, SourceKind, Worker, worker_key
from gigunion.ledger.roster import HEADER, RosterRejected, roster_import, roster_push
from gigunion.ledger.services import source_named
from gigunion.members.selectors import id_number_index
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.people import id_with_check

pytestmark = pytest.mark.django_db

HEADERS = "姓名,身份证号,手机号,职业,平台,平台工号,用工单位,用工单位统一社会信用代码,工作地区划代码,在岗"
A = id_with_check("52010219900307101")
B = id_with_check("52010319850611202")
C = id_with_check("52011119921201303")


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


KUAISONG = credit_code("91520102MA6DKT001")
HUOYUN = credit_code("91520102MA6DKT002")
UNREGISTERED = credit_code("91520102MA6DKT009")


def roster(*lines: str, headers: str = HEADERS) -> bytes:
    return ("\n".join([headers, *lines]) + "\n").encode("utf-8")


def three_workers() -> bytes:
    return roster(
        f"王小明,{A},13985101001,网约送餐员,美团,MT001,,,520102,是",
        f"李娟,{B},13985101002,快递员,,,,,520103,是",
        f"张伟,{C},,货车司机,,,,,520111,否",
    )


def department() -> Source:
    return source_named("贵阳市交通运输局", SourceKind.DEPARTMENT)


def test_an_import_puts_each_person_in_the_ledger_once_with_the_source_and_dates(cast):
    source = source_named("美团", SourceKind.PLATFORM)

    report = roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))

    assert report.summary_line() == "imported 3, updated 0, unchanged 0, rejected 0"
    worker = Worker.objects.get(pk=worker_key(id_number_index(A)))
    assert (worker.name, worker.id_number, worker.phone) == ("王小明", A, "13985101001")
    assert (worker.occupation, worker.work_region_id, worker.active) == ("delivery_rider", "520102", True)
    assert (worker.birth_year, worker.sex, worker.origin_region_code) == (1990, "male", "520102")
    assert (worker.first_seen, worker.last_seen) == (date(2026, 6, 30), date(2026, 6, 30))
    sighting = Sighting.objects.get(worker=worker)
    assert (sighting.source, sighting.platform, sighting.external_id) == (source, "美团", "MT001")
    assert Worker.objects.get(pk=worker_key(id_number_index(C))).active is False
    batch = RosterBatch.objects.get()
    assert (batch.rows, batch.imported, batch.rejected, batch.via) == (3, 3, 0, "file")


def test_id_numbers_and_phones_are_stored_encrypted(cast):
    roster_import(data=three_workers(), filename="r.csv", source=department())

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM ledger_worker")
        stored = cursor.fetchall()
    assert all(id_number.startswith("g2.") for id_number, _phone in stored)
    assert not any(A in id_number or "13985101001" in phone for id_number, phone in stored)


def test_importing_the_same_file_again_changes_nothing(cast):
    source = department()
    roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))
    before = list(Worker.objects.values_list("pk", "phone_digest", "updated_at", "last_seen"))

    report = roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))

    assert report.summary_line() == "imported 0, updated 0, unchanged 3, rejected 0"
    assert list(Worker.objects.values_list("pk", "phone_digest", "updated_at", "last_seen")) == before
    assert Sighting.objects.count() == 3


def test_a_second_source_listing_the_same_people_adds_sightings_not_workers(cast):
    roster_import(data=three_workers(), filename="r.csv", source=department(), as_of=date(2026, 6, 30))

    report = roster_import(
        data=roster(f"王小明,{A},,网约送餐员,美团,MT001,,,520102,是"),
        filename="m.csv",
        source=source_named("美团", SourceKind.PLATFORM),
        as_of=date(2026, 7, 31),
    )

    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 0"
    assert Worker.objects.count() == 3
    worker = Worker.objects.get(pk=worker_key(id_number_index(A)))
    assert worker.phone == "13985101001"  # a blank phone states nothing: the one on record stays
    assert (worker.first_seen, worker.last_seen) == (date(2026, 6, 30), date(2026, 7, 31))
    assert sorted(Sighting.objects.filter(worker=worker).values_list("source__name", flat=True)) == [
        "美团",
        "贵阳市交通运输局",
    ]


def test_a_newer_roster_moves_a_worker_and_an_older_one_changes_nothing_but_first_seen(cast):
    source = department()
    roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))

    moved = roster_import(
        data=roster(f"王小明,{A},13985101009,网约送餐员,,,,,520103,是"),
        filename="r.csv",
        source=source,
        as_of=date(2026, 12, 31),
    )
    older = roster_import(
        data=roster(f"王小明,{A},13985101000,快递员,,,,,520111,否"),
        filename="r.csv",
        source=source,
        as_of=date(2026, 1, 31),
    )

    assert moved.summary_line() == "imported 0, updated 1, unchanged 0, rejected 0"
    assert older.summary_line() == "imported 0, updated 0, unchanged 1, rejected 0"
    worker = Worker.objects.get(pk=worker_key(id_number_index(A)))
    assert (worker.work_region_id, worker.phone, worker.occupation, worker.active) == (
        "520103",
        "13985101009",
        "delivery_rider",
        True,
    )
    assert (worker.first_seen, worker.last_seen) == (date(2026, 1, 31), date(2026, 12, 31))


def test_bad_rows_are_reported_by_row_and_column_and_the_good_ones_taken(cast):
    data = roster(
        f"王小明,{A},13985101001,网约送餐员,美团,MT001,,,520102,是",
        f"李娟,{B[:-1]}{'0' if B[-1] != '0' else '1'},13985101002,快递员,,,,,520103,是",
        "张伟,5.10101199003071E+17,123,厨师,,,,,999999,也许",
        f"王小明,{A},13985101001,网约送餐员,美团,MT002,,,520102,是",
        f",{C},,货车司机,饿了么,MT001,,,520111,是",
    )

    report = roster_import(data=data, filename="r.csv", source=department())

    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 4"
    assert [(error.row, error.column, error.message) for error in report.errors] == [
        (3, HEADER["id_number"], "The ID number's last character does not match; check it for typos."),
        (4, HEADER["id_number"], "Excel turned the ID number into a number and digits were lost; enter it as text."),
        (4, HEADER["phone"], "A mobile number has 11 digits and begins with 13 to 19."),
        (4, HEADER["occupation"], "Choose an occupation from the list."),
        (4, HEADER["work_region"], "This is not a current 6, 9 or 12-digit region code."),
        (4, HEADER["active"], "Write 是 (yes) or 否 (no)."),
        (5, HEADER["id_number"], "The same ID number is already on row 2."),
        (6, HEADER["name"], "This field is required."),
    ]
    assert Worker.objects.count() == 1


def test_a_row_outside_the_importers_jurisdiction_is_rejected(cast):
    report = roster_import(data=three_workers(), filename="r.csv", source=department(), scope_prefix="520102")

    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 2"
    assert {error.message for error in report.errors} == {"This region is outside your jurisdiction."}


def test_a_platform_id_given_to_another_person_in_the_same_source_is_rejected(cast):
    source = department()
    roster_import(data=roster(f"王小明,{A},,网约送餐员,美团,MT001,,,520102,是"), filename="r.csv", source=source)

    report = roster_import(data=roster(f"李娟,{B},,快递员,美团,MT001,,,520103,是"), filename="r.csv", source=source)

    assert [(error.row, error.column, error.message) for error in report.errors] == [
        (2, HEADER["external_id"], "This platform id already belongs to another ID number in this source.")
    ]


def test_gbk_csv_and_xlsx_with_english_headers_are_read(cast):
    gbk = three_workers().decode("utf-8").encode("gbk")
    assert roster_import(data=gbk, filename="r.csv", source=department()).imported == 3

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "id_number", "occupation", "work_region", "active"])
    sheet.append(["李娟", B, "快递员", "520103", "否"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = roster_import(data=buffer.getvalue(), filename="r.xlsx", source=department())
    assert report.summary_line() == "imported 0, updated 1, unchanged 0, rejected 0"
    assert Worker.objects.get(pk=worker_key(id_number_index(B))).active is False


def test_a_file_broken_part_way_leaves_the_ledger_as_it_was(cast):
    source = department()
    roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))
    before = list(Worker.objects.values_list("pk", "occupation", "last_seen"))
    broken = three_workers().replace("快递员".encode(), "外卖骑手".encode()) + b'x,"unterminated\n' + b"\xff\xfe" * 3

    with pytest.raises(TabularError):
        roster_import(data=broken, filename="r.csv", source=source, as_of=date(2026, 12, 31))

    assert list(Worker.objects.values_list("pk", "occupation", "last_seen")) == before
    assert RosterBatch.objects.count() == 1


def test_missing_required_columns_stop_the_file_before_anything_is_written(cast):
    with pytest.raises(TabularError, match="Required columns are missing"):
        roster_import(
            data=roster("王小明,520102", headers="姓名,工作地区划代码"), filename="r.csv", source=department()
        )
    assert Worker.objects.count() == 0


def test_a_pushed_batch_is_all_or_nothing(platforms):
    valid = {
        "name": "王小明",
        "id_number": A,
        "occupation": "delivery_rider",
        "work_region": "520102",
        "external_id": "1",
    }
    outside = {**valid, "id_number": B, "name": "李娟", "work_region": "520303", "external_id": "2"}

    with pytest.raises(RosterRejected) as rejected:
        roster_push(platform=platforms.manbang, rows=[valid, outside])

    assert [(error.row, error.column) for error in rejected.value.errors] == [(1, HEADER["work_region"])]
    assert "贵阳市总工会" in rejected.value.errors[0].message
    assert Worker.objects.count() == 0
    result = roster_push(platform=platforms.manbang, rows=[valid])
    assert result.statuses == {0: "imported"}
    assert Sighting.objects.get().platform == "满帮"
    assert roster_push(platform=platforms.manbang, rows=[valid]).statuses == {0: "unchanged"}


def test_the_same_roster_on_a_later_date_is_unchanged_but_moves_last_seen(cast):
    source = department()
    roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))

    report = roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 12, 31))

    assert report.summary_line() == "imported 0, updated 0, unchanged 3, rejected 0"
    assert set(Worker.objects.values_list("first_seen", "last_seen")) == {(date(2026, 6, 30), date(2026, 12, 31))}
    assert set(Sighting.objects.values_list("first_seen", "last_seen")) == {(date(2026, 6, 30), date(2026, 12, 31))}


def test_an_import_killed_part_way_keeps_its_finished_transactions_and_running_it_again_completes_it(cast, monkeypatch):
    from gigunion.ledger import roster

    source = department()
    monkeypatch.setattr(roster, "CHUNK", 1)
    monkeypatch.setattr(roster, "COMMIT_ROWS", 1)  # a transaction per row (250,000 rows otherwise)
    monkeypatch.setattr(roster, "COMMIT_ROWS_POSTGRESQL", 1)
    write = roster._Writer.write
    calls = []

    def dies_on_the_second_chunk(self, rows, errors):
        calls.append(len(rows))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is stopped part-way
        write(self, rows, errors)

    monkeypatch.setattr(roster._Writer, "write", dies_on_the_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        roster_import(data=three_workers(), filename="r.csv", source=source)
    assert Worker.objects.count() == 1
    assert RosterBatch.objects.count() == 0

    monkeypatch.setattr(roster._Writer, "write", write)
    report = roster_import(data=three_workers(), filename="r.csv", source=source)

    assert report.summary_line() == "imported 2, updated 0, unchanged 1, rejected 0"
    assert Worker.objects.count() == 3


def employers_of_the_cast(cast: Cast) -> tuple[Enterprise, Enterprise]:
    street, other_street = cast.district_street.region, cast.other_street.region
    assert street is not None
    assert other_street is not None
    kuaisong = Enterprise.objects.create(name="南明快送", credit_code=KUAISONG, region=street)
    huoyun = Enterprise.objects.create(name="南明货运", credit_code=HUOYUN, region=street)
    # One name, two employers in 贵阳市: a row naming it alone cannot say which.
    Enterprise.objects.create(name="同名物流", credit_code=credit_code("91520102MA6DKT003"), region=street)
    Enterprise.objects.create(name="同名物流", credit_code=credit_code("91520103MA6DKT004"), region=other_street)
    return kuaisong, huoyun


def employer_rows() -> bytes:
    return roster(
        f"王小明,{A},,网约送餐员,美团,MT001,,{KUAISONG},520102,是",
        f"李娟,{B},,快递员,,,南明货运,,520103,是",
        f"张伟,{C},,货车司机,,,同名物流,,520111,是",
    )


def test_a_row_names_its_employer_by_credit_code_or_by_its_one_registered_name_in_the_city(cast):
    kuaisong, huoyun = employers_of_the_cast(cast)

    report = roster_import(data=employer_rows(), filename="r.csv", source=department())

    assert report.summary_line() == "imported 3, updated 0, unchanged 0, rejected 0"
    assert set(Worker.objects.values_list("name", "employer_id", "employer_name")) == {
        ("王小明", kuaisong.pk, ""),
        ("李娟", huoyun.pk, "南明货运"),
        ("张伟", None, "同名物流"),
    }


def test_the_same_row_again_finds_an_employer_registered_since(cast):
    source = department()
    row = roster(f"王小明,{A},,网约送餐员,美团,MT001,新开快送,{UNREGISTERED},520102,是")
    roster_import(data=row, filename="r.csv", source=source)
    assert Worker.objects.get().employer_id is None

    registered = Enterprise.objects.create(
        name="新开快送", credit_code=UNREGISTERED, region=cast.district_street.region
    )
    report = roster_import(data=row, filename="r.csv", source=source)

    assert report.summary_line() == "imported 0, updated 1, unchanged 0, rejected 0"
    assert Worker.objects.get().employer_id == registered.pk
    assert roster_import(data=row, filename="r.csv", source=source).summary_line() == (
        "imported 0, updated 0, unchanged 1, rejected 0"
    )


def test_a_name_registered_only_in_another_city_names_no_employer(cast: Cast) -> None:
    Enterprise.objects.create(
        name="遵义快运", credit_code=credit_code("91520302MA6DKT005"), region=Region.objects.get(code="520302")
    )

    roster_import(data=roster(f"李娟,{B},,快递员,,,遵义快运,,520103,是"), filename="r.csv", source=department())

    worker = Worker.objects.get()
    assert (worker.employer, worker.employer_name) == (None, "遵义快运")


def test_a_unique_violation_in_a_chunk_is_djangos_integrity_error(cast: Cast) -> None:
    from django.db import IntegrityError, connection, transaction

    from gigunion.ledger.roster import _SIGHTING_COLUMNS, _insert

    source = department()
    roster_import(data=three_workers(), filename="r.csv", source=source)
    worker = Worker.objects.get(pk=worker_key(id_number_index(A)))
    row = (source.pk, worker.pk, "", "", True, "2026-06-30", "2026-06-30", "0123456789abcdef")

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        _insert(cursor, "ledger_sighting", _SIGHTING_COLUMNS, [row])  # (worker, source) is taken: COPY on PostgreSQL
