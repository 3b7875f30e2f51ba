"""The Celery app: configuration from Django settings (CELERY_ namespace), tasks from each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("micromoments")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# backend is the project, not an installed app: name its task module for the worker.
app.conf.imports = ("backend.tasks",)


def _bind_task_ids() -> None:
    # Each task's log lines carry its id and name (backend.logs).
    from celery.signals import task_postrun, task_prerun

    from backend.logs import on_task_postrun, on_task_prerun

    task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="backend.logs.task_prerun")
    task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="backend.logs.task_postrun")


_bind_task_ids()
