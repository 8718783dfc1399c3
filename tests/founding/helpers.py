"""Small builders shared by the founding tests: credit codes, an enterprise list, staff."""

from __future__ import annotations

from gigunion.enterprises.models import Enterprise
from gigunion.enterprises.services import enterprises_import
from gigunion.orgs.models import StaffAccount, StaffRole, UnionOrganization
from gigunion.orgs.services import staff_account_create
from tests.conftest import PASSWORD
from tests.core.test_validators import credit_with_check

ENTERPRISE_HEADER = (
    "单位名称,统一社会信用代码,所属行业,区划代码,地址,职工人数,新就业形态劳动者人数,企业类型,上级企业统一社会信用代码\n"
)


def credit(number: int, region: str = "520102") -> str:
    """A valid unified social credit code, different for every number."""
    return credit_with_check(f"91{region}MA6H{number:05d}")


def register(*rows: str) -> dict[str, Enterprise]:
    """Import enterprise rows (CSV lines without the header); every row must be accepted. Keyed by name."""
    data = (ENTERPRISE_HEADER + "".join(f"{row}\n" for row in rows)).encode("utf-8")
    report = enterprises_import(data=data, filename="企业名单.csv")
    assert report.errors == []
    return {enterprise.name: enterprise for enterprise in Enterprise.objects.all()}


def staff(username: str, name: str, organization: UnionOrganization, role: StaffRole) -> StaffAccount:
    return staff_account_create(
        username=username, password=PASSWORD, display_name=name, organization=organization, role=role
    )
