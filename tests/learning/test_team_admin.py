"""The managers' dashboard in the Wagtail admin: /cms/team/, one report's page, confirming their
on-the-job steps, the CSV/XLSX export and the home-page panel. A manager sees only their reports."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from cms.models import ChangeEvent, JourneyStep
from learning.models import Activity, Card, Confirmation, Enrollment, Verb
from learning.people.roles import MANAGERS
from tests.factories import LearnerFactory, UserFactory, add_reports, publish_module

pytestmark = pytest.mark.django_db
TEAM = "/cms/team/"
DAY = datetime.timedelta(days=1)


def onboarding_event(module) -> ChangeEvent:
    event = ChangeEvent(
        name="Support onboarding", kind="onboarding", audience_everyone=True, live=False
    )
    event.steps = [
        JourneyStep(
            title="Read about refunds",
            kind="formal",
            module=module,
            day_offset=0,
            due_offset=2,
            sort_order=0,
        ),
        JourneyStep(
            title="Do a refund",
            kind="on_the_job",
            day_offset=1,
            due_offset=1,
            confirmed_by="manager",
            sort_order=1,
        ),
        JourneyStep(
            title="Shadow a colleague", kind="social", day_offset=2, due_offset=30, sort_order=2
        ),
    ]
    event.save()
    event.save_revision().publish()
    # Set explicitly above: saved without a form, the steps would all have no sort order, and
    # order_by("sort_order") alone would be free to return them in any order.
    assert list(event.steps.order_by("sort_order").values_list("title", flat=True)) == [
        "Read about refunds",
        "Do a refund",
        "Shadow a colleague",
    ]
    return event


def enrol(learner, event, *, enrolled_days_ago: int) -> Enrollment:
    enrollment = Enrollment.objects.create(
        learner=learner, event=event, anchor_date=learner.start_date
    )
    # enrolled_at is auto_now_add: backdate it as if the enrolment happened then.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        enrolled_at=timezone.now() - enrolled_days_ago * DAY
    )
    return enrollment


def manager(username: str, **fields) -> User:
    user = UserFactory(username=username, **fields)
    user.groups.add(Group.objects.get(name=MANAGERS))
    return user


@pytest.fixture
def team(library):
    """A manager with three reports: Ana (drifting, a step waiting, recall 100% → 90%), Ben (just
    started), Cy (in no journey); and Zed, another manager's report."""
    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    boss = manager("boss", first_name="Bo", last_name="Ss")
    module = publish_module(title="Refunds")
    event = onboarding_event(module)
    steps = list(event.steps.order_by("sort_order"))

    ana = LearnerFactory(
        user__username="ana",
        user__first_name="Ana",
        user__last_name="A",
        manager=boss,
        timezone="UTC",
        start_date=today - 10 * DAY,
    )
    enrol(ana, event, enrolled_days_ago=12)
    Activity.objects.create(
        learner=ana,
        verb=Verb.MODULE_COMPLETED,
        module=module,
        category="formal",
        minutes=5,
        title="Refunds",
        occurred_at=now - 9 * DAY,
    )
    pending = Activity.objects.create(
        learner=ana,
        verb=Verb.STEP_DONE,
        step=steps[1],
        category="experience",
        minutes=30,
        title="Do a refund",
        confirmation=Confirmation.PENDING,
        occurred_at=now - 8 * DAY,
    )
    # Reviewed an hour ago with a stability of 7 days: fsrs predicts 100% now (no whole day has
    # passed) and 90% in 7 days (stability is where recall falls to 90%, by definition).
    Card.objects.create(
        learner=ana,
        module=module,
        block_id="q1",
        stability=7.0,
        last_review=now - datetime.timedelta(hours=1),
        due=now + 7 * DAY,
        answer_fingerprint="x",
    )

    ben = LearnerFactory(
        user__username="ben",
        user__first_name="Ben",
        user__last_name="B",
        manager=boss,
        timezone="UTC",
        start_date=today - DAY,
    )
    enrol(ben, event, enrolled_days_ago=0)

    cy = LearnerFactory(
        user__username="cy", user__first_name="Cy", user__last_name="C", manager=boss
    )
    Activity.objects.create(
        learner=cy,
        verb=Verb.ACTIVITY_LOGGED,
        category="social",
        minutes=10,
        title="Asked Ana",
        occurred_at=now - DAY,
    )

    other_boss = manager("other-boss")
    zed = LearnerFactory(
        user__username="zed",
        user__first_name="Zed",
        user__last_name="Z",
        manager=other_boss,
        timezone="UTC",
        start_date=today - 10 * DAY,
    )
    enrol(zed, event, enrolled_days_ago=12)
    zeds_pending = Activity.objects.create(
        learner=zed,
        verb=Verb.STEP_DONE,
        step=steps[1],
        category="experience",
        confirmation=Confirmation.PENDING,
        occurred_at=now - 8 * DAY,
    )
    client = Client()
    client.force_login(boss)
    return {
        "boss": boss,
        "client": client,
        "ana": ana,
        "ben": ben,
        "cy": cy,
        "zed": zed,
        "pending": pending,
        "zeds_pending": zeds_pending,
    }


def assert_refused(response) -> None:
    # Wagtail turns PermissionDenied in its admin into a redirect home with a message.
    assert (response.status_code, response["Location"]) == (302, "/cms/")


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m).strip() for m in response.context["messages"]]


# --- Who may see what -----------------------------------------------------------------------------


def test_the_managers_group_made_at_migrate_only_opens_the_admin(db):
    group = Group.objects.get(name=MANAGERS)
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("wagtailadmin", "access_admin")
    ]
    assert not GroupPagePermission.objects.filter(group=group).exists()
    assert not GroupCollectionPermission.objects.filter(group=group).exists()


def test_anonymous_visitors_are_sent_to_sign_in(team):
    for url in (TEAM, f"{TEAM}{team['ana'].pk}/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/cms/login/")


def test_authors_cannot_open_the_team_view(team):
    author = UserFactory(username="author")
    author.groups.add(Group.objects.get(name="Authors"))
    client = Client()
    client.force_login(author)
    for url in (TEAM, f"{TEAM}{team['ana'].pk}/", f"{TEAM}?export=csv"):
        assert_refused(client.get(url))
    confirm = f"{TEAM}{team['ana'].pk}/activities/{team['pending'].pk}/confirm/"
    assert_refused(client.post(confirm))
    team["pending"].refresh_from_db()
    assert team["pending"].confirmation == Confirmation.PENDING
    home = client.get("/cms/")
    assert '"url": "/cms/team/"' not in html(home)
    assert 'id="my-team' not in html(home)


def test_an_admin_user_with_no_reports_outside_managers_is_refused(team):
    someone = UserFactory(username="someone")
    someone.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(someone)
    assert_refused(client.get(TEAM))


def test_a_manager_with_no_reports_sees_an_empty_team(team):
    client = Client()
    client.force_login(manager("new-lead"))
    response = client.get(TEAM)
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    assert "Nobody reports to you yet." in html(response)
    # No menu item and no panel: being a manager is having reports.
    home = html(client.get("/cms/"))
    assert '"url": "/cms/team/"' not in home
    assert 'id="my-team' not in home


def test_another_managers_report_is_not_found(team):
    client = team["client"]
    assert client.get(f"{TEAM}{team['zed'].pk}/").status_code == 404
    assert client.get(f"{TEAM}999999/").status_code == 404
    # A report cannot look at a colleague through the admin either.
    ana = team["ana"].user
    ana.groups.add(Group.objects.get(name=MANAGERS))
    as_ana = Client()
    as_ana.force_login(ana)
    assert as_ana.get(f"{TEAM}{team['ben'].pk}/").status_code == 404


# --- The team view and its export -----------------------------------------------------------------


def test_the_team_view_shows_each_direct_report_with_their_figures(team):
    response = team["client"].get(TEAM)
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert [r.name for r in rows] == ["Ana A", "Ben B", "Cy C"]
    ana, ben, cy = rows
    assert (ana.onboarding_steps_done, ana.onboarding_steps_total) == (1, 3)
    assert (ana.overdue_steps, ana.awaiting_confirmation, ana.drifting) == (1, 1, True)
    assert (ana.retention_now, ana.retention_in_7_days) == (1.0, 0.9)
    assert (ana.minutes_experience, ana.minutes_social, ana.minutes_formal) == (0, 0, 5)
    assert (ben.onboarding_steps_done, ben.onboarding_steps_total, ben.drifting) == (0, 3, False)
    assert (cy.onboarding_steps_total, cy.minutes_social, cy.last_active is None) == (0, 10, False)

    page = html(response)
    assert "Onboarding: 1 of 3 done, 1 overdue" in page
    assert "Onboarding: 0 of 3 done" in page
    assert "Not onboarding" in page
    assert "100% → 90%" in page
    assert "70:20:10 mix: Formal (10) 100% (target 70, 20, 10)" in page
    assert f'href="/cms/team/{team["ana"].pk}/"' in page
    assert "Zed" not in page
    assert '"url": "/cms/team/"' in page  # the menu item (the sidebar is drawn from JSON)


def test_the_team_view_sorts_by_a_figure(team):
    response = team["client"].get(TEAM, {"ordering": "-overdue_steps"})
    assert [r.overdue_steps for r in response.context["object_list"]] == [1, 0, 0]
    assert response.context["object_list"][0].name == "Ana A"
    response = team["client"].get(TEAM, {"ordering": "last_active"})
    # Oldest activity first; never active (Ben) last.
    assert [r.name for r in response.context["object_list"]] == ["Ana A", "Cy C", "Ben B"]


def test_the_team_exports_to_csv_with_every_figure(team):
    response = team["client"].get(TEAM, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-team.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Name",
        "Email",
        "Role",
        "Team",
        "Start date",
        "Onboarding steps done",
        "Onboarding steps",
        "Overdue steps",
        "Awaiting confirmation",
        "Last active",
        "Last signed in",
        "Drifting",
        "Paused until",
        "Predicted recall now",
        "Predicted recall in 7 days",
        "Next dated event",
        "Its date",
        "Recall on the day if they keep up",
        "Recall on the day if they stop today",
        "On the job (minutes)",
        "With others (minutes)",
        "Formal (minutes)",
    ]
    ana = team["ana"]
    last_active = team["pending"].occurred_at.isoformat(timespec="minutes")
    assert rows[1] == [
        "Ana A",
        "ana@example.com",
        "Support agent",
        "Support",
        str(ana.start_date),
        "1",
        "3",
        "1",
        "1",
        last_active,
        "never",
        "yes",
        "",
        "1.0",
        "0.9",
        "",  # in no dated event ahead (onboarding has no day of its own)
        "",
        "",
        "",
        "0",
        "0",
        "5",
    ]
    assert rows[2][:2] == ["Ben B", "ben@example.com"]
    assert rows[2][9:15] == ["", "never", "no", "", "", ""]
    assert rows[3][0] == "Cy C"
    assert rows[3][5:7] == ["0", "0"]
    assert len(rows) == 4  # no one else's reports


def test_the_team_exports_to_xlsx(team):
    response = team["client"].get(TEAM, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Name", "Email")
    assert [r[0] for r in rows[1:]] == ["Ana A", "Ben B", "Cy C"]
    assert rows[1][5:9] == (1, 3, 1, 1)
    # Never signed in: no last login; not paused.
    assert rows[1][10:] == (None, True, None, 1.0, 0.9, None, None, None, None, 0, 0, 5)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_team_view_and_panel_run_a_fixed_number_of_queries(
    library, django_assert_max_num_queries
):
    boss = manager("boss")
    event = onboarding_event(publish_module(title="Refunds"))
    add_reports(boss, event, count=3, first=0)
    client = Client()
    client.force_login(boss)
    client.get("/cms/")  # the first request of a session warms Wagtail's caches
    small = {url: count_queries(client, url) for url in (TEAM, "/cms/")}

    add_reports(boss, event, count=60, first=3)
    with django_assert_max_num_queries(small[TEAM]):
        response = client.get(TEAM)
    assert len(response.context["object_list"]) == 50  # the first page
    assert response.context["paginator"].count == 63
    assert count_queries(client, "/cms/") == small["/cms/"]
    # Everyone's figures come from one team_overview: its 7 queries and Wagtail's own.
    assert small[TEAM] <= 20


# --- One report and confirming their steps --------------------------------------------------------


def test_a_reports_page_shows_their_timeline_and_what_waits_for_confirmation(team):
    ana, pending = team["ana"], team["pending"]
    response = team["client"].get(f"{TEAM}{ana.pk}/")
    assert response.status_code == 200
    detail = response.context["detail"]
    [journey] = detail.journeys
    assert [(s.step.title, s.state, s.awaiting_confirmation) for s in journey.steps] == [
        ("Read about refunds", "done", False),
        ("Do a refund", "overdue", True),
        ("Shadow a colleague", "available", False),
    ]
    assert [a.pk for a in detail.to_confirm] == [pending.pk]
    page = html(response)
    assert "Support onboarding" in page
    assert f'action="/cms/team/{ana.pk}/activities/{pending.pk}/confirm/"' in page
    assert "csrfmiddlewaretoken" in page
    assert "Support onboarding: 1 of 3 done, 1 overdue" in page
    assert "Predicted recall by module" in page


def test_confirming_a_step_makes_it_done_and_a_second_confirm_is_an_error(team):
    client, ana, pending = team["client"], team["ana"], team["pending"]
    url = f"{TEAM}{ana.pk}/activities/{pending.pk}/confirm/"
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(f"{TEAM}{ana.pk}/", 302)]
    assert messages_of(response) == [
        f"Confirmed “Do a refund” ({timezone.localtime(pending.occurred_at):%d %b %Y}): "
        "the step now counts as done."
    ]
    pending.refresh_from_db()
    assert (pending.confirmation, pending.confirmed_by) == (Confirmation.CONFIRMED, team["boss"])
    detail = response.context["detail"]
    assert [s.state for s in detail.journeys[0].steps] == ["done", "done", "available"]
    assert detail.to_confirm == []

    again = client.post(url, follow=True)
    assert messages_of(again) == ["This activity is already confirmed."]
    assert again.redirect_chain == [(f"{TEAM}{ana.pk}/", 302)]


def test_confirming_needs_a_post_with_a_csrf_token(team):
    ana, pending = team["ana"], team["pending"]
    url = f"{TEAM}{ana.pk}/activities/{pending.pk}/confirm/"
    assert team["client"].get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(team["boss"])
    assert strict.post(url).status_code == 403
    pending.refresh_from_db()
    assert pending.confirmation == Confirmation.PENDING


def test_confirming_another_teams_step_is_not_found(team):
    client, zed, zeds = team["client"], team["zed"], team["zeds_pending"]
    assert client.post(f"{TEAM}{zed.pk}/activities/{zeds.pk}/confirm/").status_code == 404
    # Nor through one of one's own reports' pages.
    assert client.post(f"{TEAM}{team['ana'].pk}/activities/{zeds.pk}/confirm/").status_code == 404
    # Nor one's own report's step under a colleague's page.
    wrong_page = f"{TEAM}{team['ben'].pk}/activities/{team['pending'].pk}/confirm/"
    assert client.post(wrong_page).status_code == 404
    for activity in (zeds, team["pending"]):
        activity.refresh_from_db()
        assert activity.confirmation == Confirmation.PENDING


# --- The home page ----------------------------------------------------------------------------------


def test_the_home_page_sums_up_the_team(team):
    response = team["client"].get("/cms/")
    assert response.status_code == 200
    [panel] = [p for p in response.context["panels"] if p.name == "team"]
    figures = panel.get_context_data({"request": response.wsgi_request})["figures"]
    # Ana 1/3 and Ben 0/3 onboarding (Cy is in none): (0.333 + 0.0) / 2.
    assert (figures.reports, figures.onboarding, figures.onboarding_average) == (3, 2, 0.167)
    assert (figures.onboarding_steps_done, figures.onboarding_steps_total) == (1, 6)
    assert (figures.overdue_steps, figures.awaiting_confirmation) == (1, 1)
    assert [s.learner.pk for s in figures.drifting] == [team["ana"].pk]
    assert figures.mix.total_minutes == 15  # Ana's 5 formal and Cy's 10 social
    page = html(response)
    assert 'id="my-team' in page
    assert "17%" in page
    assert "Team onboarding: 1 of 6 done, 1 overdue" in page
    assert "Team 70:20:10 mix: With others (20) 67%, Formal (10) 33% (target 70, 20, 10)" in page
    assert f'href="/cms/team/{team["ana"].pk}/"' in page
