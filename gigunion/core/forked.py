"""Running a producer in a forked child process, its items streamed back through a pipe (ADR 0008).

A bulk import has two kinds of work: reading and checking rows (pure Python: parsing, checks, hashing,
encryption) and writing them (the database). `forked_items` runs the first in a child process forked
from this one, so it shares everything already loaded (the file's bytes, the checker's lookups)
without copying, while this process writes: on a machine with two cores the two halves overlap.

The child never touches the database: it drops the inherited connections unclosed and every query is
refused there (the parent's connection is the same socket or file handle; using it from two processes
would corrupt both sides).
Whatever the producer needs from the database is read before the fork. Items travel as pickles (send
a chunk of rows as one item: plain tuples and lists are the cheap thing to pickle). The child ends with
os._exit: no cleanup of objects it shares with the parent (connections, temporary files) runs there.
Where no child can be forked (no os.fork, or no memory or process slot), the items are produced here.

An exception in the child is raised again in the parent, as itself when it can be pickled. If the
parent stops reading early (an exception of its own, or the consumer closes the iterator), the child
is killed; either way it is reaped before the iterator finishes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

from django.db import connections

T = TypeVar("T")

_ITEM, _END, _ERROR = 0, 1, 2
_BUFFER = 1 << 20


class ForkedProducerError(RuntimeError):
    """The child process failed in a way that could not be sent back as the exception itself."""


def fork_safe() -> bool:
    """Whether this process may fork a producer: it can, and no other thread runs here (a lock another
    thread holds at the fork would stay held in the child for good)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _refuse_queries(*args: Any) -> Any:
    raise ForkedProducerError("a forked producer must not query the database (read what it needs before the fork)")


def _run_child(produce: Callable[[], Iterable[T]], write_fd: int) -> None:
    status = 0
    try:
        with os.fdopen(write_fd, "wb", buffering=_BUFFER) as out:
            for alias in connections:
                # Nothing reaches the parent's connection from here: the inherited handle is dropped unclosed
                # (no commit, rollback or close goes out on it), and queries are refused.
                connection = connections[alias]
                connection.connection = None
                connection.execute_wrappers.append(_refuse_queries)
            try:
                for item in produce():
                    # Pickled whole before anything is written: an item that fails to pickle leaves no
                    # partial frame in the stream ahead of the error.
                    out.write(pickle.dumps((_ITEM, item), protocol=pickle.HIGHEST_PROTOCOL))
                    out.flush()  # the item's tail must not wait in the buffer while the next one is made
                out.write(pickle.dumps((_END, None)))
            except BaseException as error:  # every failure goes to the parent
                try:
                    message = pickle.dumps((_ERROR, error), protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.loads(message)  # noqa: S301 (our own bytes)
                except Exception:
                    message = pickle.dumps((_ERROR, ForkedProducerError(traceback.format_exc())))
                out.write(message)
    except BaseException:  # the parent went away: a broken pipe
        status = 1
    finally:
        os._exit(status)


def forked_items(produce: Callable[[], Iterable[T]]) -> Generator[T, None, None]:
    """The items `produce()` yields, produced in a forked child process (in this one when none can be forked)."""
    if not hasattr(os, "fork"):
        yield from produce()
        return
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or process slot for a child: produce here instead
        os.close(read_fd)
        os.close(write_fd)
        yield from produce()
        return
    if pid == 0:  # pragma: no cover (the child's coverage is not collected; the tests check what it sends)
        os.close(read_fd)
        _run_child(produce, write_fd)
    os.close(write_fd)
    finished = False
    try:
        with os.fdopen(read_fd, "rb", buffering=_BUFFER) as stream:
            while True:
                try:
                    kind, value = pickle.load(stream)  # noqa: S301 (from our own child)
                except EOFError:
                    raise ForkedProducerError("the producer's process ended without finishing") from None
                if kind == _ITEM:
                    yield value
                elif kind == _ERROR:
                    finished = True
                    raise value
                else:
                    finished = True
                    return
    finally:
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
