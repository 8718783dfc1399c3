from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "gigunion.members"
    label = "members"

    def ready(self) -> None:
        from gigunion.members import jobs  # noqa: F401  (registers the job handlers)
