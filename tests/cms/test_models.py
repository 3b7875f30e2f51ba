"""Content models: derived minutes, change events and journey steps."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cms.models import ChangeEvent, EventAudience, JourneyStep, MicroModule
from cms.modules import estimate_minutes
from tests.factories import publish_module, question, text

pytestmark = pytest.mark.django_db


def words(n: int) -> str:
    return "<p>" + " ".join(["word"] * n) + "</p>"


def test_minutes_are_derived_from_words_and_video_length(library):
    module = publish_module(
        body=[
            text(words(400)),  # two minutes of reading at 200 words a minute
            (
                "video",
                {"url": "https://video.example.com/a.mp4", "title": "Demo", "duration_seconds": 90},
            ),
        ]
    )
    # 2 min of words (+ the 1-word title) and 1.5 min of video → 4 min, rounded up.
    assert module.estimated_minutes == 4


def test_an_authors_minutes_win_over_the_derived_ones(library):
    module = publish_module(body=[text(words(2000))], minutes_override=3)
    assert module.estimated_minutes == 3


def test_minutes_follow_the_published_revision(library):
    module = publish_module(body=[text(words(100))])
    assert module.estimated_minutes == 1
    module.body = [text(words(1000))]
    module.save_revision().publish()
    module.refresh_from_db()
    assert module.estimated_minutes == 5


def test_a_module_is_never_estimated_at_zero_minutes():
    assert estimate_minutes([]) == 1


def test_a_question_counts_more_than_its_words(library):
    module = MicroModule(title="Q", summary="s", body=[question(prompt=" ".join(["word"] * 150))])
    assert estimate_minutes(module.body) == 2


def test_a_non_onboarding_event_needs_a_date():
    event = ChangeEvent(name="Smart Tariff launch", kind=ChangeEvent.Kind.PRODUCT_LAUNCH)
    with pytest.raises(ValidationError) as exc:
        event.full_clean()
    assert "date" in exc.value.message_dict


def test_an_onboarding_event_anchors_on_start_dates():
    event = ChangeEvent(name="Onboarding", kind=ChangeEvent.Kind.ONBOARDING)
    event.full_clean()
    assert event.anchors_on_start_date


def test_an_audience_rule_needs_a_role_or_a_team():
    rule = EventAudience(role="", team=" ")
    with pytest.raises(ValidationError):
        rule.clean()


def test_a_formal_step_needs_a_module(library):
    event = ChangeEvent.objects.create(
        name="Rollout", kind="software_rollout", date=datetime.date(2026, 12, 1)
    )
    step = JourneyStep(event=event, title="Read the guide", kind=JourneyStep.Kind.FORMAL)
    with pytest.raises(ValidationError) as exc:
        step.clean()
    assert "module" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        step.save()


def test_step_kinds_map_to_70_20_10_categories(library):
    assert JourneyStep(kind="on_the_job").category == "experience"
    assert JourneyStep(kind="social").category == "social"
    assert JourneyStep(kind="formal").category == "formal"
