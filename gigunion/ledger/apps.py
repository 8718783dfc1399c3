from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "gigunion.ledger"
    label = "ledger"
    verbose_name = _("Worker ledger")

    def ready(self) -> None:
        from gigunion.ledger import jobs  # noqa: F401  (registers the job handlers)
