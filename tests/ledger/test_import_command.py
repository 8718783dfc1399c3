"""import_roster (FORMATS.md, 用工人员名册): the command's contract — counts line, --errors, exit codes, sources."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gigunion.ledger.management.commands.import_roster import Command
from gigunion.ledger.models import RosterBatch, Sighting, Source, SourceKind, Worker, worker_key
from gigunion.members.selectors import id_number_index
from tests.conftest import Cast
from tests.people import id_with_check

pytestmark = pytest.mark.django_db

HEADERS = "姓名,身份证号,手机号,职业,平台,平台工号,用工单位,用工单位统一社会信用代码,工作地区划代码,在岗"
A = id_with_check("52010219900307101")
B = id_with_check("52010319850611202")
C = id_with_check("52011119921201303")
BAD_CHECK = B[:-1] + ("0" if B[-1] != "0" else "1")

BODY = [
    f"王小明,{A},13985101001,网约送餐员,美团,MT001,,,520102,是",  # row 2
    f"李娟,{BAD_CHECK},13985101002,快递员,,,,,520103,是",  # row 3: wrong check character
    "张伟,5.10101199003071E+17,123,厨师,,,,,520111,是",  # row 4: four problems
    f"买买提·艾力,{C},,货车司机,,,,,520111,否",  # row 5
    f"王小明,{A},13985101001,网约送餐员,美团,MT001,,,520102,是",  # row 6: row 2 again
]
EXPECTED_ERRORS = [
    ["row", "column", "message"],
    ["3", "身份证号", "The ID number's last character does not match; check it for typos."],
    ["4", "身份证号", "Excel turned the ID number into a number and digits were lost; enter it as text."],
    ["4", "手机号", "A mobile number has 11 digits and begins with 13 to 19."],
    ["4", "职业", "Choose an occupation from the list."],
    ["6", "身份证号", "The same ID number is already on row 2."],
]


def write(tmp_path: Path, *lines: str, name: str = "名册.csv", encoding: str = "gbk") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([HEADERS, *lines]) + "\n").encode(encoding))
    return path


def run(path: Path, *arguments: str) -> str:
    out = StringIO()
    call_command("import_roster", str(path), *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def read_errors(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def worker(id_number: str) -> Worker:
    return Worker.objects.get(pk=worker_key(id_number_index(id_number)))


def test_it_imports_reports_each_rejected_cell_and_changes_nothing_the_second_time(cast: Cast, tmp_path: Path) -> None:
    path, errors = write(tmp_path, *BODY), tmp_path / "rejected.csv"
    arguments = ["--source", "贵阳市交通运输局", "--kind", "department", "--as-of", "2026-01-31", "--errors"]

    assert run(path, *arguments, str(errors)).strip() == "imported 2, updated 0, unchanged 0, rejected 3"
    assert read_errors(errors) == EXPECTED_ERRORS

    source = Source.objects.get()
    assert (source.name, source.kind) == ("贵阳市交通运输局", SourceKind.DEPARTMENT)
    wang = worker(A)
    assert (wang.name, wang.phone, wang.work_region_id, wang.first_seen) == (
        "王小明",
        "13985101001",
        "520102",
        date(2026, 1, 31),
    )
    assert (worker(C).name, worker(C).active) == ("买买提·艾力", False)
    assert set(Sighting.objects.values_list("source__name", flat=True)) == {"贵阳市交通运输局"}
    snapshot = list(Worker.objects.values_list("pk", "phone_digest", "updated_at", "last_seen"))

    # The same file again, with the source found by name (its kind stays): nothing changes.
    assert run(path, "--source", "贵阳市交通运输局", "--as-of", "2026-01-31", "--errors", str(errors)).strip() == (
        "imported 0, updated 0, unchanged 2, rejected 3"
    )
    assert read_errors(errors) == EXPECTED_ERRORS
    assert list(Worker.objects.values_list("pk", "phone_digest", "updated_at", "last_seen")) == snapshot
    assert Source.objects.get().kind == SourceKind.DEPARTMENT
    assert Sighting.objects.count() == 2
    assert list(RosterBatch.objects.values_list("imported", "unchanged", "rejected", "filename")) == [
        (0, 2, 3, "名册.csv"),
        (2, 0, 3, "名册.csv"),
    ]


def test_each_source_sees_the_same_people_once_and_a_platforms_name_finds_its_source(
    platforms: object, tmp_path: Path
) -> None:
    path = write(tmp_path, BODY[0], BODY[3], encoding="utf-8")
    assert (
        run(path, "--source", "摸底调查2026", "--kind", "survey")
        .strip()
        .endswith("imported 2, updated 0, unchanged 0, rejected 0")
    )
    # Another source listing the same people: new sightings, not new workers.
    assert run(path, "--source", "满帮").strip() == "imported 2, updated 0, unchanged 0, rejected 0"
    assert Worker.objects.count() == 2
    manbang = Source.objects.get(name="满帮")
    assert (manbang.kind, manbang.platform is not None) == (SourceKind.PLATFORM, True)
    assert Source.objects.get(name="摸底调查2026").kind == SourceKind.SURVEY
    assert Sighting.objects.filter(source=manbang).count() == 2
    assert Source.objects.count() == 2


def test_the_date_defaults_to_today_and_the_rows_keep_no_errors_file_when_not_asked(cast: Cast, tmp_path: Path) -> None:
    output = run(write(tmp_path, BODY[0]), "--source", "survey")
    assert output.strip() == "imported 1, updated 0, unchanged 0, rejected 0"
    assert worker(A).last_seen == timezone.localdate()
    assert RosterBatch.objects.get().as_of == timezone.localdate()


def test_it_exits_non_zero_only_when_the_file_cannot_be_read_and_then_writes_nothing(
    cast: Cast, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_roster", str(tmp_path / "missing.csv"), "--source", "新来源")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=r"broken\.xlsx"):
        call_command("import_roster", str(broken), "--source", "新来源")
    headless = tmp_path / "headless.csv"
    headless.write_bytes(f"姓名,身份证号\n张三,{A}\n".encode("gbk"))
    with pytest.raises(CommandError) as missing_columns:
        call_command("import_roster", str(headless), "--source", "新来源")
    assert str(missing_columns.value) == f"{headless}: Required columns are missing: 职业, 工作地区划代码."
    # Nothing was written, not even the new source.
    assert (Source.objects.count(), Worker.objects.count(), RosterBatch.objects.count()) == (0, 0, 0)


def test_the_options_are_checked(cast: Cast, tmp_path: Path) -> None:
    path = write(tmp_path, BODY[0])
    with pytest.raises(CommandError, match="source"):
        call_command("import_roster", str(path))
    with pytest.raises(CommandError, match="Name the source of the roster"):
        call_command("import_roster", str(path), "--source", "   ")
    with pytest.raises(CommandError, match="kind"):
        call_command("import_roster", str(path), "--source", "x", "--kind", "robot")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_roster", str(path), "--source", "x", "--as-of", "31/01/2026")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="future"):
        call_command("import_roster", str(path), "--source", "x", "--as-of", tomorrow)
    assert (Source.objects.count(), Worker.objects.count()) == (0, 0)


def test_a_terminal_sees_a_progress_bar_before_the_counts(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Command, "_interactive", lambda self: True)
    output = run(write(tmp_path, BODY[0], BODY[3]), "--source", "survey")
    assert "\r[##############################] 2/2" in output
    assert output.splitlines()[-1] == "imported 2, updated 0, unchanged 0, rejected 0"
