"""Periodic housekeeping of the API root."""

from celery import shared_task
from django.utils import timezone

from backend.auth import purge_expired_tokens as purge


@shared_task(ignore_result=True)
def purge_expired_tokens() -> int:
    return purge(now=timezone.now())
