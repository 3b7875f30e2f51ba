"""Modules scheduled around a launch go live when beat runs the publishing task."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from cms.models import MicroModule
from cms.tasks import publish_scheduled_pages
from tests.factories import publish_module

pytestmark = pytest.mark.django_db


def test_beat_runs_scheduled_publishing_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-pages"]
    assert entry["task"] == publish_scheduled_pages.name
    assert entry["schedule"].minute == set(range(60))


def test_a_module_scheduled_for_the_past_goes_live_when_the_task_runs(api_client, library):
    module = publish_module(title="Launch-day playbook", live=False)
    revision = module.save_revision()
    module.refresh_from_db()
    revision.content["go_live_at"] = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.save()
    assert api_client.get(f"/api/v1/modules/{module.pk}").status_code == 404

    publish_scheduled_pages.apply()

    assert MicroModule.objects.get(pk=module.pk).live
    assert api_client.get(f"/api/v1/modules/{module.pk}").status_code == 200


def test_a_module_scheduled_for_later_stays_unpublished(library):
    module = publish_module(title="Next week", live=False)
    revision = module.save_revision()
    revision.approved_go_live_at = timezone.now() + datetime.timedelta(days=7)
    revision.save()
    publish_scheduled_pages.apply()
    assert not MicroModule.objects.get(pk=module.pk).live
