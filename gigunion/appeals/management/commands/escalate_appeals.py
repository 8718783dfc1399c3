"""Escalate overdue appeals to the parent of the union holding them (ADR 0010).

There is no scheduler in the project (django-tasks runs queued jobs only): run this from cron, e.g. every hour,
`python manage.py escalate_appeals`. The appeal list pages also escalate before they render."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gigunion.appeals.services import appeals_escalate


class Command(BaseCommand):
    help = "Escalate overdue open appeals (clock running) once to the parent of the union holding them."

    def handle(self, *args: Any, **options: Any) -> None:
        count = appeals_escalate()
        self.stdout.write(f"escalated {count}")
