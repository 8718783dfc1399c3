from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "gigunion.office"
    label = "office"
