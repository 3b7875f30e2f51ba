"""Framework glue for Wagtail's `published` and `unpublished` signals.

Publishing a change event moves its journeys to its (new) date and resumes those its unpublishing
ended, in the same transaction, then enrols the rest of its audience (a Celery task, after commit; with the broker down, the next
reconcile_enrolments sweep);
unpublishing or expiring one ends its journeys. Publishing a module brings its practice cards in
line with its questions (a few set-based updates, in the same transaction).
"""

from django.utils import timezone

from cms.handoff import after_commit
from cms.models import ChangeEvent, MicroModule


def on_published(sender, instance, **kwargs) -> None:
    if isinstance(instance, ChangeEvent):
        from learning.journeys.enrolment import follow_published_event
        from learning.tasks import enrol_event_audience

        follow_published_event(instance, now=timezone.now())
        after_commit(
            enrol_event_audience,
            instance.pk,
            if_broker_down="sweep",
            sweep="learning.tasks.reconcile_enrolments",
        )
    elif isinstance(instance, MicroModule):
        from learning.practice.cards import on_module_published

        on_module_published(instance)


def on_unpublished(sender, instance, **kwargs) -> None:
    if isinstance(instance, ChangeEvent):
        from learning.journeys.enrolment import end_unpublished_event

        end_unpublished_event(instance, now=timezone.now())
