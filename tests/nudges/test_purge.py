"""Retention: push payloads and delivery rows older than NUDGES_KEEP_DAYS are purged by beat's
daily task; younger ones, and the nudges themselves, stay."""

import datetime

import pytest
from django.utils import timezone

from nudges.models import Delivery, Nudge, OutboxMessage
from nudges.tasks import purge_old_records
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def sent(days_ago: int) -> Nudge:
    nudge = NudgeFactory(state=Nudge.State.SENT)
    device = DeviceFactory(user=nudge.learner.user)
    delivery = Delivery.objects.create(nudge=nudge, device=device, state=Delivery.State.SENT)
    message = OutboxMessage.objects.create(
        nudge=nudge, device=device, address=device.token or "fid", payload={"message": {}}
    )
    then = timezone.now() - days_ago * DAY
    Delivery.objects.filter(pk=delivery.pk).update(created_at=then)
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=then)
    return nudge


def test_records_older_than_the_setting_are_purged_and_the_rest_kept(settings):
    settings.NUDGES_KEEP_DAYS = 120
    old, recent = sent(days_ago=121), sent(days_ago=119)

    assert purge_old_records.apply().get() == {"outbox messages": 1, "deliveries": 1}

    assert list(OutboxMessage.objects.values_list("nudge_id", flat=True)) == [recent.pk]
    assert list(Delivery.objects.values_list("nudge_id", flat=True)) == [recent.pk]
    assert Nudge.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2  # history stays
    assert purge_old_records.apply().get() == {"outbox messages": 0, "deliveries": 0}


def test_a_purge_larger_than_one_batch_takes_several(settings, monkeypatch):
    from nudges import purge

    monkeypatch.setattr(purge, "BATCH", 2)
    settings.NUDGES_KEEP_DAYS = 90
    for _ in range(5):
        sent(days_ago=200)
    assert purge_old_records.apply().get() == {"outbox messages": 5, "deliveries": 5}
    assert not OutboxMessage.objects.exists()
