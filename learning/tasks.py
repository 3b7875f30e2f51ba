"""Learning's Celery tasks: thin, id-taking, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from learning.journeys import enrolment


@shared_task(acks_late=True, ignore_result=True)
def enrol_event_audience(event_id: int) -> None:
    enrolment.enrol_audience(event_id, today=timezone.localdate())
