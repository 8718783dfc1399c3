"""Ledger workers to invite, on top of the shared cast and its members (tests/people.py).

- wang: 王小明, delivery rider in 南明区 with a phone and a platform id: to be invited;
- zhang: 张伟, courier in 南明区 without a phone;
- rider: 陈小军, the cast's member, also listed by the roster;
- li: 李娟, courier in 云岩区 (the other district) with a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gigunion.ledger.models import SourceKind, Worker, worker_key
from gigunion.ledger.roster import roster_import
from gigunion.ledger.services import source_named
from gigunion.members.selectors import id_number_index
from tests.people import RIDER_ID, RIDER_PHONE, id_with_check

HEADERS = "姓名,身份证号,手机号,职业,平台,平台工号,用工单位,用工单位统一社会信用代码,工作地区划代码,在岗"
WANG_ID = id_with_check("52010219900307101")
WANG_PHONE = "13985101001"
ZHANG_ID = id_with_check("52010219921201303")
LI_ID = id_with_check("52010319850611202")
LI_PHONE = "13985101002"


@dataclass
class Invitees:
    wang: Worker
    zhang: Worker
    rider: Worker
    li: Worker


def build_invitees() -> Invitees:
    lines = [
        HEADERS,
        f"王小明,{WANG_ID},{WANG_PHONE},网约送餐员,美团,MT001,贵阳某某配送站,,520102,是",
        f"张伟,{ZHANG_ID},,快递员,,,,,520102,是",
        f"陈小军,{RIDER_ID},{RIDER_PHONE},网约送餐员,美团,MT002,,,520102,是",
        f"李娟,{LI_ID},{LI_PHONE},快递员,,,,,520103,是",
    ]
    report = roster_import(
        data=("\n".join(lines) + "\n").encode(),
        filename="r.csv",
        source=source_named("美团", SourceKind.PLATFORM),
        as_of=date(2026, 1, 31),
    )
    assert report.summary_line() == "imported 4, updated 0, unchanged 0, rejected 0"

    def worker(id_number: str) -> Worker:
        return Worker.objects.get(pk=worker_key(id_number_index(id_number)))

    return Invitees(wang=worker(WANG_ID), zhang=worker(ZHANG_ID), rider=worker(RIDER_ID), li=worker(LI_ID))
