from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gigunion.demo"
    label = "demo"
