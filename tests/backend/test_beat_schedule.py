"""Every periodic job names a task the worker knows."""

from django.conf import settings

from backend.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names <= set(app.tasks), names - set(app.tasks)
    assert {"nudges.tasks.plan", "nudges.tasks.dispatch", "nudges.tasks.reap"} <= names
