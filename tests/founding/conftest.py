"""Fixtures of the founding suite.

The founding domain's messages are pinned in English (the msgids): their Chinese translations are
being written separately, and an assertion on the msgid stays exact whatever the catalogue holds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from gigunion.enterprises.models import Enterprise
from tests.conftest import Cast
from tests.founding.helpers import credit, register


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def registry(cast: Cast) -> dict[str, Enterprise]:
    """Enterprises of 南明区 and 云岩区, one for each branch of the default rules; keyed by name.

    云岩区's freight federation organizes 道路货物运输. Head counts: (职工人数, 新就业形态劳动者人数).
    """
    cast.other_grassroots.industry = "道路货物运输"
    cast.other_grassroots.save(update_fields=["industry"])
    return register(
        f"贵州顺丰速运有限公司,{credit(1)},快递,520102,,300,120,平台总部,",  # 300 people
        f"顺丰五里冲网点,{credit(2)},快递,520102001,,12,10,加盟,{credit(1)}",  # 12, franchise of the HQ
        f"顺丰小车河分部,{credit(3)},快递,520102002,,,,分支机构,{credit(1)}",  # unknown, branch of the HQ
        f"五里冲家政服务部,{credit(4)},家政,520102001,,6,,,",  # 6
        f"小车河快递驿站,{credit(5)},快递,520102002,,,9,,",  # 9
        f"五里冲代驾服务部,{credit(6)},代驾,520102001,,5,25,,",  # 25
        f"五里冲外卖站,{credit(7)},外卖配送,520102001,,24,10,,",  # 24
        f"南明区某劳务公司,{credit(8)},,520102,,,,劳务派遣,",  # unknown
        f"南明十人网点,{credit(9)},快递,520102003,,10,,,",  # 10
        f"云岩货运有限公司,{credit(10, '520103')},道路货物运输,520103001,,15,15,,",  # 15, has a federation
        f"云岩快递网点,{credit(11, '520103')},快递,520103001,,15,,,",  # 15, no federation
    )
