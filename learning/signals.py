"""Framework glue: publishing a change event (a Wagtail snippet) enrols its audience, after commit."""

from django.db import transaction

from cms.models import ChangeEvent


def on_published(sender, instance, **kwargs) -> None:
    if isinstance(instance, ChangeEvent):
        from learning.tasks import enrol_event_audience

        event_id = instance.pk
        transaction.on_commit(lambda: enrol_event_audience.delay(event_id))
