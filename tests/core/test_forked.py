"""core.forked: a producer run in a forked child, its items, its errors and its end (ADR 0008)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from gigunion.core.forked import ForkedProducerError, forked_items
from gigunion.core.tabular import TabularError
from gigunion.regions.models import Region


def test_items_come_in_order_from_another_process() -> None:
    def produce() -> Iterator[tuple[int, list[tuple[int, str]]]]:
        for chunk in range(3):
            yield os.getpid(), [(chunk * 10 + row, f"行{row}") for row in range(2)]

    items = list(forked_items(produce))

    assert [rows for _pid, rows in items] == [
        [(0, "行0"), (1, "行1")],
        [(10, "行0"), (11, "行1")],
        [(20, "行0"), (21, "行1")],
    ]
    assert {pid for pid, _rows in items} != {os.getpid()}
    assert len({pid for pid, _rows in items}) == 1


def test_an_error_in_the_child_is_raised_again_as_itself() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise TabularError("第 3 行无法读取", code="broken")

    received: list[int] = []
    with pytest.raises(TabularError) as raised:
        received.extend(forked_items(produce))
    assert received == [1]
    assert (raised.value.message, raised.value.code) == ("第 3 行无法读取", "broken")


class _Unpicklable(Exception):
    def __init__(self, text: str, handle: object) -> None:
        super().__init__(text)
        self.handle = handle


def test_an_error_that_cannot_travel_arrives_as_its_traceback() -> None:
    def produce() -> Iterator[int]:
        yield from ()
        raise _Unpicklable("the socket broke", handle=lambda: None)

    with pytest.raises(ForkedProducerError) as raised:
        list(forked_items(produce))
    assert "_Unpicklable: the socket broke" in str(raised.value)


@pytest.mark.django_db
def test_the_child_may_not_query_the_database() -> None:
    def produce() -> Iterator[int]:
        yield Region.objects.count()

    with pytest.raises(ForkedProducerError) as raised:
        list(forked_items(produce))
    assert str(raised.value) == ("a forked producer must not query the database (read what it needs before the fork)")
    assert Region.objects.filter(code="520102").count() == 1  # the parent's connection still works


def test_a_child_that_dies_is_an_error() -> None:
    def produce() -> Iterator[int]:
        yield 1
        os._exit(3)

    with pytest.raises(ForkedProducerError) as raised:
        list(forked_items(produce))
    assert str(raised.value) == "the producer's process ended without finishing"


def test_a_consumer_that_stops_early_kills_and_reaps_the_child() -> None:
    def produce() -> Iterator[int]:
        while True:
            yield os.getpid()

    items = forked_items(produce)
    child = next(items)
    assert child != os.getpid()
    items.close()

    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # already reaped: no such child any more


def test_a_process_with_another_thread_running_does_not_fork() -> None:
    import threading

    from gigunion.core.forked import fork_safe

    assert fork_safe() is (threading.active_count() == 1)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert fork_safe() is False
    finally:
        release.set()
        other.join()


def test_when_no_child_can_be_forked_the_items_are_produced_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd"))

    assert list(forked_items(lambda: [os.getpid(), 2])) == [os.getpid(), 2]
    assert len(os.listdir("/proc/self/fd")) == before  # the pipe was closed
