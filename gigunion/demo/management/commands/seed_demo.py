from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gigunion.demo.services import demo_is_seeded, demo_logins, demo_seed
from gigunion.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create the demo city (贵阳市): federations, staff users, enterprises, unions with their coverage, "
        "a worklist and founding applications, if the database has no organizations yet."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_PASSWORD:
            raise CommandError("GIGUNION_DEMO_PASSWORD is not set; demo data is not created in production without it.")
        if not Region.objects.filter(code="520100").exists():
            raise CommandError("Regions are not loaded: run `manage.py load_regions` first.")
        if demo_is_seeded():
            self.stdout.write("Demo data: the database already has organizations; nothing created.")
        else:
            demo_seed()
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo data created: 贵阳市 with its districts, staff, enterprises, unions and worklist."
                )
            )
        with translation.override(settings.LANGUAGE_CODE):
            logins = demo_logins()
        if logins:
            self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
            for login in logins:
                self.stdout.write(f"  {login.username:<18} {login.name}  {login.organization} · {login.role}")
