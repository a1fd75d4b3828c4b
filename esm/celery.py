"""The Celery application; the broker comes from settings (embedded filesystem broker by default)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esm.settings")

app = Celery("esm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
