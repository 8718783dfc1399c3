"""The survey dataset shared by the surveys tests: the ledger of tests/ledger plus employers and coverage.

People (tests/ledger/test_reconciliation.py, at work unless said): 陈小军 南明区 rider (member),
马建国 云岩区 truck driver (member), 王小明 南明区 rider, 李娟 云岩区 courier (pending), 张伟 云岩区 rider
(moved from 南明区, listed by two sources), 赵强 花溪区 courier (not at work), 刘洋 南明区 rider member
in no roster.

Employers (all in 南明区's first street unless said):
| employer | occupations | covered by |
|---|---|---|
| 南明快送 | delivery_rider, courier | 南明区网约送餐员联合工会 (joint, 南明区) |
| 南明货运 | truck_driver | — |
| 南明家政 | (no breakdown) | — |
| 云岩物流 (云岩区) | truck_driver | 云岩区货车司机工会联合会 (云岩区) |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gigunion.enterprises.models import Enterprise
from gigunion.founding.services import coverage_start
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.ledger.test_reconciliation import Ledger, build_ledger
from tests.people import Members


@dataclass
class Survey:
    ledger: Ledger
    kuaisong: Enterprise
    huoyun: Enterprise
    jiazheng: Enterprise
    wuliu: Enterprise
    nanming_street: Region
    yunyan_street: Region


def build_survey(cast: Cast, members: Members) -> Survey:
    ledger = build_ledger(cast, members)
    nanming_street = cast.district_street.region
    yunyan_street = cast.other_street.region
    assert nanming_street is not None
    assert yunyan_street is not None

    def employer(name: str, code: str, region: Region, breakdown: dict[str, int]) -> Enterprise:
        return Enterprise.objects.create(name=name, credit_code=code, region=region, workers_by_occupation=breakdown)

    kuaisong = employer("南明快送", "91520102MA6DKS0001", nanming_street, {"delivery_rider": 30, "courier": 5})
    huoyun = employer("南明货运", "91520102MA6DKS0002", nanming_street, {"truck_driver": 12})
    jiazheng = employer("南明家政", "91520102MA6DKS0003", nanming_street, {})
    wuliu = employer("云岩物流", "91520103MA6DKS0004", yunyan_street, {"truck_driver": 40, "courier": 0})
    coverage_start(organization=cast.district_grassroots, enterprise=kuaisong, started_on=date(2026, 1, 5))
    coverage_start(organization=cast.other_grassroots, enterprise=wuliu, started_on=date(2026, 2, 1))
    return Survey(ledger, kuaisong, huoyun, jiazheng, wuliu, nanming_street, yunyan_street)
