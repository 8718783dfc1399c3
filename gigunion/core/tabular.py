"""The reading layer every list import shares: CSV and XLSX files in, header-keyed rows out.

FORMATS.md describes the files: a header row of Chinese headers (English aliases accepted, in any
order), UTF-8 or GBK/GB18030 CSV, or the first sheet of an XLSX workbook. This module only reads and
normalizes; it never validates values (importers do, row by row, with their own messages) and never
guesses what Excel destroyed: an ID number Excel made into a float comes out as ``5.10101199003071E+17``
so the validators can reject it.

It also writes the other side of the exchange: the rejected-rows CSV and the download templates.
Pure Python and openpyxl; messages are translated with Django's gettext.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal, TextIO

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from gigunion.core.exceptions import DomainError
from gigunion.core.validators import normalize_text

__all__ = [
    "DEFAULT_MAX_ROWS",
    "Column",
    "RowError",
    "Sheet",
    "Stream",
    "TabularError",
    "missing_required",
    "read_table",
    "stream_table",
    "template_csv",
    "template_xlsx",
    "write_errors_csv",
]

DEFAULT_MAX_ROWS = 200_000

# Every XLSX file is a ZIP archive, and every ZIP archive starts with a local file header.
_XLSX_MAGIC = b"PK\x03\x04"
# Excel keeps 15 significant digits: beyond this an integral float has already lost digits.
_EXACT_FLOAT_LIMIT = 1e15
_SPACES = re.compile(r"\s+")
# Cells starting with these are formulas to Excel (CSV injection); a leading apostrophe makes them text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_YES, _NO = "是", "否"

# (row number in the file, raw cell texts) for every row, blank ones included.
_Records = Generator[tuple[int, list[str]], None, None]


@dataclass(frozen=True)
class Column:
    """One column of an import format."""

    key: str  # English alias and code name, e.g. "credit_code"
    header: str  # Chinese header shown in templates, e.g. "统一社会信用代码"
    required: bool = False
    help: str = ""  # the notes column of the template


@dataclass(frozen=True)
class RowError:
    """A rejected row (or cell) of an imported file."""

    row: int  # line number in the file, the header being row 1
    column: str  # the column's Chinese header ("" when the whole row is at fault)
    message: str


@dataclass
class Sheet:
    """The readable content of an imported file."""

    # (row number in the file, {column key: normalized cell text}); every column key of the format is
    # present ("" for empty cells and for columns the file lacks); rows with no mapped text are skipped.
    rows: list[tuple[int, dict[str, str]]]
    warnings: list[str]  # e.g. unknown columns ignored; translated
    header_row: list[str]  # the header cells as in the file (normalized, trailing blanks dropped)
    # The columns the file has: key -> its header as written in the file. An importer uses this to
    # leave alone what a file does not mention ("address" not in headers: keep stored addresses).
    headers: dict[str, str]


class TabularError(DomainError):
    """The file cannot be read at all, so nothing in it can be imported.

    ``code`` is one of: format, broken, encoding, no_header, duplicate_column, missing_columns,
    too_many_rows, empty.
    """


def read_table(
    data: bytes,
    *,
    filename: str,
    columns: Sequence[Column],
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Sheet:
    """Read a CSV or XLSX file into rows keyed by column key; raise TabularError if it cannot be read."""
    lookup = _header_lookup(columns)
    records = _xlsx_records(data) if _file_kind(data, filename) == "xlsx" else _csv_records(data)
    try:
        return _read(records, lookup, columns, max_rows)
    finally:
        records.close()  # closes the workbook at once, also when reading stops early


@dataclass
class Stream:
    """A file read row by row, for lists too long to hold as dicts (a million-row roster).

    `rows` yields (row number in the file, the raw cell texts in the order of the format's columns, ""
    for a column the file lacks); blank rows are skipped. Cells are NOT normalized: the importer
    normalizes what it reads (``normalize_text``; ASCII cells only need ``strip``). Reading may raise
    TabularError part-way (a malformed CSV line), so write the rows in one transaction.
    """

    rows: Iterator[tuple[int, list[str]]]
    warnings: list[str]
    headers: dict[str, str]
    total: int  # about how many records lie below the header, for progress (0: unknown, as for XLSX)


def stream_table(data: bytes, *, filename: str, columns: Sequence[Column], read_through: bool = False) -> Stream:
    """Open a CSV or XLSX file for reading row by row; TabularError if its header cannot be read.

    With `read_through`, the whole file is read once first, so a file that breaks part-way raises
    TabularError here, before the caller has written anything (a CSV is scanned, an XLSX held in memory).
    """
    lookup = _header_lookup(columns)
    records: Iterator[tuple[int, list[str]]]
    if _file_kind(data, filename) == "xlsx":
        records = _xlsx_records(data)
        total = 0
        if read_through:
            held = list(records)
            records, total = iter(held), max(len(held) - 1, 0)
    else:
        text = _decode(data)
        if read_through:
            for _record in _csv_text_records(text):
                pass
        records = _csv_text_records(text)
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        total = max(lines - 1, 0)  # an estimate: a quoted line break counts as a row here
    header = _header(records, lookup, columns)
    picks = [header.positions.get(column.key) for column in columns]
    # The file's columns are exactly ours, in our order (a filled-in template): rows pass through as read.
    as_read = picks == list(range(len(columns)))

    def rows() -> Iterator[tuple[int, list[str]]]:
        seen = False
        width_wanted = len(picks)
        try:
            for number, cells in records:
                width = len(cells)
                if as_read and width == width_wanted:
                    values = cells
                else:
                    values = [cells[index] if index is not None and index < width else "" for index in picks]
                if not "".join(values).strip():
                    continue
                seen = True
                yield number, values
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()
        if not seen:
            raise TabularError(_("The file has no data rows below the header row."), code="empty")

    return Stream(rows=rows(), warnings=header.warnings, headers=header.headers, total=total)


def missing_required(row_number: int, values: Mapping[str, str], columns: Sequence[Column]) -> list[RowError]:
    """One RowError per required column left empty in this row."""
    return [
        RowError(row=row_number, column=column.header, message=_("This field is required."))
        for column in columns
        if column.required and not values.get(column.key, "")
    ]


def write_errors_csv(errors: Iterable[RowError], stream: TextIO) -> None:
    """Write rejected rows as CSV with the columns row,column,message.

    Open a file stream with ``encoding="utf-8", newline=""`` (the csv module writes CRLF line ends).
    """
    writer = csv.writer(stream)
    writer.writerow(["row", "column", "message"])
    for error in errors:
        writer.writerow([error.row, _excel_safe(error.column), _excel_safe(error.message)])


def template_xlsx(columns: Sequence[Column], *, sheet_title: str) -> bytes:
    """An empty import workbook: the header row, and a second sheet "说明" describing each column."""
    workbook = Workbook()
    bold = Font(bold=True)

    sheet = workbook.active
    sheet.title = sheet_title[:31]  # Excel's limit for sheet names
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        cell.number_format = "@"
        dimension = sheet.column_dimensions[get_column_letter(index)]
        # Text format for the whole column, so ID numbers and codes typed in stay text.
        dimension.number_format = "@"
        dimension.width = max(12, 2 * len(column.header) + 4)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    notes.append(["表头", "别名", "必填", "说明"])
    for column in columns:
        notes.append([column.header, column.key, _YES if column.required else _NO, column.help])
    for cell in notes[1]:
        cell.font = bold
    for letter, width in zip("ABCD", (24, 24, 8, 60), strict=True):
        notes.column_dimensions[letter].width = width
    notes.freeze_panes = "A2"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(headers: Sequence[str], rows: Iterable[Sequence[object]], *, sheet_title: str) -> bytes:
    """A list as a workbook: bold header row, frozen, text cells guarded against formula injection.

    Write-only mode streams the rows, so a 100,000-row list needs little memory.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, 2 * len(header) + 4)
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_excel_safe(value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(columns: Sequence[Column]) -> bytes:
    """An empty import CSV: the header row, in UTF-8 with a BOM so Excel opens it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([column.header for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------


@dataclass
class _Header:
    positions: dict[str, int]  # column key -> index of its cell in a record
    headers: dict[str, str]
    warnings: list[str]
    header_row: list[str]


def _header(
    records: Iterator[tuple[int, list[str]]], lookup: Mapping[str, Column], columns: Sequence[Column]
) -> _Header:
    first = next(records, None)
    header_row = [normalize_text(cell) for cell in first[1]] if first is not None else []
    while header_row and not header_row[-1]:
        header_row.pop()
    if not header_row:
        raise TabularError(_("The first row must hold the column headers, but it is empty."), code="no_header")

    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    warnings: list[str] = []
    unknown: set[str] = set()
    for index, text in enumerate(header_row):
        if not text:
            continue
        column = lookup.get(_header_key(text))
        if column is None:
            if text not in unknown:
                unknown.add(text)
                warnings.append(_("Unknown column '%(name)s' ignored.") % {"name": text})
            continue
        if column.key in positions:
            raise TabularError(
                _("The column '%(name)s' appears more than once in the header row.") % {"name": column.header},
                code="duplicate_column",
            )
        positions[column.key] = index
        headers[column.key] = text

    missing = [column.header for column in columns if column.required and column.key not in positions]
    if missing:
        raise TabularError(
            _("Required columns are missing: %(names)s.") % {"names": ", ".join(missing)},
            code="missing_columns",
        )
    return _Header(positions=positions, headers=headers, warnings=warnings, header_row=header_row)


def _read(
    records: Iterator[tuple[int, list[str]]],
    lookup: Mapping[str, Column],
    columns: Sequence[Column],
    max_rows: int,
) -> Sheet:
    header = _header(records, lookup, columns)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in records:
        values = dict.fromkeys((column.key for column in columns), "")
        for key, index in header.positions.items():
            if index < len(cells):
                values[key] = normalize_text(cells[index])
        if not any(values.values()):
            continue
        if len(rows) == max_rows:
            raise TabularError(
                _("The file has more than %(max)d rows; split it into smaller files.") % {"max": max_rows},
                code="too_many_rows",
            )
        rows.append((number, values))
    if not rows:
        raise TabularError(_("The file has no data rows below the header row."), code="empty")
    return Sheet(rows=rows, warnings=header.warnings, header_row=header.header_row, headers=header.headers)


def _header_key(text: str) -> str:
    """What header cells are compared by: NFKC, no whitespace at all, case-folded."""
    return _SPACES.sub("", normalize_text(text)).casefold()


def _header_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    """Header key -> column, for both the Chinese header and the alias; a clash is a programming error."""
    lookup: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, column.key):
            other = lookup.setdefault(_header_key(name), column)
            if other is not column:
                raise ValueError(f"Columns {other.key!r} and {column.key!r} share the header or alias {name!r}.")
    return lookup


def _file_kind(data: bytes, filename: str) -> Literal["csv", "xlsx"]:
    suffix = filename.rpartition(".")[2].lower() if "." in filename else ""
    if suffix not in ("csv", "xlsx"):
        raise TabularError(
            _("Only .xlsx and .csv files can be imported (Excel can save an .xls file as .xlsx)."),
            code="format",
        )
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"  # also a workbook renamed to .csv
    if suffix == "xlsx":
        raise TabularError(_("The file is not a valid .xlsx workbook; save it again from Excel."), code="broken")
    return "csv"


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" is UTF-16 with a BOM; otherwise UTF-8 (strict, BOM optional), then the
    # GBK superset GB18030 that Excel on Chinese Windows writes.
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError(
        _("The file's text encoding was not recognized; save it as CSV in UTF-8 or GBK."), code="encoding"
    )


def _csv_records(data: bytes) -> _Records:
    return _csv_text_records(_decode(data))


def _csv_text_records(text: str) -> _Records:
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Numbered by record, as Excel numbers them: a blank line is a row, a quoted line break is not.
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise TabularError(
            _("The CSV file is malformed near row %(row)d.") % {"row": reader.line_num}, code="broken"
        ) from error


def _xlsx_records(data: bytes) -> _Records:
    broken = _("The file is not a valid .xlsx workbook; save it again from Excel.")
    # openpyxl raises whatever its zip and XML layers raise on a damaged file; none may escape raw.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise TabularError(broken, code="broken") from error
    try:
        if not workbook.worksheets:
            raise TabularError(broken, code="broken")
        worksheet = workbook.worksheets[0]
        worksheet.reset_dimensions()  # a stale <dimension> from another program would cut rows off
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    except TabularError:
        raise
    except Exception as error:
        raise TabularError(broken, code="broken") from error
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """An XLSX cell value as the text a user sees, without inventing digits Excel dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _YES if value else _NO
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _EXACT_FLOAT_LIMIT:
            return str(int(value))
        # 15 significant digits, as Excel shows them: 5.10101199003071E+17 (the validators reject it).
        return format(value, ".15G")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    return str(value)


def _excel_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
