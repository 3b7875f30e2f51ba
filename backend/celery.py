"""The Celery app: configuration from Django settings (CELERY_ namespace), tasks from each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("micromoments")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# backend is the project, not an installed app: name its task module for the worker.
app.conf.imports = ("backend.tasks",)
