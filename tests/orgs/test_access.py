from __future__ import annotations

import pytest

from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.orgs import access
from gigunion.orgs.models import OrganizationType, UnionOrganization
from gigunion.orgs.services import organization_create, organization_move
from tests.conftest import Cast


def names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


def test_it_limits_a_district_user_to_their_district(cast: Cast) -> None:
    user = cast.district_staff.user
    assert names(access.organizations_visible_to(user)) == sorted(
        ["南明区总工会", cast.district_street.name, "南明区网约送餐员联合工会"]
    )
    assert access.organization_for_staff(user, organization_id=cast.district_grassroots.pk) == cast.district_grassroots
    with pytest.raises(NotVisible):
        access.organization_for_staff(user, organization_id=cast.other_grassroots.pk)
    with pytest.raises(NotVisible):
        access.organization_for_staff(user, organization_id=cast.city.pk)


def test_it_gives_the_city_everything_below_it(cast: Cast) -> None:
    user = cast.city_staff.user
    assert names(access.organizations_visible_to(user)) == sorted(
        [
            "贵阳市总工会",
            "南明区总工会",
            "云岩区总工会",
            cast.district_street.name,
            cast.other_street.name,
            "南明区网约送餐员联合工会",
            "云岩区货车司机工会联合会",
        ]
    )
    assert access.organization_for_staff(user, organization_id=cast.other_grassroots.pk, change=True)
    with pytest.raises(NotVisible):
        access.organization_for_staff(user, organization_id=cast.province.pk)


def test_it_scopes_regions_by_code_prefix(cast: Cast) -> None:
    user = cast.district_staff.user
    assert access.region_for_staff(user, code="520102").name == "南明区"
    assert access.region_for_staff(user, code=str(cast.district_street.region_id)).level == "township"
    for code in ("520103", "520100", str(cast.other_street.region_id), "110105", "999999"):
        with pytest.raises(NotVisible):
            access.region_for_staff(user, code=code)
    visible = access.regions_visible_to(user)
    assert visible.exclude(code__startswith="520102").count() == 0
    assert visible.filter(code="520102").exists()
    city_regions = access.regions_visible_to(cast.city_staff.user)
    assert city_regions.filter(code="520103").exists()
    assert not city_regions.filter(code="520000").exists()


def test_it_lets_a_viewer_look_but_not_change(cast: Cast) -> None:
    viewer = cast.district_viewer.user
    assert access.organization_for_staff(viewer, organization_id=cast.district.pk) == cast.district
    with pytest.raises(NotAllowed):
        access.organization_for_staff(viewer, organization_id=cast.district.pk, change=True)
    assert access.organization_for_staff(cast.district_staff.user, organization_id=cast.district.pk, change=True)


def test_it_lets_only_administrators_change_staff(cast: Cast) -> None:
    account = cast.district_viewer
    assert access.staff_account_for_staff(cast.city_staff.user, staff_id=account.pk, change=True) == account
    with pytest.raises(NotAllowed):
        access.staff_account_for_staff(cast.district_staff.user, staff_id=account.pk, change=True)
    with pytest.raises(NotVisible):
        access.staff_account_for_staff(cast.other_district_staff.user, staff_id=account.pk)


def test_it_refuses_users_without_a_union_organization(cast: Cast) -> None:
    assert access.jurisdiction_of(cast.outsider) is None
    with pytest.raises(NotAllowed):
        access.organizations_visible_to(cast.outsider)
    with pytest.raises(NotAllowed):
        access.organization_for_staff(cast.outsider, organization_id=cast.district.pk)


def test_it_counts_organizations_per_child_region(cast: Cast) -> None:
    from gigunion.regions.models import Region

    regions = list(Region.objects.filter(code__in=["520102", "520103", "520111"]).order_by("code"))
    assert access.organization_counts_by_region(cast.city_staff.user, regions=regions) == {
        "520102": 3,
        "520103": 3,
        "520111": 0,
    }
    # The district user does not see the other district's organizations, even when asking for counts.
    assert access.organization_counts_by_region(cast.district_staff.user, regions=regions) == {
        "520102": 3,
        "520103": 0,
        "520111": 0,
    }


def test_it_keeps_paths_right_when_a_subtree_moves(cast: Cast) -> None:
    moved = organization_move(organization=cast.district_street, new_parent=cast.district_grassroots)
    assert moved.path == f"{cast.district_grassroots.path}{moved.pk}/"
    assert moved.depth == cast.district_grassroots.depth + 1
    with pytest.raises(DomainError):
        organization_move(organization=cast.district, new_parent=cast.district_grassroots)
    with pytest.raises(DomainError):  # 南明区's street cannot go under 云岩区
        organization_move(organization=cast.district_street, new_parent=cast.other_district)


def test_it_refuses_a_child_outside_its_parents_region(cast: Cast) -> None:
    from gigunion.regions.models import Region

    with pytest.raises(DomainError):
        organization_create(
            name="外区工会",
            organization_type=OrganizationType.ENTERPRISE,
            region=Region.objects.get(code="520103"),
            parent=cast.district,
        )
    assert not UnionOrganization.objects.filter(name="外区工会").exists()
