"""A person's data under their control: GET /me/export gives a learner everything held about them,
and an administrator the same file for a data request; nobody else's, and no push address."""

import datetime
import json
import uuid

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from cms.models import ChangeEvent
from learning.models import Activity, Card, Enrollment, Pause, Verb
from learning.practice import cards as practice
from nudges.models import NudgePreferences
from tests.factories import LearnerFactory, UserFactory, publish_module, question, token_client
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

pytestmark = pytest.mark.django_db

SECTIONS = {
    "exported_at", "profile", "nudge_preferences", "devices", "enrollments", "activities",
    "practice_cards", "practice_reviews", "pauses", "celebrations", "nudges",
}  # fmt: skip


@pytest.fixture
def dana(library):
    boss = UserFactory(username="boss", first_name="Morgan", last_name="Lee")
    learner = LearnerFactory(
        user__username="dana", user__first_name="Dana", user__last_name="Scully",
        user__email="dana@brightwave.example", manager=boss, role="Support agent",
        timezone="Europe/Berlin",
    )  # fmt: skip
    module = publish_module(title="Refunds", body=[question("Who approves a refund?")])
    event = ChangeEvent.objects.create(
        name="Flex launch", kind="product_launch", date=timezone.localdate()
    )
    Enrollment.objects.create(learner=learner, event=event, anchor_date=event.date)
    now = timezone.now()
    Activity.objects.create(
        learner=learner, verb=Verb.MODULE_COMPLETED, category="formal", minutes=4,
        title="Refunds", occurred_at=now - datetime.timedelta(hours=1), module=module,
        rating=5, comment="Clear, thank you",
    )  # fmt: skip
    practice.create_cards_for_module(learner, module, now=now)
    card = Card.objects.get(learner=learner)
    practice.answer(
        learner, card_id=card.pk, client_id=uuid.uuid4(), answered_at=now, choices=[0],
        response_ms=7000, now=now,
    )  # fmt: skip
    Pause.objects.create(
        learner=learner, starts_on=event.date, ends_on=event.date, reason="Parental leave"
    )
    NudgePreferences.objects.create(learner=learner, daily_cap=2)
    DeviceFactory(user=learner.user, token="secret-fcm-registration-token")
    NudgeFactory(learner=learner, title="1 question on Refunds — 1 minute")
    return learner


def test_a_learner_exports_everything_held_about_them_without_push_addresses(dana):
    other = LearnerFactory(user__username="fox")
    NudgeFactory(learner=other, title="Someone else's nudge")
    response = token_client(dana.user).get("/api/v1/me/export")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == SECTIONS
    assert data["profile"]["email"] == "dana@brightwave.example"
    assert data["profile"]["manager"] == "Morgan Lee"
    assert data["nudge_preferences"]["daily_cap"] == 2
    assert [e["event"] for e in data["enrollments"]] == ["Flex launch"]
    [completed] = [a for a in data["activities"] if a["verb"] == "module_completed"]
    assert (completed["comment"], completed["rating"], completed["module"]) == (
        "Clear, thank you", 5, "Refunds",
    )  # fmt: skip
    assert [c["module"] for c in data["practice_cards"]] == ["Refunds"]
    [answer] = data["practice_reviews"]
    assert (answer["correct"], answer["response_ms"]) == (True, 7000)
    assert data["pauses"][0]["reason"] == "Parental leave"
    assert [n["title"] for n in data["nudges"]] == ["1 question on Refunds — 1 minute"]
    assert data["devices"][0]["platform"]
    text = response.content.decode()
    assert "secret-fcm-registration-token" not in text
    assert "Someone else" not in text
    assert "fox" not in text


def test_the_export_is_declared_in_the_openapi_with_its_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/me/export"]["get"]
    assert {"200", "401", "404", "429"} <= set(operation["responses"])
    assert client.get("/api/v1/me/export").status_code == 401


def test_an_administrator_downloads_the_same_file_for_a_data_request(dana, client):
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get(f"/django-admin/learning/learner/{dana.pk}/change/").content.decode()
    url = f"/django-admin/privacy/export/{dana.pk}/"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="personal-data-dana.json"'
    data = json.loads(response.content)
    assert set(data) == SECTIONS
    assert data["profile"]["username"] == "dana"
    assert "secret-fcm-registration-token" not in response.content.decode()
    assert client.get("/django-admin/privacy/export/999999999/").status_code == 404


def test_staff_without_the_permission_and_anyone_else_are_refused(dana, client):
    assert client.get(f"/django-admin/privacy/export/{dana.pk}/").status_code == 302  # sign in
    staff = UserFactory(username="helpdesk", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/django-admin/privacy/export/{dana.pk}/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_learner"))
    client.force_login(User.objects.get(pk=staff.pk))
    assert client.get(f"/django-admin/privacy/export/{dana.pk}/").status_code == 200
