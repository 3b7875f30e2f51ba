"""Erasure on request (`manage.py erase_person EMAIL`): afterwards no text column of the database
holds the person's name, email or push address; the ledger and answers stay, anonymous, so the
analytics are what they were; an audit entry is left."""

import datetime
import io
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from learning.analytics import modules as module_analytics
from learning.models import Activity, Card, Erasure, Learner, Pause, Review, Verb
from learning.practice import cards as practice
from nudges.models import Delivery, Nudge, OutboxMessage
from tests.factories import LearnerFactory, UserFactory, publish_module, question, token_client
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

pytestmark = pytest.mark.django_db

NAME = "Zebulon Quartermaine"
EMAIL = "zq.erasure@brightwave.example"
PUSH_ADDRESS = "push-token-ZQ-0001"


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'json', 'jsonb')"
        )
        return cursor.fetchall()


def where_found(text: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(  # names from information_schema, the text as a parameter
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{text}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def person(library, client):
    boss = LearnerFactory(user__username="boss", user__first_name="Morgan", user__last_name="Lee")
    learner = LearnerFactory(
        user__username="zqm", user__first_name="Zebulon", user__last_name="Quartermaine",
        user__email=EMAIL, manager=boss.user, role="Support agent",
    )  # fmt: skip
    module = publish_module(title="Refunds", body=[question("Who approves a refund?")])
    now = timezone.now()
    Activity.objects.create(
        learner=learner, verb=Verb.MODULE_COMPLETED, category="formal", minutes=4,
        title="Refunds", occurred_at=now - datetime.timedelta(hours=1), module=module,
        rating=4, comment=f"Thanks — {NAME}, reachable at {EMAIL}",
    )  # fmt: skip
    practice.create_cards_for_module(learner, module, now=now)
    practice.answer(
        learner, card_id=Card.objects.get(learner=learner).pk, client_id=uuid.uuid4(),
        answered_at=now, choices=[0], response_ms=6000, now=now,
    )  # fmt: skip
    Pause.objects.create(
        learner=learner, starts_on=now.date(), ends_on=now.date(), reason=f"{NAME} on leave"
    )
    device = DeviceFactory(user=learner.user, token=PUSH_ADDRESS)
    theirs = NudgeFactory(learner=learner, title=f"For {NAME}", state=Nudge.State.SENT)
    Delivery.objects.create(nudge=theirs, device=device, state=Delivery.State.SENT)
    OutboxMessage.objects.create(
        nudge=theirs, device=device, address=PUSH_ADDRESS,
        payload={"message": {"token": PUSH_ADDRESS, "notification": {"title": theirs.title}}},
    )  # fmt: skip
    # Their name in what their manager was sent.
    waiting = NudgeFactory(learner=boss, title=f"{NAME} is waiting for you")
    boss_device = DeviceFactory(user=boss.user, token="boss-token")
    OutboxMessage.objects.create(
        nudge=waiting, device=boss_device, address="boss-token",
        payload={"message": {"notification": {"title": waiting.title}}},
    )  # fmt: skip
    token_client(learner.user)  # an API token for their phone
    # HR fixed their record in the Django admin (a LogEntry names them) ...
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    form = client.get(f"/django-admin/learning/learner/{learner.pk}/change/")
    assert form.status_code == 200
    client.post(
        f"/django-admin/learning/learner/{learner.pk}/change/",
        {
            "user": learner.user.pk, "role": "Senior agent", "team": "", "manager": boss.user.pk,
            "start_date": "", "timezone": "UTC", "locale": "en",
        },
    )  # fmt: skip
    client.logout()
    # ... and they once mistyped their admin password (django-axes keeps the attempt).
    client.post("/django-admin/login/", {"username": "zqm", "password": "wrong"})
    return learner


def test_after_erasure_no_text_column_holds_their_name_email_or_push_address(person):
    assert where_found(NAME)  # the fixture put it in many places
    assert where_found(PUSH_ADDRESS)
    completed_before = module_analytics.overview(
        thresholds=module_analytics.PainThresholds.from_settings()
    )
    ledger_before = Activity.objects.filter(learner=person).count()

    out = io.StringIO()
    call_command("erase_person", EMAIL.upper(), "--yes", stdout=out)

    assert f"Erased learner {person.pk}" in out.getvalue()
    for text in (NAME, "Zebulon", "Quartermaine", EMAIL, PUSH_ADDRESS):
        assert where_found(text) == [], text
    # The ledger and answers stay, anonymous: the analytics are what they were.
    assert Activity.objects.filter(learner=person).count() == ledger_before
    assert Review.objects.filter(learner=person).count() == 1
    completed_after = module_analytics.overview(
        thresholds=module_analytics.PainThresholds.from_settings()
    )
    assert [(m.title, m.completed, m.ratings) for m in completed_after.modules] == [
        (m.title, m.completed, m.ratings) for m in completed_before.modules
    ]
    user = Learner.objects.select_related("user").get(pk=person.pk).user
    assert (user.username, user.email, user.is_active, user.has_usable_password()) == (
        f"erased-{person.pk}", "", False, False,
    )  # fmt: skip
    # Their manager's nudge still counts, without the name.
    assert Nudge.objects.filter(title="a former colleague is waiting for you").count() == 1
    [audit] = Erasure.objects.all()
    assert (audit.learner_id, audit.erased_by) == (person.pk, "manage.py erase_person")
    assert audit.counts["push addresses"] == 1
    assert NAME not in str(audit.counts)


def test_erasure_asks_first_and_a_no_erases_nothing(person, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="Nothing was erased"):
        call_command("erase_person", EMAIL, stdout=io.StringIO())
    assert where_found(NAME)
    assert not Erasure.objects.exists()


def test_an_unknown_or_malformed_address_is_named_and_nothing_happens(person):
    with pytest.raises(CommandError, match=re.escape("nobody@brightwave.example")):
        call_command("erase_person", "nobody@brightwave.example", "--yes")
    with pytest.raises(CommandError, match="Not an email address"):
        call_command("erase_person", "Zebulon", "--yes")
    assert not Erasure.objects.exists()


def test_an_erased_person_can_no_longer_sign_in_or_use_their_token(person, client):
    phone = token_client(person.user)
    call_command("erase_person", EMAIL, "--yes", stdout=io.StringIO())
    assert phone.get("/api/v1/me").status_code == 401
    response = client.post(
        "/api/v1/auth/token",
        {"username": "zqm", "password": "micromoments", "device_name": "x"},
        content_type="application/json",
    )
    assert response.status_code in (400, 401)
    assert UserFactory._meta.model.objects.filter(username="zqm").count() == 0


def test_an_administrator_erases_from_the_learners_page_after_a_confirmation(person, client):
    admin = User.objects.get(username="root")
    client.force_login(admin)
    change = client.get(f"/django-admin/learning/learner/{person.pk}/change/").content.decode()
    url = f"/django-admin/privacy/erase/{person.pk}/"
    assert url in change
    confirm = client.get(url).content.decode()
    assert "Yes, erase this person" in confirm
    assert where_found(NAME)  # asking changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert where_found(NAME) == []
    [audit] = Erasure.objects.all()
    assert audit.erased_by == "root"
    # A second time is refused politely.
    again = client.get(url, follow=True)
    assert "erased already" in again.content.decode()


def test_staff_who_may_not_delete_learners_are_refused(person, client):
    staff = UserFactory(username="helpdesk", is_staff=True)
    client.force_login(staff)
    assert client.post(f"/django-admin/privacy/erase/{person.pk}/").status_code == 403
    assert where_found(NAME)


def test_the_learner_list_offers_the_erasure_for_one_person_at_a_time(person, client):
    client.force_login(User.objects.get(username="root"))
    url = "/django-admin/learning/learner/"
    one = client.post(url, {"action": "erase_person", "_selected_action": [person.pk]})
    assert one.status_code == 302
    assert one["Location"] == f"/django-admin/privacy/erase/{person.pk}/"
    both = [person.pk, Learner.objects.exclude(pk=person.pk).first().pk]
    page = client.post(url, {"action": "erase_person", "_selected_action": both}, follow=True)
    assert "Choose one person to erase at a time." in page.content.decode()
    assert where_found(NAME)  # nothing erased by choosing


def test_the_audit_is_read_only_in_the_admin_and_names_nobody(person, client):
    call_command("erase_person", EMAIL, "--yes", stdout=io.StringIO())
    client.force_login(User.objects.get(username="root"))
    listing = client.get("/django-admin/learning/erasure/")
    assert listing.status_code == 200
    assert "manage.py erase_person" in listing.content.decode()
    assert "Zebulon" not in listing.content.decode()
    assert client.get("/django-admin/learning/erasure/add/").status_code == 403
