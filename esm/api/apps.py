from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "esm.api"
    label = "api"
