from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gigunion.api"
    label = "api"
