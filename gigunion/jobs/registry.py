"""Job kinds and their handlers. A domain app registers what a kind of job does:

@job_handler("enterprises.import")
def import_enterprises(run: JobRun) -> dict[str, Any]:
    run.set_total(len(rows))
    ...
    run.advance(100)
    return {"imported": n}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from gigunion.jobs.models import Job
from gigunion.jobs.services import job_progress, job_set_total

PROGRESS_EVERY = 200  # rows between progress writes: one UPDATE per step keeps the bar live and cheap


class JobRun:
    """What a handler sees: its parameters, and a way to report progress."""

    def __init__(self, job: Job) -> None:
        self.job_id: UUID = job.pk
        self.params: dict[str, Any] = dict(job.params)
        self.total = 0
        self.processed = 0
        self._reported = 0

    def set_total(self, total: int) -> None:
        self.total = total
        job_set_total(job_id=self.job_id, total=total)

    def flush(self) -> None:
        """Write the progress reached so far (a failing job keeps how far it got)."""
        job_progress(job_id=self.job_id, processed=self.processed, total=self.total)
        self._reported = self.processed

    def progress(self, done: int, total: int) -> None:
        """A ProgressCallback: the importers report (rows done, rows in all)."""
        if total != self.total:
            self.set_total(total)
        self.processed = min(done, total)
        if self.processed - self._reported >= PROGRESS_EVERY or self.processed == self.total:
            self.flush()

    def advance(self, count: int = 1) -> None:
        self.processed = min(self.processed + count, self.total)
        if self.processed - self._reported >= PROGRESS_EVERY or self.processed == self.total:
            self.flush()


JobHandler = Callable[[JobRun], dict[str, Any]]
_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        _HANDLERS[kind] = handler
        return handler

    return register


def handler_for(kind: str) -> JobHandler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no handler registered for job kind {kind!r}") from None
