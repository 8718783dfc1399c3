"""Who may see which workers of the ledger: those whose work region lies in the staff user's jurisdiction.

The rules for personal data are the members' (members.access.may_reveal_personal_data): ID numbers
and phones are masked unless the user is an administrator or holds members.view_personal_data, and
every unmasked view or export is audited by the interface.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gigunion.core.exceptions import NotVisible
from gigunion.ledger.models import Worker
from gigunion.members.access import may_reveal_personal_data
from gigunion.orgs.access import require_jurisdiction

__all__ = ["may_reveal_personal_data", "worker_for_staff", "workers_visible_to"]


def workers_visible_to(user: Any) -> QuerySet[Worker]:
    jurisdiction = require_jurisdiction(user)
    if not jurisdiction.region_prefix:
        return Worker.objects.all()
    return Worker.objects.filter(work_region__code__startswith=jurisdiction.region_prefix)


def worker_for_staff(user: Any, *, worker_id: int) -> Worker:
    worker = workers_visible_to(user).select_related("work_region", "employer").filter(pk=worker_id).first()
    if worker is None:
        raise NotVisible()
    return worker
