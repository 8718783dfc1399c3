"""Demo survey rounds (摸底轮次) of 贵阳市: 2024 H1 to 2025 H2 submitted by the city federation, with the four key
groups' workers and members of every district and county entered from survey sheets, so the trend tells a
story (the key groups' membership rate from about 45% to about 75%); one correction with its reason; and
2026 H1 open, with 南明区's sheets entered but nothing submitted.

Rounds are opened for the whole province; the demo has no provincial administrator, so they are created
directly. Everything else goes through the services staff use, submissions at a moment inside each round.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gigunion.core.occupations import KEY_GROUPS
from gigunion.orgs.models import StaffAccount
from gigunion.regions.models import Region
from gigunion.surveys.models import SurveyRound
from gigunion.surveys.services import round_correct, round_submit, survey_entry_save

CITY = "520100"
# name, from, to, the key groups' membership rate of the round, submitted
DEMO_ROUNDS = [
    ("2024 H1", date(2024, 1, 1), date(2024, 6, 30), 0.45, True),
    ("2024 H2", date(2024, 7, 1), date(2024, 12, 31), 0.55, True),
    ("2025 H1", date(2025, 1, 1), date(2025, 6, 30), 0.65, True),
    ("2025 H2", date(2025, 7, 1), date(2025, 12, 31), 0.75, True),
    ("2026 H1", date(2026, 1, 1), date(2026, 6, 30), 0.78, False),
]
# Workers of a key group in a district, per 100 of its size.
_GROUP_WEIGHT = {"truck_driver": 4, "ride_hailing_driver": 3, "courier": 2, "delivery_rider": 5}
_OPEN_ROUND_REGIONS = ("520102",)


def demo_key_group_figures(index: int, group: str, round_index: int, rate: float) -> tuple[int, int]:
    """(workers, members) of the district with this index (by code) in a key group, in the round with this index."""
    size = 300 + 37 * index
    workers = round(size * _GROUP_WEIGHT[group] * (1 + 0.05 * round_index))
    spread = (index % 3 - 1) * 0.04  # some districts ahead of the city, some behind
    return workers, round(workers * min(rate + spread, 0.95))


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(16, 0)))


def seed_surveys(staff: dict[str, StaffAccount]) -> None:
    if SurveyRound.objects.filter(name__in=[row[0] for row in DEMO_ROUNDS]).exists():
        return
    admin = staff["guiyang_admin"].user
    districts = list(Region.objects.filter(parent_id=CITY, is_current=True).order_by("code"))
    for round_index, (name, starts_on, ends_on, rate, submitted) in enumerate(DEMO_ROUNDS):
        survey_round = SurveyRound.objects.create(name=name, starts_on=starts_on, ends_on=ends_on)
        for index, district in enumerate(districts):
            if not submitted and district.code not in _OPEN_ROUND_REGIONS:
                continue
            for group in KEY_GROUPS:
                workers, members = demo_key_group_figures(index, str(group), round_index, rate)
                survey_entry_save(
                    user=admin,
                    round=survey_round,
                    region_code=district.code,
                    occupation=str(group),
                    values={"workers": workers, "members": members},
                    note=f"{district.name}{name}摸底表",
                )
        if submitted:
            round_submit(user=admin, round=survey_round, now=_moment(ends_on - timedelta(days=3)))
        if name == "2025 H1":
            yunyan = next(index for index, district in enumerate(districts) if district.code == "520103")
            workers, _members = demo_key_group_figures(yunyan, "courier", round_index, rate)
            round_correct(
                user=admin,
                round=survey_round,
                region_code="520103",
                occupation="courier",
                values={"workers": workers + 120},
                reason="顺丰、中通两家网点漏报120名快递员，经区总工会核实补报",
                now=_moment(ends_on + timedelta(days=10)),
            )
