from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "esm.web"
    label = "web"
