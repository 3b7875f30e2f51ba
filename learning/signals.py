"""Framework glue for Wagtail's `published` signal.

Publishing a change event enrols its audience (a Celery task, after commit); publishing a module
brings its practice cards in line with its questions (a few set-based updates, in the same transaction).
"""

from django.db import transaction

from cms.models import ChangeEvent, MicroModule


def on_published(sender, instance, **kwargs) -> None:
    if isinstance(instance, ChangeEvent):
        from learning.tasks import enrol_event_audience

        event_id = instance.pk
        transaction.on_commit(lambda: enrol_event_audience.delay(event_id))
    elif isinstance(instance, MicroModule):
        from learning.practice.cards import on_module_published

        on_module_published(instance)
