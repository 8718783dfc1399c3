"""Tests for gigunion.core.tabular: real CSV and XLSX files built in memory, no database."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from gigunion.core.tabular import (
    Column,
    RowError,
    Sheet,
    TabularError,
    missing_required,
    read_table,
    template_csv,
    template_xlsx,
    write_errors_csv,
)

COLUMNS = (
    Column("name", "姓名", required=True, help="可含 ·"),
    Column("id_number", "身份证号", required=True, help="18 位"),
    Column("phone", "手机号"),
    Column("joined_on", "入会日期"),
    Column("active", "在岗"),
)
ID_A = "11010519491231002X"
ID_B = "440524188001010014"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in their English source text."""
    with translation.override("en"):
        yield


def full_width(text: str) -> str:
    """ASCII to its full-width forms, as a Chinese IME types them."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_in_sheet_xml(data: bytes, old: bytes, new: bytes) -> bytes:
    """Rewrite the first worksheet's XML, to get cell encodings openpyxl itself never writes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(item, content)
    return buffer.getvalue()


def read(data: bytes, filename: str = "名册.csv", **kwargs: int) -> Sheet:
    return read_table(data, filename=filename, columns=COLUMNS, **kwargs)


def row(name: str = "", id_number: str = "", phone: str = "", joined_on: str = "", active: str = "") -> dict[str, str]:
    return {"name": name, "id_number": id_number, "phone": phone, "joined_on": joined_on, "active": active}


def error_of(data: bytes, filename: str = "名册.csv", **kwargs: int) -> TabularError:
    with pytest.raises(TabularError) as caught:
        read(data, filename, **kwargs)
    return caught.value


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------

CSV_TEXT = f"姓名,身份证号,手机号\r\n买买提·艾力,{ID_A},13800138000\r\n张三,{ID_B},\r\n"
CSV_ROWS = [
    (2, row("买买提·艾力", ID_A, "13800138000")),
    (3, row("张三", ID_B)),
]


def test_utf8_csv() -> None:
    sheet = read(CSV_TEXT.encode("utf-8"))
    assert sheet.rows == CSV_ROWS
    assert sheet.warnings == []
    assert sheet.header_row == ["姓名", "身份证号", "手机号"]
    assert sheet.headers == {"name": "姓名", "id_number": "身份证号", "phone": "手机号"}


def test_utf8_csv_with_bom() -> None:
    data = CSV_TEXT.encode("utf-8-sig")
    assert data.startswith(codecs.BOM_UTF8)
    sheet = read(data)
    assert sheet.rows == CSV_ROWS
    assert sheet.header_row == ["姓名", "身份证号", "手机号"]


def test_gbk_csv() -> None:
    data = CSV_TEXT.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read(data).rows == CSV_ROWS


def test_gb18030_csv_with_characters_outside_gbk() -> None:
    # 𠮷 (U+20BB7) is not in GBK; GB18030 encodes it in four bytes.
    data = f"姓名,身份证号\n𠮷野,{ID_A}\n".encode("gb18030")
    assert read(data).rows == [(2, row("𠮷野", ID_A))]


def test_utf16_csv_from_excel_unicode_text() -> None:
    data = f"姓名\t身份证号\r\n张三\t{ID_A}\r\n".encode("utf-16")
    assert read(data).rows == [(2, row("张三", ID_A))]


def test_undecodable_csv() -> None:
    error = error_of(b"\xe5\xa7\x93\xe5\x90\x8d\n\x81\x20\n")
    assert error.code == "encoding"
    assert error.message == "The file's text encoding was not recognized; save it as CSV in UTF-8 or GBK."


def test_tab_separated_csv() -> None:
    data = f"身份证号\t姓名\t在岗\n{ID_A}\t张三\t是\n".encode()
    assert read(data).rows == [(2, row("张三", ID_A, active="是"))]


def test_comma_wins_when_the_header_has_both() -> None:
    data = f"姓名,身份证号,备注\t说明\n张三,{ID_A},x\ty\n".encode()
    sheet = read(data)
    assert sheet.rows == [(2, row("张三", ID_A))]
    assert sheet.warnings == ["Unknown column '备注\t说明' ignored."]


def test_blank_csv_rows_are_skipped_and_counted() -> None:
    data = (
        "姓名,身份证号,备注\n"  # row 1
        f"张三,{ID_A},\n"  # row 2
        "\n"  # row 3: blank line
        " , ,\n"  # row 4: only spaces
        ",,unmapped text\n"  # row 5: text only in an ignored column
        f"李四,{ID_B},\n"  # row 6
    ).encode()
    assert read(data).rows == [(2, row("张三", ID_A)), (6, row("李四", ID_B))]


def test_csv_rows_are_numbered_as_excel_shows_them() -> None:
    # A quoted line break stays inside one row, as in Excel.
    data = f'姓名,身份证号\n"张\n三",{ID_A}\n李四,{ID_B}\n'.encode()
    assert read(data).rows == [(2, row("张\n三", ID_A)), (3, row("李四", ID_B))]


def test_short_and_long_csv_rows() -> None:
    data = f"姓名,身份证号,手机号\n张三\n李四,{ID_B},13800138000,extra\n".encode()
    assert read(data).rows == [(2, row("张三")), (3, row("李四", ID_B, "13800138000"))]


def test_csv_cells_are_normalized() -> None:
    data = f"姓名,身份证号,手机号\n  阿卜杜•热合曼 ,{full_width(ID_A)}, {full_width('13800138000')}\n".encode()
    assert read(data).rows == [(2, row("阿卜杜·热合曼", ID_A, "13800138000"))]


def test_excel_mangled_id_in_csv_is_kept_as_written() -> None:
    data = "姓名,身份证号\n张三,5.10101E+17\n".encode()
    assert read(data).rows == [(2, row("张三", "5.10101E+17"))]


def test_malformed_csv() -> None:
    huge = "x" * (131072 + 1)  # larger than the csv module's field limit
    error = error_of(f"姓名,身份证号\n张三,{huge}\n".encode())
    assert error.code == "broken"
    assert error.message == "The CSV file is malformed near row 2."


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------


def test_xlsx_cell_types() -> None:
    data = xlsx_bytes(
        [
            ["姓名", "身份证号", "手机号", "入会日期", "在岗"],
            ["张三", ID_A, 13800138000, date(2024, 3, 1), True],
            ["李四", 5.10101199003071e17, 13800138000.0, datetime(2024, 3, 2, 15, 30), False],
            [full_width("Alice"), full_width(ID_B), full_width("13800138000"), "2024/3/3", "否"],
            ["王五", 1234567890123456, 138.5, time(8, 30), None],
            ["赵六", 1e16, 0.1 + 0.2, time(8, 30, 15), -2.0],
        ]
    )
    sheet = read(data, "名册.xlsx")
    assert sheet.rows == [
        (2, row("张三", ID_A, "13800138000", "2024-03-01", "是")),
        # Excel's float: the digits are gone, so the text says so instead of guessing them.
        (3, row("李四", "5.10101199003071E+17", "13800138000", "2024-03-02", "否")),
        (4, row("Alice", ID_B, "13800138000", "2024/3/3", "否")),
        (5, row("王五", "1234567890123456", "138.5", "08:30")),
        (6, row("赵六", "1E+16", "0.3", "08:30:15", "-2")),
    ]
    assert sheet.header_row == ["姓名", "身份证号", "手机号", "入会日期", "在岗"]


def test_xlsx_numbers_as_excel_writes_them() -> None:
    data = xlsx_bytes([["姓名", "身份证号", "手机号"], ["张三", 111, 222], ["李四", 333, 444]])
    for placeholder, written in [
        (b"<v>111</v>", b"<v>5.1010119900307098E+17</v>"),  # Excel's own text for a mangled 18-digit ID
        (b"<v>222</v>", b"<v>13800138000.0</v>"),
        (b"<v>333</v>", b"<v>1.0E15</v>"),
        (b"<v>444</v>", b"<v>999999999999999.0</v>"),
    ]:
        data = replace_in_sheet_xml(data, placeholder, written)
    assert read(data, "a.xlsx").rows == [
        (2, row("张三", "5.10101199003071E+17", "13800138000")),
        (3, row("李四", "1E+15", "999999999999999")),
    ]


def test_xlsx_long_int_written_by_openpyxl_loses_digits() -> None:
    # openpyxl writes numbers with 16 significant digits: the file itself holds 5.101011990030712e+17.
    data = xlsx_bytes([["姓名", "身份证号"], ["张三", 510101199003071234]])
    assert read(data, "a.xlsx").rows == [(2, row("张三", "5.10101199003071E+17"))]


def test_xlsx_integer_cell_keeps_every_digit() -> None:
    # A writer that stores the integer itself: openpyxl reads it back as int, and no digit is lost.
    data = xlsx_bytes([["姓名", "身份证号"], ["张三", 510101199003071234]])
    data = replace_in_sheet_xml(data, b"<v>5.101011990030712e+17</v>", b"<v>510101199003071234</v>")
    assert load_workbook(io.BytesIO(data)).active["B2"].value == 510101199003071234
    assert read(data, "a.xlsx").rows == [(2, row("张三", "510101199003071234"))]


def test_blank_xlsx_rows_are_skipped_and_counted() -> None:
    data = xlsx_bytes(
        [
            ["姓名", "身份证号", "备注"],  # row 1
            ["张三", ID_A],  # row 2
            [],  # row 3: no cells at all
            [None, "  ", None],  # row 4
            [None, None, "unmapped text"],  # row 5
            ["李四", ID_B],  # row 6
            [],
            [],
        ]
    )
    assert read(data, "a.xlsx").rows == [(2, row("张三", ID_A)), (6, row("李四", ID_B))]


def test_xlsx_reads_the_first_worksheet_only() -> None:
    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号"])
    workbook.active.append(["张三", ID_A])
    workbook.create_sheet("other").append(["姓名", "身份证号", "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read(buffer.getvalue(), "a.xlsx").rows == [(2, row("张三", ID_A))]


def test_xlsx_with_stale_dimension_is_read_whole() -> None:
    data = xlsx_bytes([["姓名", "身份证号"], ["张三", ID_A], ["李四", ID_B]])
    data = replace_in_sheet_xml(data, b'<dimension ref="A1:B3"', b'<dimension ref="A1:A1"')
    assert read(data, "a.xlsx").rows == [(2, row("张三", ID_A)), (3, row("李四", ID_B))]


def test_workbook_named_csv_is_read_as_xlsx() -> None:
    data = xlsx_bytes([["姓名", "身份证号"], ["张三", ID_A]])
    assert read(data, "renamed.CSV").rows == [(2, row("张三", ID_A))]


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a workbook at all",
        b"PK\x03\x04" + b"\x00" * 100,  # ZIP magic, then garbage
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,  # an old .xls renamed
    ],
    ids=["text", "zip-garbage", "xls"],
)
def test_garbage_named_xlsx(data: bytes) -> None:
    error = error_of(data, "名册.xlsx")
    assert error.code == "broken"
    assert error.message == "The file is not a valid .xlsx workbook; save it again from Excel."


def test_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    error = error_of(buffer.getvalue(), "名册.xlsx")
    assert error.code == "broken"


def test_workbook_with_broken_sheet_xml() -> None:
    data = xlsx_bytes([["姓名", "身份证号"], ["张三", ID_A]])
    data = replace_in_sheet_xml(data, b"</sheetData>", b"</sheetDat>")
    error = error_of(data, "名册.xlsx")
    assert error.code == "broken"
    assert error.message == "The file is not a valid .xlsx workbook; save it again from Excel."


@pytest.mark.parametrize("filename", ["名册.pdf", "名册.xls", "名册", "名册.csv.txt"])
def test_other_formats_are_refused(filename: str) -> None:
    error = error_of(CSV_TEXT.encode(), filename)
    assert error.code == "format"
    assert error.message == "Only .xlsx and .csv files can be imported (Excel can save an .xls file as .xlsx)."


# ---------------------------------------------------------------------------
# Header matching
# ---------------------------------------------------------------------------


def test_english_aliases_in_another_order() -> None:
    data = f"Phone,ID_NUMBER,active,name\n13800138000,{ID_A},否,张三\n".encode()
    sheet = read(data)
    assert sheet.rows == [(2, row("张三", ID_A, "13800138000", active="否"))]
    assert sheet.headers == {"phone": "Phone", "id_number": "ID_NUMBER", "active": "active", "name": "name"}


def test_headers_are_normalized_before_matching() -> None:
    header = f" 姓 名 ,{full_width('id_number')},手机号　"  # inner spaces, full-width letters, ideographic space
    sheet = read(f"{header}\n张三,{ID_A},13800138000\n".encode())
    assert sheet.rows == [(2, row("张三", ID_A, "13800138000"))]
    assert sheet.header_row == ["姓 名", "id_number", "手机号"]


def test_xlsx_headers_as_aliases() -> None:
    data = xlsx_bytes([["id_number", "Name", "入会日期"], [ID_A, "张三", date(2020, 1, 2)]])
    assert read(data, "a.xlsx").rows == [(2, row("张三", ID_A, joined_on="2020-01-02"))]


def test_unknown_columns_warn_once_each() -> None:
    data = f"序号,姓名,身份证号,备注,备注,\n1,张三,{ID_A},x,y,\n".encode()
    sheet = read(data)
    assert sheet.rows == [(2, row("张三", ID_A))]
    assert sheet.warnings == ["Unknown column '序号' ignored.", "Unknown column '备注' ignored."]
    assert sheet.header_row == ["序号", "姓名", "身份证号", "备注", "备注"]


def test_warnings_are_translated() -> None:
    with translation.override("zh-hans"):
        sheet = read(f"序号,姓名,身份证号\n1,张三,{ID_A}\n".encode())
    assert sheet.warnings == ["未知列“序号”已忽略。"]


def test_missing_required_column_is_named() -> None:
    error = error_of("姓名,手机号\n张三,13800138000\n".encode())
    assert error.code == "missing_columns"
    assert error.message == "Required columns are missing: 身份证号."


def test_all_missing_required_columns_are_named() -> None:
    error = error_of(b"phone\n13800138000\n")
    assert error.message == "Required columns are missing: 姓名, 身份证号."


def test_duplicate_header() -> None:
    error = error_of(f"姓名,身份证号,name\n张三,{ID_A},李四\n".encode())
    assert error.code == "duplicate_column"
    assert error.message == "The column '姓名' appears more than once in the header row."


def test_duplicate_header_in_xlsx() -> None:
    data = xlsx_bytes([["身份证号", "姓名", "身份证号"], [ID_A, "张三", ID_B]])
    error = error_of(data, "a.xlsx")
    assert error.code == "duplicate_column"
    assert error.message == "The column '身份证号' appears more than once in the header row."


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, b"\n\n", b",,\nx,y\n"], ids=["empty", "bom", "lines", "blank"])
def test_no_header_row(data: bytes) -> None:
    error = error_of(data)
    assert error.code == "no_header"
    assert error.message == "The first row must hold the column headers, but it is empty."


def test_empty_xlsx() -> None:
    error = error_of(xlsx_bytes([]), "a.xlsx")
    assert error.code == "no_header"


@pytest.mark.parametrize("data", ["姓名,身份证号\n".encode(), "姓名,身份证号\n,\n\n".encode()], ids=["header", "blank"])
def test_no_data_rows(data: bytes) -> None:
    error = error_of(data)
    assert error.code == "empty"
    assert error.message == "The file has no data rows below the header row."


def test_max_rows() -> None:
    data = f"姓名,身份证号\n张三,{ID_A}\n\n李四,{ID_B}\n".encode()
    assert [number for number, _ in read(data, max_rows=2).rows] == [2, 4]
    error = error_of(data, max_rows=1)
    assert error.code == "too_many_rows"
    assert error.message == "The file has more than 1 rows; split it into smaller files."


def test_column_definitions_must_not_clash() -> None:
    clashing = [Column("name", "姓名"), Column("full_name", "NAME")]
    with pytest.raises(ValueError, match="share the header or alias"):
        read_table(b"x\n1\n", filename="a.csv", columns=clashing)


# ---------------------------------------------------------------------------
# Row errors
# ---------------------------------------------------------------------------


def test_missing_required() -> None:
    assert missing_required(2, row("张三", ID_A), COLUMNS) == []
    assert missing_required(7, row(phone="13800138000"), COLUMNS) == [
        RowError(row=7, column="姓名", message="This field is required."),
        RowError(row=7, column="身份证号", message="This field is required."),
    ]
    assert missing_required(3, {"name": "张三"}, COLUMNS) == [
        RowError(row=3, column="身份证号", message="This field is required."),
    ]
    with translation.override("zh-hans"):
        assert missing_required(4, row("张三"), COLUMNS)[0].message == "此项为必填项。"


def test_write_errors_csv() -> None:
    stream = io.StringIO()
    write_errors_csv(
        [
            RowError(row=2, column="身份证号", message="Excel turned the ID number into a number, lost digits."),
            RowError(row=5, column="", message='Say "hi"'),
            RowError(row=9, column="姓名", message="=HYPERLINK(1)"),
        ],
        stream,
    )
    assert stream.getvalue() == (
        "row,column,message\r\n"
        '2,身份证号,"Excel turned the ID number into a number, lost digits."\r\n'
        '5,,"Say ""hi"""\r\n'
        "9,姓名,'=HYPERLINK(1)\r\n"
    )


def test_write_errors_csv_without_errors() -> None:
    stream = io.StringIO()
    write_errors_csv([], stream)
    assert stream.getvalue() == "row,column,message\r\n"


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


def test_template_xlsx() -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx(COLUMNS, sheet_title="会员名册")))
    assert workbook.sheetnames == ["会员名册", "说明"]

    sheet = workbook["会员名册"]
    assert [list(values) for values in sheet.values] == [["姓名", "身份证号", "手机号", "入会日期", "在岗"]]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert [sheet.column_dimensions[letter].number_format for letter in "ABCDE"] == ["@"] * 5

    notes = workbook["说明"]
    assert [list(values) for values in notes.values] == [
        ["表头", "别名", "必填", "说明"],
        ["姓名", "name", "是", "可含 ·"],
        ["身份证号", "id_number", "是", "18 位"],
        ["手机号", "phone", "否", None],
        ["入会日期", "joined_on", "否", None],
        ["在岗", "active", "否", None],
    ]


def test_template_xlsx_round_trip() -> None:
    data = template_xlsx(COLUMNS, sheet_title="会员名册")
    error = error_of(data, "template.xlsx")
    assert error.code == "empty"

    workbook = load_workbook(io.BytesIO(data))
    workbook.active.append(["张三", ID_A, "13800138000", "2024-03-01", "是"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = read(buffer.getvalue(), "template.xlsx")
    assert sheet.rows == [(2, row("张三", ID_A, "13800138000", "2024-03-01", "是"))]
    assert sheet.warnings == []


def test_template_xlsx_long_title_is_cut_to_excel_limit() -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx(COLUMNS, sheet_title="名" * 40)))
    assert workbook.sheetnames == ["名" * 31, "说明"]


def test_template_csv() -> None:
    data = template_csv(COLUMNS)
    assert data.startswith(codecs.BOM_UTF8)
    assert data == codecs.BOM_UTF8 + "姓名,身份证号,手机号,入会日期,在岗\r\n".encode()
    assert error_of(data).code == "empty"
    assert read(data + f"张三,{ID_A},,,\r\n".encode()).rows == [(2, row("张三", ID_A))]
