from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "gigunion.members"
    label = "members"
