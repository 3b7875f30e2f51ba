"""Someone leaves: however their account is deactivated (the HR import, the Django admin, Wagtail's
user admin, the shell), their tokens stop working, their devices stop getting pushes, their planned
nudges are suppressed, their enrolments end (kept) and they leave their manager's views and figures.
Reactivating brings the enrolments back with their history."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from cms.models import ChangeEvent, JourneyStep
from learning.journeys import enrolment
from learning.models import Activity, EndReason, Enrollment, Learner, Verb
from learning.people import accounts
from learning.people.roles import MANAGERS
from nudges.models import Device, Nudge
from tests.factories import LearnerFactory, UserFactory, publish_module, token_client
from tests.nudges.sending_factories import NudgeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HEADER = "email,first_name,last_name,role,team,manager_email,start_date,timezone"
START = datetime.date(2026, 11, 2)


def launch(module, *, name="Refunds 2.0") -> ChangeEvent:
    event = ChangeEvent(name=name, kind="product_launch", audience_everyone=True, live=False)
    event.date = timezone.localdate() - 2 * DAY
    event.steps = [
        JourneyStep(title="Read about refunds", kind="formal", module=module, due_offset=30),
        JourneyStep(title="Do a refund", kind="on_the_job", day_offset=0, due_offset=30),
    ]
    event.save()
    event.save_revision().publish()
    enrolment.enrol_audience(event.pk, today=timezone.localdate())  # the task publishing queues
    return event


@pytest.fixture
def office(library, settings):
    """A manager with two reports, Ana and Ben, both enrolled in a launch (publishing enrols them),
    each signed in on a phone that registered for pushes, each with a planned nudge."""
    settings.HR_MAX_DEACTIVATE_SHARE = 0.5  # one of two may go
    boss = UserFactory(username="boss", email="boss@example.com")
    boss.groups.add(Group.objects.get(name=MANAGERS))
    people = {}
    for name in ("ana", "ben"):
        people[name] = LearnerFactory(
            user__username=name,
            user__email=f"{name}@example.com",
            user__first_name=name.title(),
            user__last_name=name.title(),
            manager=boss,
            timezone="UTC",
            start_date=START,
        )
    module = publish_module(title="Refunds")
    event = launch(module)
    clients = {}
    for name, learner in people.items():
        clients[name] = token_client(learner.user, device_name=f"{name}'s phone")
        response = clients[name].post(
            "/api/v1/devices", {"fid": f"fid-{name}", "platform": "ios"}, "application/json"
        )
        assert response.status_code == 201
        NudgeFactory(learner=learner, dedupe_key=f"planned:{name}")
        Activity.objects.create(
            learner=learner,
            verb=Verb.ACTIVITY_LOGGED,
            category="experience",
            minutes=30,
            occurred_at=timezone.now() - DAY,
        )
    assert Enrollment.objects.count() == 2
    return {"boss": boss, "event": event, "clients": clients, **people}


def deactivate_by_import(tmp_path, office):
    path = tmp_path / "people.csv"
    path.write_text(
        f"{HEADER},active\nana@example.com,Ana,Ana,Support agent,Support,boss@example.com,,UTC,no\n"
    )
    call_command("import_learners", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def deactivate_by_full_import(tmp_path, office):
    # The file is the whole workforce: Ana is missing from it.
    path = tmp_path / "people.csv"
    path.write_text(
        f"{HEADER}\nben@example.com,Ben,Ben,Support agent,Support,boss@example.com,{START},UTC\n"
    )
    call_command("import_learners", str(path), "--full", stdout=io.StringIO(), stderr=io.StringIO())


def deactivate_in_django_admin(tmp_path, office):
    client = admin_client()
    ana = office["ana"].user
    response = client.post(
        f"/django-admin/auth/user/{ana.pk}/change/",
        {
            "username": ana.username,
            "first_name": ana.first_name,
            "last_name": ana.last_name,
            "email": ana.email,
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
            # "is_active" unticked: a checkbox sends nothing
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def deactivate_in_wagtail_admin(tmp_path, office):
    client = admin_client()
    ana = office["ana"].user
    response = client.post(
        reverse("wagtailusers_users:edit", args=[ana.pk]),
        {
            "username": ana.username,
            "first_name": ana.first_name,
            "last_name": ana.last_name,
            "email": ana.email,
            "password1": "",
            "password2": "",
            # "is_active" unticked
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def deactivate_with_wagtails_bulk_action(tmp_path, office):
    # "Set active state" on /cms/users/ updates the rows without saving them: its after hook.
    url = reverse("wagtail_bulk_action", args=("auth", "user", "set_active_state"))
    response = admin_client().post(f"{url}?id={office['ana'].user_id}", {"mark_as_active": "False"})
    assert response.status_code == 302, response.content.decode()[:2000]


def deactivate_in_the_shell(tmp_path, office):
    ana = User.objects.get(username="ana")
    ana.is_active = False
    ana.save()


def admin_client():
    from django.test import Client

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    return client


PATHS = [
    deactivate_by_import,
    deactivate_by_full_import,
    deactivate_in_django_admin,
    deactivate_in_wagtail_admin,
    deactivate_with_wagtails_bulk_action,
    deactivate_in_the_shell,
]


@pytest.mark.parametrize("deactivate", PATHS, ids=lambda f: f.__name__)
def test_deactivating_stops_everything_that_reaches_the_person(tmp_path, office, deactivate):
    ana, ben, clients = office["ana"], office["ben"], office["clients"]
    boss_client = token_client(office["boss"])
    team_before = boss_client.get("/api/v1/manager/team").json()["items"]
    ben_before = next(m for m in team_before if m["username"] == "ben")

    deactivate(tmp_path, office)

    ana.user.refresh_from_db()
    assert not ana.user.is_active
    # Her token is revoked: a request with it is refused.
    assert clients["ana"].get("/api/v1/me").status_code == 401
    assert not APIToken.objects.filter(user=ana.user, revoked_at__isnull=True).exists()
    # Her phone gets no more pushes; her planned nudge is suppressed, kept.
    device = Device.objects.get(user=ana.user)
    assert (device.active, device.deactivated_reason) == (False, "account deactivated")
    assert Nudge.objects.get(dedupe_key="planned:ana").state == Nudge.State.SUPPRESSED
    # Her enrolment ended, and is still there.
    enrollment = Enrollment.objects.get(learner=ana)
    assert enrollment.end_reason == EndReason.DEACTIVATED
    assert enrollment.ended_at is not None
    assert Learner.objects.get(pk=ana.pk).next_nudge_check_at is None
    # She is out of her manager's views: not listed, 404, figures as if she never was.
    team = boss_client.get("/api/v1/manager/team").json()["items"]
    assert [m["username"] for m in team] == ["ben"]
    assert team[0] == ben_before
    assert boss_client.get(f"/api/v1/manager/learners/{ana.pk}").status_code == 404
    # Ben is untouched.
    assert clients["ben"].get("/api/v1/me").status_code == 200
    assert Device.objects.get(user=ben.user).active
    assert Nudge.objects.get(dedupe_key="planned:ben").state == Nudge.State.PLANNED
    assert Enrollment.objects.get(learner=ben).ended_at is None


def test_my_team_in_the_admin_leaves_a_deactivated_report_out(office):
    from django.test import Client

    client = Client()
    client.force_login(office["boss"])
    ana = office["ana"]
    assert client.get(f"/cms/team/{ana.pk}/").status_code == 200
    assert "Ana" in client.get("/cms/team/").content.decode()

    accounts.deactivate([ana.user], now=timezone.now(), reason="test")

    page = client.get("/cms/team/").content.decode()
    assert "ana@example.com" not in page
    assert "/cms/team/{ana.pk}/" not in page
    assert "Ben" in page
    assert client.get(f"/cms/team/{ana.pk}/").status_code == 404
    csv = client.get("/cms/team/", {"export": "csv"})
    assert "ana@example.com" not in b"".join(csv.streaming_content).decode()


def test_the_planner_leaves_a_deactivated_learner_alone(office):
    from learning.changes import learner_changed

    ana = office["ana"]
    accounts.deactivate([ana.user], now=timezone.now(), reason="test")
    learner_changed([ana.pk, office["ben"].pk])  # a card falling due, a module published…
    assert Learner.objects.get(pk=ana.pk).next_nudge_check_at is None
    assert Learner.objects.get(pk=office["ben"].pk).next_nudge_check_at is not None


def test_a_deactivated_learner_is_not_enrolled_by_a_new_event(
    office, django_capture_on_commit_callbacks
):
    ana = office["ana"]
    accounts.deactivate([ana.user], now=timezone.now(), reason="test")
    event = launch(publish_module(title="Returns"), name="Returns")
    assert list(event.enrollments.values_list("learner__user__username", flat=True)) == ["ben"]


def test_reactivating_resumes_the_enrolments_with_their_history(
    office, django_capture_on_commit_callbacks
):
    ana, clients = office["ana"], office["clients"]
    deactivated_at = timezone.now()
    accounts.deactivate([ana.user], now=deactivated_at, reason="test")
    returns = launch(publish_module(title="Returns"), name="Returns")  # while she was away

    ana.user.is_active = True
    ana.user.save()  # as the admin's "active" tick does

    enrolments = {e.event.name: e for e in Enrollment.objects.filter(learner=ana)}
    assert set(enrolments) == {"Refunds 2.0", "Returns"}
    assert all(e.ended_at is None and e.end_reason == "" for e in enrolments.values())
    assert enrolments["Refunds 2.0"].enrolled_at < deactivated_at  # the same row, not a new one
    assert returns.enrollments.filter(learner=ana).exists()
    # What was revoked stays revoked: she signs in again, and the app registers the phone again.
    assert clients["ana"].get("/api/v1/me").status_code == 401
    assert not Device.objects.get(user=ana.user).active
    assert Learner.objects.get(pk=ana.pk).next_nudge_check_at is not None
    boss_client = token_client(office["boss"])
    assert boss_client.get(f"/api/v1/manager/learners/{ana.pk}").status_code == 200
    again = token_client(ana.user)
    assert again.post(
        "/api/v1/devices", {"fid": "fid-ana", "platform": "ios"}, "application/json"
    ).status_code in (200, 201)
    assert Device.objects.get(user=ana.user).active


def test_wagtails_bulk_action_reactivates_too(office):
    ana = office["ana"]
    accounts.deactivate([ana.user], now=timezone.now(), reason="test")
    url = reverse("wagtail_bulk_action", args=("auth", "user", "set_active_state"))
    response = admin_client().post(f"{url}?id={ana.user_id}", {"mark_as_active": "True"})
    assert response.status_code == 302
    assert Enrollment.objects.get(learner=ana).ended_at is None


def test_deactivating_many_costs_the_same_queries_as_one(library):
    def people(n, tag):
        learners = [LearnerFactory(user__username=f"{tag}{i}") for i in range(n)]
        for learner in learners:
            token_client(learner.user)
            NudgeFactory(learner=learner)
        return [learner.user for learner in learners]

    few, many = people(2, "few"), people(40, "many")
    counts = []
    for users in (few, many):
        with CaptureQueriesContext(connection) as queries:
            accounts.deactivate(users, now=timezone.now(), reason="test")
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Nudge.objects.filter(state=Nudge.State.SUPPRESSED).count() == 42

    counts = []
    for users in (few, many):
        with CaptureQueriesContext(connection) as queries:
            accounts.reactivate(users, now=timezone.now())
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert User.objects.filter(is_active=True).count() == 42


def test_a_staff_account_deactivated_in_the_admin_is_signed_out_too(library):
    admin = LearnerFactory(user__username="lead", user__is_staff=True).user
    client = token_client(admin)
    admin.is_active = False
    admin.save()
    assert client.get("/api/v1/me").status_code == 401
