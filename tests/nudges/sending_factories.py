"""Factories for devices and nudges as the planner leaves them (state `planned`)."""

import datetime

import factory
from django.utils import timezone

from nudges.models import Device, Nudge, Platform
from tests.factories import LearnerFactory, UserFactory


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    user = factory.SubFactory(UserFactory)
    fid = factory.Sequence(lambda n: f"fid-{n:06d}")
    token = None
    platform = Platform.ANDROID
    app_version = "3.4.1"
    locale = "en-GB"
    last_seen_at = factory.LazyFunction(timezone.now)


class NudgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nudge

    learner = factory.SubFactory(LearnerFactory)
    kind = Nudge.Kind.PRACTICE_DUE
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    title = "2 questions on refunds"
    body = "1 minute"
    deep_link = "micromoments://practice?module=7"
    planned_for = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=1))
    expires_at = factory.LazyAttribute(lambda n: n.planned_for + datetime.timedelta(hours=2))
