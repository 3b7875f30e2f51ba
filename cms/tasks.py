"""Periodic content work."""

from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True)
def publish_scheduled_pages() -> None:
    """Publish and unpublish pages whose go_live_at / expire_at has passed (Wagtail's own command)."""
    call_command("publish_scheduled")
