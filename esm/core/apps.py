from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "esm.core"
    label = "core"
    verbose_name = "Core"
