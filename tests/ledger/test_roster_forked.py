"""A big roster file is checked in a forked process while the importing one writes (core.forked, ADR 0008).

The same files as tests/ledger/test_roster_import.py, through the forked path (every file counts as
big here, and a chunk is one row): the first chunk is checked in the importing process, the rest in
the forked one, unless the source already lists most of the first chunk (the same roster again).
The same ledger, the same messages, and a kill part-way still leaves what finished. Each test checks
whether a process was really forked.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest

from gigunion.core.tabular import TabularError
from gigunion.ledger import roster as roster_module
from gigunion.ledger.models import RosterBatch, Sighting, Worker, worker_key
from gigunion.ledger.roster import HEADER, roster_import
from gigunion.members.selectors import id_number_index
from tests.ledger.test_roster_import import (
    HEADERS,
    A,
    B,
    C,
    department,
    employer_rows,
    employers_of_the_cast,
    roster,
    three_workers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every file is big enough to fork for, and the suite's other threads (a browser's) do not stop it."""
    monkeypatch.setattr(roster_module, "FORK_ROWS", 0)
    monkeypatch.setattr(roster_module, "CHUNK", 1)
    monkeypatch.setattr(roster_module, "fork_safe", lambda: True)
    children: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return children


def test_a_forked_import_fills_the_ledger_as_one_in_process_does(cast: Any, forks: list[int]) -> None:
    source = department()

    report = roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))

    assert report.summary_line() == "imported 3, updated 0, unchanged 0, rejected 0"
    assert len(forks) == 1
    worker = Worker.objects.get(pk=worker_key(id_number_index(A)))
    assert (worker.name, worker.id_number, worker.phone) == ("王小明", A, "13985101001")
    assert (worker.occupation, worker.work_region_id, worker.active) == ("delivery_rider", "520102", True)
    assert (worker.birth_year, worker.sex, worker.origin_region_code) == (1990, "male", "520102")
    assert Worker.objects.get(pk=worker_key(id_number_index(C))).active is False
    assert sorted(Sighting.objects.values_list("external_id", flat=True)) == ["", "", "MT001"]

    again = roster_import(data=three_workers(), filename="r.csv", source=source, as_of=date(2026, 6, 30))
    assert again.summary_line() == "imported 0, updated 0, unchanged 3, rejected 0"
    assert len(forks) == 1  # the source lists the first chunk already: the same roster, checked in-process


def test_the_forked_checker_reports_bad_rows_by_row_and_column(cast: Any, forks: list[int]) -> None:
    data = roster(
        f"赵六,{C},,货车司机,,,,,520103,是",
        f"王小明,{A},13985101001,网约送餐员,美团,MT001,,,520102,是",
        f"李娟,{B[:-1]}{'0' if B[-1] != '0' else '1'},13985101002,快递员,,,,,520103,是",
        "张伟,5.10101199003071E+17,123,厨师,,,,,999999,也许",
        f"王小明,{A},13985101001,网约送餐员,美团,MT002,,,520102,是",
        f"赵六,{C},,货车司机,,,,,520102,是",
    )

    report = roster_import(data=data, filename="r.csv", source=department(), scope_prefix="520103")

    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 5"
    assert [(error.row, error.column, error.message) for error in report.errors] == [
        (3, HEADER["work_region"], "This region is outside your jurisdiction."),
        (4, HEADER["id_number"], "The ID number's last character does not match; check it for typos."),
        (5, HEADER["id_number"], "Excel turned the ID number into a number and digits were lost; enter it as text."),
        (5, HEADER["phone"], "A mobile number has 11 digits and begins with 13 to 19."),
        (5, HEADER["occupation"], "Choose an occupation from the list."),
        (5, HEADER["work_region"], "This is not a current 6, 9 or 12-digit region code."),
        (5, HEADER["active"], "Write 是 (yes) or 否 (no)."),
        (6, HEADER["work_region"], "This region is outside your jurisdiction."),
        (7, HEADER["work_region"], "This region is outside your jurisdiction."),
    ]
    assert list(Worker.objects.values_list("name", flat=True)) == ["赵六"]
    assert len(forks) == 1


def test_a_file_without_rows_is_refused_before_any_process_is_forked(cast: Any, forks: list[int]) -> None:
    with pytest.raises(TabularError) as refused:
        roster_import(data=(HEADERS + "\n,,,,,,,,,\n").encode(), filename="r.csv", source=department())

    assert refused.value.code == "empty"
    assert forks == []
    assert (Worker.objects.count(), RosterBatch.objects.count()) == (0, 0)


def test_a_forked_import_killed_part_way_keeps_what_it_finished_and_leaves_no_process(
    cast: Any, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = department()
    monkeypatch.setattr(roster_module, "COMMIT_ROWS", 1)
    monkeypatch.setattr(roster_module, "COMMIT_ROWS_POSTGRESQL", 1)
    write = roster_module._Writer.write
    calls: list[int] = []

    def dies_on_the_second_chunk(self: Any, rows: Any, errors: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise KeyboardInterrupt
        write(self, rows, errors)

    monkeypatch.setattr(roster_module._Writer, "write", dies_on_the_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        roster_import(data=three_workers(), filename="r.csv", source=source)

    assert Worker.objects.count() == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # killed and reaped
    monkeypatch.setattr(roster_module._Writer, "write", write)
    report = roster_import(data=three_workers(), filename="r.csv", source=source)
    assert report.summary_line() == "imported 2, updated 0, unchanged 1, rejected 0"
    assert len(forks) == 1  # the first row is listed already: checked in-process


def test_employers_are_found_for_rows_a_forked_checker_sent(cast: Any, forks: list[int]) -> None:
    kuaisong, huoyun = employers_of_the_cast(cast)

    roster_import(data=employer_rows(), filename="r.csv", source=department())

    assert dict(Worker.objects.values_list("name", "employer_id")) == {
        "王小明": kuaisong.pk,
        "李娟": huoyun.pk,
        "张伟": None,
    }
    assert Sighting.objects.get(worker__name="王小明").source.name == "贵阳市交通运输局"
    assert len(forks) == 1
