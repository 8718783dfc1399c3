from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoundingConfig(AppConfig):
    name = "gigunion.founding"
    label = "founding"
    verbose_name = _("Union founding")

    def ready(self) -> None:
        from gigunion.founding import jobs  # noqa: F401  (registers the job handlers)
