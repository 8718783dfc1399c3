"""The roster import benchmark (issue 5): a 1,000,000-row 用工人员名册 against a floor and against django-import-export.

Three figures, measured in one run on the same rows:

* ``roster_import_<n>``: ``roster_import`` of the whole file into an empty ledger, against the floor:
  reading the same file with ``csv.reader`` and inserting its rows with one raw ``executemany`` into
  a bare 10-column table (no indexes), in one transaction, through Django's connection (run before
  and after the imports; the faster run counts). Target on SQLite: at most 3x the floor.
* ``roster_reimport_<n>_unchanged``: importing the same file again (every row unchanged), against the floor.
* ``roster_per_row_vs_import_export``: our import's time per row against django-import-export's per
  row, importing a 20,000-row sample of the same file with a default ``ModelResource`` into a plain
  model with the roster's 10 columns. Target: at most 0.05 (20x faster per row).

On PostgreSQL (``make bench`` runs ``bench/run.py --only roster`` under scripts/with-postgres.sh) the
same figures are named with a ``_postgres`` suffix and have no targets.

Rows: ``BENCH_ROSTER_ROWS`` (default 1,000,000); the sample is the file's first
``BENCH_ROSTER_SAMPLE`` rows (default 20,000). ``python -m bench.roster FILE [ROWS]`` writes the file alone.
"""

from __future__ import annotations

import csv
import gc
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from gigunion.core.validators import credit_code_check_char

Result = dict[str, Any]
Figure = Callable[[str, float, str, str, float], Result]

ROWS = int(os.environ.get("BENCH_ROSTER_ROWS", "1000000"))
SAMPLE = int(os.environ.get("BENCH_ROSTER_SAMPLE", "20000"))

# FORMATS.md, 用工人员名册 (the same headers as ROSTER_COLUMNS).
HEADERS = [
    "姓名",
    "身份证号",
    "手机号",
    "职业",
    "平台",
    "平台工号",
    "用工单位",
    "用工单位统一社会信用代码",
    "工作地区划代码",
    "在岗",
]

# 贵阳市's counties: the ID numbers' address codes and the work regions (6-digit, all in the region table).
# 南明区 云岩区 花溪区 乌当区 白云区 观山湖区 开阳县 息烽县 修文县 清镇市
GUIYANG_COUNTIES = ["520102", "520103", "520111", "520112", "520113", "520115", "520121", "520122", "520123", "520181"]
_WORK_WEIGHTS = [18, 20, 10, 6, 6, 14, 3, 2, 3, 5]  # the riders and drivers crowd the central districts

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_BIRTH_FIRST = date(1966, 1, 1)  # born 1966-2005: aged about 20 to 60
_BIRTH_DAYS = 14_600
_SEQUENCES = 1000

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "龙吴石杨罗韦蒙班岑"  # 苗族, 布依族 and 侗族 families are common in 贵州
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华飞鹏辉建国志红玲婷雪梅文斌波宇浩凯鑫鹏成兵林亮德海"
_DOTTED_NAMES = ["买买提·艾力", "阿卜杜·热合曼", "艾尔肯·吐尔逊", "古丽·艾买提", "努尔·买买提"]  # names with "·"
_MOBILE_PREFIXES = [
    *(f"13{digit}" for digit in range(10)),
    *(f"15{digit}" for digit in (0, 1, 2, 3, 5, 6, 7, 8, 9)),
    "166",
    *(f"17{digit}" for digit in (3, 5, 6, 7, 8)),
    *(f"18{digit}" for digit in range(10)),
    *(f"19{digit}" for digit in (1, 3, 5, 8, 9)),
]
# (platform, occupation, platform id prefix, employers, share of rows with an employer, weight)
_KINDS = [
    ("美团", "网约送餐员", "MT", "配送服务有限公司", 1.0, 40),
    ("饿了么", "网约送餐员", "ELM", "蜂鸟配送站", 1.0, 25),
    ("满帮", "货车司机", "MB", "物流有限公司", 0.3, 20),
    ("美团", "网约车司机", "MTDC", "汽车租赁有限公司", 0.8, 8),
    ("", "快递员", "", "快递服务有限公司", 1.0, 7),  # a 邮政管理 list: no platform, an outlet as employer
]
_TRADE_NAMES = "黔筑林城金阳花溪南明云岩乌当白云观山湖清镇开阳息烽修文顺达通运捷安鑫盛泰丰华兴宏远诚信驰骋"
_EMPLOYERS_PER_KIND = 200


def _employer_credit_code(county: str, serial: int) -> str:
    """A valid credit code (GB 32100) from a base-31 serial after 'BR' (the register benchmark uses 'BN')."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    tail = ""
    for _ in range(7):
        serial, digit = divmod(serial, 31)
        tail = charset[digit] + tail
    first17 = f"91{county}BR{tail}"
    return first17 + credit_code_check_char(first17)


def _weighted_sum(digits: str, offset: int) -> int:
    """The part of an ID number's check sum that `digits`, starting at position `offset`, contribute."""
    return sum(int(digit) * weight for digit, weight in zip(digits, _ID_WEIGHTS[offset:], strict=False))


def roster_csv(path: Path, rows: int = ROWS, seed: int = 20240505) -> None:
    """Write a worker roster (FORMATS.md, 用工人员名册) of `rows` distinct people to `path` (UTF-8 CSV).

    Deterministic for a seed. Every ID number is distinct and valid (GB 11643 check character, a
    贵阳 county's address code, a birth date 1966-2005), every phone a distinct mainland mobile, every
    platform id distinct. The pieces are precomputed (partial check sums of each part of the ID number),
    so a million rows take seconds.
    """
    rng = random.Random(seed)
    origins = [(code, _weighted_sum(code, 0)) for code in GUIYANG_COUNTIES]
    births = []
    for day in range(_BIRTH_DAYS):
        text = f"{_BIRTH_FIRST + timedelta(days=day):%Y%m%d}"
        births.append((text, _weighted_sum(text, 6)))
    sequences = [(f"{number:03d}", _weighted_sum(f"{number:03d}", 14)) for number in range(_SEQUENCES)]

    # Distinct people: a sample without replacement of (origin, birth date, sequence) triples.
    people = rng.sample(range(len(origins) * _BIRTH_DAYS * _SEQUENCES), rows)
    phones = rng.sample(range(len(_MOBILE_PREFIXES) * 10**8), rows)
    given = list(_GIVEN) + [first + second for first in _GIVEN for second in _GIVEN]
    surnames = rng.choices(_SURNAMES, k=rows)
    given_names = rng.choices(given, k=rows)
    kinds = rng.choices(range(len(_KINDS)), weights=[kind[-1] for kind in _KINDS], k=rows)
    regions = rng.choices(GUIYANG_COUNTIES, weights=_WORK_WEIGHTS, k=rows)
    picks = [rng.random() for _ in range(rows)]
    employers: list[list[tuple[str, str]]] = []
    for index, (_platform, _occupation, _prefix, suffix, _share, _weight) in enumerate(_KINDS):
        pool = []
        for serial in range(_EMPLOYERS_PER_KIND):
            county = rng.choice(GUIYANG_COUNTIES)
            trade = rng.choice(_TRADE_NAMES) + rng.choice(_TRADE_NAMES)
            pool.append((f"贵州{trade}{serial + 1}号{suffix}", _employer_credit_code(county, index * 10_000 + serial)))
        employers.append(pool)

    lines = [",".join(HEADERS)]
    append = lines.append
    serials = [0] * len(_KINDS)
    for row in range(rows):
        person, sequence = divmod(people[row], _SEQUENCES)
        origin, birth = divmod(person, _BIRTH_DAYS)
        origin_code, origin_sum = origins[origin]
        birth_text, birth_sum = births[birth]
        sequence_text, sequence_sum = sequences[sequence]
        id_number = f"{origin_code}{birth_text}{sequence_text}{_ID_CHECK[(origin_sum + birth_sum + sequence_sum) % 11]}"
        prefix, number = divmod(phones[row], 10**8)
        pick = picks[row]
        name = _DOTTED_NAMES[row % 5] if pick < 0.001 else surnames[row] + given_names[row]
        kind = kinds[row]
        platform, occupation, id_prefix, _suffix, share, _weight = _KINDS[kind]
        serials[kind] += 1
        external_id = f"{id_prefix}{serials[kind] * 7 + 100_000_000:010d}" if platform else ""
        employer, credit_code = employers[kind][row % _EMPLOYERS_PER_KIND] if pick < share else ("", "")
        active = "否" if pick > 0.9 else "是"
        append(
            f"{name},{id_number},{_MOBILE_PREFIXES[prefix]}{number:08d},{occupation},{platform},{external_id},"
            f"{employer},{credit_code},{regions[row]},{active}"
        )
    append("")
    path.write_text("\n".join(lines), encoding="utf-8")


_FLOOR_COLUMNS = [
    "name",
    "id_number",
    "phone",
    "occupation",
    "platform",
    "external_id",
    "employer",
    "employer_credit_code",
    "work_region",
    "active",
]


def floor_insert(path: Path) -> float:
    """Seconds to read `path` with csv.reader and insert its rows with one executemany into a bare table.

    The floor of any import: the same rows, no parsing beyond CSV, no checks, no indexes, one
    transaction, through Django's connection (so the same driver and settings as the import).
    """
    columns = ", ".join(_FLOOR_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_roster_floor")
        cursor.execute(f"CREATE TABLE bench_roster_floor ({', '.join(f'{c} TEXT' for c in _FLOOR_COLUMNS)})")
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as stream, transaction.atomic(), connection.cursor() as cursor:
        reader = csv.reader(stream)
        next(reader)
        cursor.executemany(
            f"INSERT INTO bench_roster_floor ({columns}) VALUES ({', '.join(['%s'] * len(_FLOOR_COLUMNS))})",  # noqa: S608
            reader,  # type: ignore[arg-type]  # streamed: the drivers take any iterable, the stubs want a sequence
        )
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_roster_floor")
        (count,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_roster_floor")
    assert count == _data_rows(path), count
    return elapsed


def _data_rows(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in stream) - 1


def sample_csv(path: Path, rows: int = SAMPLE) -> str:
    """The header and the first `rows` rows of the roster at `path`."""
    with path.open(encoding="utf-8", newline="") as stream:
        return "".join(line for _, line in zip(range(rows + 1), stream, strict=False))


def import_export_seconds(text: str) -> tuple[float, int]:
    """Seconds for django-import-export to import `text` (a roster CSV) into a plain model; and the rows imported.

    What a Django team would write: a ModelResource over the roster's columns (Chinese headers as the
    column names, 是/否 for the boolean), the ID number as import_id_fields, a tablib Dataset read from
    the CSV, import_data with the defaults.
    """
    import tablib  # type: ignore[import-untyped]
    from import_export import fields, resources, widgets  # type: ignore[import-untyped]

    from bench.baseline.models import PlainRosterRow

    class YesNoWidget(widgets.BooleanWidget):  # type: ignore[misc]
        TRUE_VALUES = ["是", *widgets.BooleanWidget.TRUE_VALUES]
        FALSE_VALUES = ["否", *widgets.BooleanWidget.FALSE_VALUES]

    class RosterResource(resources.ModelResource):  # type: ignore[misc]
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        phone = fields.Field(attribute="phone", column_name="手机号")
        occupation = fields.Field(attribute="occupation", column_name="职业")
        platform = fields.Field(attribute="platform", column_name="平台")
        external_id = fields.Field(attribute="external_id", column_name="平台工号")
        employer = fields.Field(attribute="employer", column_name="用工单位")
        employer_credit_code = fields.Field(attribute="employer_credit_code", column_name="用工单位统一社会信用代码")
        work_region = fields.Field(attribute="work_region", column_name="工作地区划代码")
        active = fields.Field(attribute="active", column_name="在岗", widget=YesNoWidget())

        class Meta:
            model = PlainRosterRow
            import_id_fields = ("id_number",)
            fields = tuple(_FLOOR_COLUMNS)

    with connection.schema_editor() as editor:
        editor.create_model(PlainRosterRow)
    try:
        start = time.perf_counter()
        dataset = tablib.Dataset().load(text, format="csv")
        result = RosterResource().import_data(dataset, raise_errors=True)
        elapsed = time.perf_counter() - start
        assert not result.has_errors()
        assert not result.has_validation_errors()
        imported = PlainRosterRow._default_manager.count()
        assert imported == result.totals["new"] == len(dataset), (imported, result.totals)
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(PlainRosterRow)
    return elapsed, imported


def _label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


def names(rows: int = ROWS, suffix: str = "") -> tuple[str, str, str]:
    """The names of the three roster figures (the import, the re-import, per row against import-export)."""
    label = _label(rows)
    return (
        f"roster_import_{label}{suffix}",
        f"roster_reimport_{label}_unchanged{suffix}",
        f"roster_per_row_vs_import_export{suffix}",
    )


def targets(rows: int = ROWS) -> dict[str, tuple[str, float]]:
    """Issue 5's targets, on SQLite: at most 3x the floor; at most 0.05 of django-import-export's time per row."""
    first, _again, per_row = names(rows)
    return {first: ("ratio", 3.0), per_row: ("ratio", 0.05)}


def _say(message: str) -> None:
    print(f"  roster: {message}", file=sys.stderr, flush=True)


def bench_roster(figure: Figure, rows: int = ROWS, sample: int = SAMPLE, suffix: str = "") -> list[Result]:
    """The three roster figures on the current database (run after migrate and regions_load)."""
    from gigunion.ledger.models import Sighting, Worker
    from gigunion.ledger.roster import ROSTER_COLUMNS, roster_import
    from gigunion.ledger.services import source_named
    from gigunion.regions.models import Region

    assert [column.header for column in ROSTER_COLUMNS] == HEADERS
    found = set(Region.objects.filter(code__in=GUIYANG_COUNTIES, is_current=True).values_list("code", flat=True))
    assert found == set(GUIYANG_COUNTIES), sorted(set(GUIYANG_COUNTIES) - found)
    workdir = Path(tempfile.mkdtemp(prefix="gigunion-roster-"))
    try:
        path = workdir / "roster.csv"
        start = time.perf_counter()
        roster_csv(path, rows)
        _say(f"{rows:,} rows generated ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s")

        # The earlier figures' objects would make every garbage collection below slower (a million rows
        # allocate many containers): set them aside, for the floor and the import alike.
        gc.collect()
        gc.freeze()
        floors = [floor_insert(path)]
        _say(f"floor (csv.reader + executemany, bare table): {floors[0]:.2f} s, {rows / floors[0]:,.0f} rows/s")

        source = source_named("bench-platform", "platform")
        workers_before = Worker.objects.count()
        sightings_before = Sighting.objects.count()

        def run_import() -> Any:
            return roster_import(data=path.read_bytes(), filename="roster.csv", source=source)

        start = time.perf_counter()
        report = run_import()
        ours = time.perf_counter() - start
        assert not report.errors, report.errors[:3]
        assert report.imported == rows, (report.imported, report.updated, report.unchanged)
        assert Worker.objects.count() == workers_before + rows
        assert Sighting.objects.count() == sightings_before + rows
        _say(f"roster_import: {ours:.2f} s, {rows / ours:,.0f} rows/s")

        start = time.perf_counter()
        report = run_import()
        again = time.perf_counter() - start
        assert not report.errors, report.errors[:3]
        assert report.unchanged == rows, (report.imported, report.updated, report.unchanged)
        _say(f"roster_import again (unchanged): {again:.2f} s, {rows / again:,.0f} rows/s")

        floors.append(floor_insert(path))
        floor = min(floors)  # the floor is the best the raw path did, before and after the imports
        _say(f"floor again: {floors[1]:.2f} s; taking {floor:.2f} s, {rows / floor:,.0f} rows/s")

        baseline, sampled = import_export_seconds(sample_csv(path, sample))
        _say(f"django-import-export, {sampled:,} rows: {baseline:.2f} s, {sampled / baseline:,.0f} rows/s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        gc.unfreeze()

    first, repeat, per_row = names(rows, suffix)
    floor_text = (
        f"floor: csv.reader + one executemany INSERT of the same {rows:,} rows into a bare 10-column table "
        "(no indexes), one transaction; the faster of two runs"
    )
    return [
        figure(first, ours, "s", floor_text, floor),
        figure(repeat, again, "s", floor_text, floor),
        figure(
            per_row,
            ours / rows * 1e6,
            "µs/row",
            f"django-import-export 4 (ModelResource defaults, import_id_fields=身份证号, tablib CSV) importing the "
            f"file's first {sampled:,} rows into a plain 10-column model, per row",
            baseline / sampled * 1e6,
        ),
    ]


def _main() -> None:  # python -m bench.roster OUT [ROWS]: write a roster file, no database needed
    out = Path(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else ROWS
    start = time.perf_counter()
    roster_csv(out, rows)
    print(f"{out}: {rows:,} rows in {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    _main()
