"""HR adds a learner in the Django admin: they are enrolled in the live events they match."""

import pytest

from cms.models import ChangeEvent
from learning.models import Enrollment, Learner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_learner_added_in_the_admin_is_enrolled_in_matching_events(admin_client):
    event = ChangeEvent.objects.create(
        name="Helm 3 rollout", kind="software_rollout", date="2026-12-01", audience_everyone=True
    )
    event.save_revision().publish()
    user = UserFactory(username="newhire")
    response = admin_client.post(
        "/django-admin/learning/learner/add/",
        {
            "user": user.pk,
            "role": "Support agent",
            "team": "Support",
            "timezone": "Europe/Paris",
            "locale": "fr",
            "start_date": "2026-11-30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    learner = Learner.objects.get(user=user)
    assert Enrollment.objects.get(learner=learner).event == event


def test_an_unknown_time_zone_is_refused_with_a_message(admin_client):
    user = UserFactory(username="newhire")
    response = admin_client.post(
        "/django-admin/learning/learner/add/",
        {"user": user.pk, "timezone": "Mars/Olympus", "locale": "en"},
    )
    assert response.status_code == 200
    assert "is not an IANA time zone" in response.content.decode()
    assert not Learner.objects.exists()
