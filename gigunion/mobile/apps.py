from django.apps import AppConfig


class MobileConfig(AppConfig):
    name = "gigunion.mobile"
    label = "mobile"
