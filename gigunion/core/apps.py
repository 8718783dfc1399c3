from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gigunion.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from gigunion.core import checks, signals  # noqa: F401  (registers checks and signal handlers)
