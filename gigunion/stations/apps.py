from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "gigunion.stations"
    label = "stations"
    verbose_name = _("Stations and partner merchants")

    def ready(self) -> None:
        from gigunion.stations import jobs  # noqa: F401  (registers the job handlers)
