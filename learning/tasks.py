"""Learning's Celery tasks: thin, id-taking, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from learning.journeys import enrolment
from learning.ledger import lrs
from learning.people import invitations
from learning.practice import calibration


@shared_task(acks_late=True, ignore_result=True)
def enrol_event_audience(event_id: int) -> None:
    enrolment.enrol_audience(event_id, today=timezone.localdate())


@shared_task(ignore_result=True)
def reconcile_enrolments() -> int:
    """Beat: enrol every live event's audience members who are not on its journey yet; repairs an
    enrolment the broker lost (cms.handoff), and costs one query per live event otherwise."""
    return enrolment.reconcile(today=timezone.localdate())


@shared_task(acks_late=True, ignore_result=True)
def send_password_link(email: str) -> None:
    # Takes the address, not ids: the API enqueues it for every request alike (see backend.passwords).
    invitations.send_password_reset(email, now=timezone.now())


@shared_task(acks_late=True, ignore_result=True)
def fit_scheduler() -> None:
    calibration.fit_all(now=timezone.now())


@shared_task(ignore_result=True)
def forward_to_lrs() -> dict[str, int]:
    """Beat, every minute: the ledger and practice answers beyond each mark, to the LRS."""
    return lrs.forward(now=timezone.now())
