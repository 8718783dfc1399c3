"""Platform clients of the shared cast.

- manbang (满帮): agreement held by 贵阳市总工会, so its rosters may place workers anywhere in 贵阳市;
  `manbang_key` has every scope, `manbang_status_key` only status:read.
- haohuo (好活): agreement held by 云岩区总工会 (the other district); `haohuo_key` has every scope.
Each key is the full text a platform sends as `Authorization: Bearer <key>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from gigunion.platforms.models import Platform, Scope
from gigunion.platforms.services import api_key_issue, platform_save
from tests.conftest import Cast

ALL_SCOPES = [str(scope) for scope in Scope.values]


@dataclass
class PlatformCast:
    manbang: Platform
    haohuo: Platform
    manbang_key: str
    manbang_status_key: str
    haohuo_key: str

    @staticmethod
    def client(key: str | None) -> Client:
        """A test client that sends this key on every request (None: no key at all)."""
        if key is None:
            return Client()
        return Client(headers={"Authorization": f"Bearer {key}"})


def build_platforms(cast: Cast) -> PlatformCast:
    actor = cast.city_staff.user
    manbang = platform_save(code="manbang", name="满帮", organization=cast.city, actor=actor)
    haohuo = platform_save(code="haohuo", name="好活", organization=cast.other_district, actor=actor)
    return PlatformCast(
        manbang=manbang,
        haohuo=haohuo,
        manbang_key=api_key_issue(platform=manbang, name="生产", scopes=ALL_SCOPES, actor=actor).text,
        manbang_status_key=api_key_issue(
            platform=manbang, name="只读", scopes=[Scope.STATUS_READ.value], actor=actor
        ).text,
        haohuo_key=api_key_issue(platform=haohuo, name="生产", scopes=ALL_SCOPES, actor=actor).text,
    )
