"""`import_learners --full`, `--dry-run`, the `active` column and the share guard: accounts follow
HR as people join, move and leave. See docs/hr-sync.md."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import ChangeEvent, EventAudience
from learning.journeys import enrolment
from learning.models import EndReason, Enrollment, Learner
from learning.people.roles import MANAGERS
from tests.factories import LearnerFactory, UserFactory, token_client

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = "email,first_name,last_name,role,team,manager_email,start_date,timezone"
START = datetime.date(2026, 11, 2)


def staff(name: str, **fields):
    """An existing learner, as an earlier import left them (the rows below repeat them as they are)."""
    return LearnerFactory(
        user__username=f"{name}@example.com",
        user__email=f"{name}@example.com",
        user__first_name=name.title(),
        user__last_name="X",
        role=fields.pop("role", "Agent"),
        team=fields.pop("team", "Support"),
        start_date=START,
        timezone="UTC",
        **fields,
    )


def row(name: str, *, role="Agent", team="Support", active=None) -> str:
    line = f"{name}@example.com,{name.title()},X,{role},{team},,{START},UTC"
    return line if active is None else f"{line},{active}"


def csv_file(tmp_path, *lines, header=HEADER, name="people.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_learners", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path, *args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_learners", str(path), *args, stdout=out, stderr=err)
    return str(failure.value), out.getvalue(), err.getvalue()


def active_usernames() -> set[str]:
    return set(User.objects.filter(is_active=True).values_list("username", flat=True))


def row_counts() -> dict[str, int]:
    """Every table's rows (ours and Django's, Wagtail's): a dry run must change none of them."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def workforce(settings):
    """Ten active learners a0…a9, a staff lead and a superuser who are learners too."""
    settings.HR_MAX_DEACTIVATE_SHARE = 0.2
    people = [staff(f"a{i}") for i in range(10)]
    lead = staff("lead", user__is_staff=True)
    root = staff("root", user__is_superuser=True)
    return {"people": people, "lead": lead, "root": root}


def test_full_deactivates_active_learners_missing_from_the_file(tmp_path, workforce):
    path = csv_file(tmp_path, *(row(f"a{i}") for i in range(8)))
    out, err = run(path, "--full")

    assert err == ""
    assert "0 created, 0 updated, 8 unchanged, 2 deactivated, 0 reactivated" in out
    assert "Deactivated: a8@example.com (missing from the file)" in out
    assert "Deactivated: a9@example.com (missing from the file)" in out
    # Staff and superusers are never the import's to deactivate, in the file or not.
    assert active_usernames() == {f"a{i}@example.com" for i in range(8)} | {
        "lead@example.com",
        "root@example.com",
    }


def test_without_full_people_missing_from_the_file_stay(tmp_path, workforce):
    out, _ = run(csv_file(tmp_path, row("a0")))
    assert "1 unchanged" in out
    assert "deactivated" not in out
    assert len(active_usernames()) == 12


def test_a_manager_the_file_names_is_not_deactivated_as_missing(tmp_path, workforce):
    boss = staff("boss")
    path = csv_file(
        tmp_path,
        *(row(f"a{i}") for i in range(9)),
        f"a9@example.com,A9,X,Agent,Support,boss@example.com,{START},UTC",
    )
    out, _ = run(path, "--full")
    assert "0 deactivated" in out
    assert User.objects.get(pk=boss.user_id).is_active


def test_more_than_the_share_is_refused_and_nothing_is_written(tmp_path, workforce):
    # A truncated export: half the learners are missing.
    path = csv_file(tmp_path, *(row(f"a{i}") for i in range(5)), row("new"))
    before = row_counts()
    message, _, _ = run_failing(path, "--full")

    # a5…a9 would go; the staff lead and the superuser never do, but count among the active.
    assert "5 of the 12 active learners (42%) would be deactivated" in message
    assert "more than HR_MAX_DEACTIVATE_SHARE (20%)" in message
    assert "Nothing was imported" in message
    assert "--allow-mass-deactivation" in message
    assert row_counts() == before
    assert len(active_usernames()) == 12


def test_the_share_guard_can_be_overridden(tmp_path, workforce):
    path = csv_file(tmp_path, *(row(f"a{i}") for i in range(5)))
    out, _ = run(path, "--full", "--allow-mass-deactivation")
    assert "5 deactivated" in out
    assert len(active_usernames()) == 7


def test_exactly_the_share_is_allowed(tmp_path, settings, workforce):
    settings.HR_MAX_DEACTIVATE_SHARE = 0.25  # 3 of 12
    out, _ = run(csv_file(tmp_path, *(row(f"a{i}") for i in range(7))), "--full")
    assert "3 deactivated" in out


def test_dry_run_prints_what_it_would_do_and_writes_nothing(tmp_path, workforce):
    event = ChangeEvent(name="Billing launch", kind="product_launch", date=START)
    event.audience_rules = [EventAudience(team="Billing")]
    event.save()
    event.save_revision().publish()
    path = csv_file(
        tmp_path,
        *(row(f"a{i}") for i in range(8)),
        row("a8", team="Billing"),
        row("new", team="Billing"),
    )
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        out, err = run(path, "--full", "--dry-run")

    assert err == ""
    assert "Dry run, nothing was written" in out
    assert "1 created, 1 updated, 8 unchanged, 1 deactivated, 0 reactivated" in out
    assert "Would deactivate: a9@example.com (missing from the file)" in out
    assert row_counts() == before
    assert not Enrollment.objects.exists()
    assert len(active_usernames()) == 12
    # What it did ran inside a savepoint that it rolled back.
    assert any("ROLLBACK TO SAVEPOINT" in q["sql"] for q in queries)


def test_dry_run_of_a_refused_import_lists_who_would_go(tmp_path, workforce):
    message, out, _ = run_failing(csv_file(tmp_path, row("a0")), "--full", "--dry-run")
    assert "9 of the 12 active learners (75%)" in message
    assert "Would deactivate: a9@example.com (missing from the file)" in out


def test_dry_run_with_an_invalid_row_reports_it_like_the_import(tmp_path, workforce):
    message, _, err = run_failing(
        csv_file(tmp_path, row("a0"), "bad@example.com,B,X,Agent,Support,,,Mars/Base"),
        "--dry-run",
    )
    assert "line 3: timezone “Mars/Base” is not an IANA time zone" in err
    assert "nothing was imported" in message


# --- The active column ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "active"),
    [("no", False), ("FALSE", False), ("0", False), ("yes", True), ("True", True), ("1", True)],
)
def test_the_active_column_deactivates_and_reactivates(tmp_path, workforce, value, active):
    User.objects.filter(username="a1@example.com").update(is_active=False)
    path = csv_file(
        tmp_path, row("a0", active=value), row("a1", active=value), header=f"{HEADER},active"
    )
    out, _ = run(path)

    assert User.objects.get(username="a0@example.com").is_active is active
    assert User.objects.get(username="a1@example.com").is_active is active
    if active:
        assert "Reactivated: a1@example.com (line 3)" in out
    else:
        assert "Deactivated: a0@example.com (line 2)" in out


def test_a_blank_active_leaves_the_account_as_it_is_without_full(tmp_path, workforce):
    User.objects.filter(username="a1@example.com").update(is_active=False)
    run(csv_file(tmp_path, row("a0", active=""), row("a1", active=""), header=f"{HEADER},active"))
    assert User.objects.get(username="a0@example.com").is_active
    assert not User.objects.get(username="a1@example.com").is_active


def test_with_full_being_in_the_file_reactivates(tmp_path, workforce):
    User.objects.filter(username="a1@example.com").update(is_active=False)
    out, _ = run(csv_file(tmp_path, *(row(f"a{i}") for i in range(10))), "--full")
    assert "Reactivated: a1@example.com (line 3)" in out
    assert User.objects.get(username="a1@example.com").is_active


def test_a_bad_active_value_is_an_error_naming_the_line(tmp_path, workforce):
    path = csv_file(
        tmp_path, row("a0", active="no"), row("a1", active="maybe"), header=f"{HEADER},active"
    )
    message, _, err = run_failing(path)
    assert err.strip() == "line 3: active “maybe” is not one of true/false, yes/no, 1/0"
    assert "nothing was imported" in message
    assert User.objects.get(username="a0@example.com").is_active


def test_a_new_person_marked_inactive_is_created_inactive_and_enrolled_nowhere(tmp_path, workforce):
    event = ChangeEvent(name="Everyone", kind="other", date=START, audience_everyone=True)
    event.save()
    event.save_revision().publish()
    out, _ = run(csv_file(tmp_path, row("gone", active="no"), header=f"{HEADER},active"))
    assert "1 created" in out
    user = User.objects.get(username="gone@example.com")
    assert not user.is_active
    assert not Enrollment.objects.filter(learner__user=user).exists()


def test_a_row_deactivating_a_staff_account_is_refused(tmp_path, workforce):
    path = csv_file(tmp_path, row("a0"), row("lead", active="no"), header=f"{HEADER},active")
    _, _, err = run_failing(path)
    assert "line 3: lead@example.com is a staff or superuser account" in err
    assert User.objects.get(username="lead@example.com").is_active


def test_a_staff_row_that_leaves_the_account_as_it_is_passes_with_full(tmp_path, workforce):
    lines = [row(f"a{i}") for i in range(10)]
    out, err = run(csv_file(tmp_path, *lines, row("lead"), row("root")), "--full")
    assert err == ""
    assert "0 deactivated" in out


def test_deactivation_through_the_import_signs_the_person_out(tmp_path, workforce):
    client = token_client(workforce["people"][0].user)
    assert client.get("/api/v1/me").status_code == 200
    run(csv_file(tmp_path, row("a0", active="no"), header=f"{HEADER},active"))
    assert client.get("/api/v1/me").status_code == 401


def test_an_invalid_row_skipped_is_still_in_the_file_for_full(tmp_path, workforce):
    lines = [row(f"a{i}") for i in range(9)]
    lines.append("a9@example.com,A9,X,Agent,Support,,someday,UTC")  # a typo in the date
    out, err = run(csv_file(tmp_path, *lines), "--full", "--skip-invalid")
    assert "line 11: start_date “someday”" in err
    assert "0 deactivated" in out
    assert User.objects.get(username="a9@example.com").is_active


def test_the_full_import_costs_the_same_queries_for_more_people(tmp_path, settings):
    settings.HR_MAX_DEACTIVATE_SHARE = 1
    counts, staying = [], []
    for n, tag in ((4, "few"), (80, "many")):
        for i in range(n):
            staff(f"{tag}{i}")
        # Half stay (one of them changes team), the rest leave; earlier rounds' people stay.
        lines = [row(f"{tag}{i}") for i in range(n // 2)]
        lines[0] = row(f"{tag}0", team="Billing")
        with CaptureQueriesContext(connection) as queries:
            out, _ = run(csv_file(tmp_path, *staying, *lines, name=f"{tag}.csv"), "--full")
        assert f"{n - n // 2} deactivated" in out
        counts.append(len(queries))
        staying += lines
    assert counts[0] == counts[1]


# --- Role and team changes ------------------------------------------------------------------------


@pytest.fixture
def events(db):
    today = timezone.localdate()
    support = ChangeEvent(name="Support launch", kind="product_launch", date=today)
    support.audience_rules = [EventAudience(team="Support")]
    support.save()
    support.save_revision().publish()
    billing = ChangeEvent(name="Billing launch", kind="product_launch", date=today)
    billing.audience_rules = [EventAudience(team="Billing")]
    billing.save()
    billing.save_revision().publish()
    return {"support": support, "billing": billing}


def enrolments_of(learner) -> dict[str, str]:
    return {e.event.name: e.status for e in Enrollment.objects.filter(learner=learner)}


def test_a_team_change_in_the_import_enrols_and_withdraws(tmp_path, events):
    ana = staff("ana")
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    assert enrolments_of(ana) == {"Support launch": "current"}

    out, _ = run(csv_file(tmp_path, row("ana", team="Billing")))

    assert "1 enrolment(s) withdrawn" in out
    assert enrolments_of(ana) == {"Support launch": "withdrawn", "Billing launch": "current"}
    withdrawn = Enrollment.objects.get(learner=ana, event=events["support"])
    assert withdrawn.end_reason == EndReason.WITHDRAWN


def test_moving_back_resumes_the_withdrawn_enrolment(tmp_path, events):
    ana = staff("ana")
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    first = Enrollment.objects.get(learner=ana, event=events["support"])
    run(csv_file(tmp_path, row("ana", team="Billing")))
    run(csv_file(tmp_path, row("ana", team="Support"), name="back.csv"))

    assert enrolments_of(ana) == {"Support launch": "current", "Billing launch": "withdrawn"}
    assert Enrollment.objects.get(learner=ana, event=events["support"]).pk == first.pk


def test_a_team_change_in_the_django_admin_enrols_and_withdraws(client, events):
    ana = staff("ana")
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(
        f"/django-admin/learning/learner/{ana.pk}/change/",
        {
            "user": ana.user_id,
            "role": "Agent",
            "team": "Billing",
            "manager": "",
            "start_date": str(START),
            "timezone": "UTC",
            "locale": "en",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert enrolments_of(ana) == {"Support launch": "withdrawn", "Billing launch": "current"}


def test_a_team_change_in_the_shell_enrols_and_withdraws(events):
    ana = staff("ana")
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    ana.team = "Billing"
    ana.save()
    assert enrolments_of(ana) == {"Support launch": "withdrawn", "Billing launch": "current"}


def test_a_closed_onboarding_window_withdraws_nobody_the_audience_still_names(tmp_path, settings):
    settings.MICROMOMENTS_ONBOARDING_WINDOW_DAYS = 7  # closed for a start on 2 November
    onboarding = ChangeEvent(name="Welcome", kind="onboarding")
    onboarding.audience_rules = [EventAudience(role="Agent")]
    onboarding.save()
    onboarding.save_revision().publish()
    ana = staff("ana")
    Enrollment.objects.create(learner=ana, event=onboarding, anchor_date=START)
    # Still an agent, in another team: the rule names her by role; the window only keeps the
    # audience from enrolling people who finished onboarding long ago.
    run(csv_file(tmp_path, row("ana", team="Billing")))
    assert enrolments_of(ana) == {"Welcome": "current"}


def test_withdrawn_journeys_show_as_withdrawn_to_the_learner_and_count_nowhere(tmp_path, events):
    ana = staff("ana")
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    run(csv_file(tmp_path, row("ana", team="Billing")))
    client = token_client(ana.user)

    journeys = client.get("/api/v1/journeys").json()["items"]
    assert {(j["event"]["name"], j["status"]) for j in journeys} == {
        ("Support launch", "withdrawn"),
        ("Billing launch", "current"),
    }
    withdrawn = next(j for j in journeys if j["status"] == "withdrawn")
    assert withdrawn["ended_at"] is not None
    progress = client.get("/api/v1/me/progress").json()
    assert [j["event_name"] for j in progress["journeys"]] == ["Billing launch"]


def test_role_changes_cost_the_same_queries_for_more_people(tmp_path, events):
    counts = []
    for n, tag in ((3, "few"), (60, "many")):
        for i in range(n):
            staff(f"{tag}{i}")
        enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
        lines = [row(f"{tag}{i}", team="Billing") for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            out, _ = run(csv_file(tmp_path, *lines, name=f"{tag}.csv"))
        assert f"{n} enrolment(s) withdrawn" in out
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Learner.objects.filter(enrollments__end_reason="withdrawn").count() == 63


# --- Inviting the new people ----------------------------------------------------------------------


def test_invite_sends_an_invitation_to_each_new_person_only(tmp_path, workforce, mailoutbox):
    path = csv_file(
        tmp_path,
        row("a0", active=""),  # already here: not invited again
        row("new", active="yes"),
        row("gone", active="no"),
        row("ana", active=""),
        header=f"{HEADER},active",
    )
    out, err = run(path, "--invite")

    assert "3 created" in out
    assert "Invitations: 2 sent, 1 skipped" in out
    assert "Not invited: gone@example.com (inactive)" in err
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.com", "new@example.com"]
    assert "set-password" in mailoutbox[0].body


def test_invite_sends_nothing_on_a_dry_run_or_a_failed_import(tmp_path, workforce, mailoutbox):
    out, _ = run(csv_file(tmp_path, row("new")), "--invite", "--dry-run")
    assert "and invite the 1 new people it creates" in out
    run_failing(
        csv_file(tmp_path, row("new"), "b@example.com,B,X,A,S,,,Nowhere", name="bad.csv"),
        "--invite",
    )
    assert mailoutbox == []
    assert not User.objects.filter(username="new@example.com").exists()


def test_my_team_shows_a_withdrawn_journey_as_withdrawn(tmp_path, events, client):
    boss = UserFactory(username="boss", email="boss@example.com")
    boss.groups.add(Group.objects.get(name=MANAGERS))
    ana = staff("ana", manager=boss)
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    run(csv_file(tmp_path, f"ana@example.com,Ana,X,Agent,Billing,boss@example.com,{START},UTC"))
    client.force_login(boss)

    page = client.get(f"/cms/team/{ana.pk}/").content.decode()
    assert "Support launch" in page
    assert "Withdrawn" in page
    detail = token_client(boss).get(f"/api/v1/manager/learners/{ana.pk}").json()
    assert [(j["event"]["name"], j["status"]) for j in detail["journeys"]] == [
        ("Billing launch", "current"),
        ("Support launch", "withdrawn"),
    ]


def test_a_withdrawn_journeys_planned_step_nudges_are_suppressed(tmp_path, events):
    from cms.models import JourneyStep
    from nudges import dedupe
    from nudges.models import Nudge
    from tests.nudges.sending_factories import NudgeFactory

    step = JourneyStep.objects.create(
        event=events["support"], title="Do a refund", kind="on_the_job", due_offset=5
    )
    ana = staff("ana")
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    NudgeFactory(learner=ana, dedupe_key=dedupe.step_unlocked(ana.pk, step.pk))
    NudgeFactory(learner=ana, dedupe_key=dedupe.deadline(ana.pk, step.pk))
    NudgeFactory(learner=ana, dedupe_key="practice:other")

    run(csv_file(tmp_path, row("ana", team="Billing")))

    states = dict(Nudge.objects.values_list("dedupe_key", "state"))
    assert states == {
        f"step:{ana.pk}:{step.pk}": "suppressed",
        f"deadline:{ana.pk}:{step.pk}": "suppressed",
        "practice:other": "planned",
    }


def test_the_planner_reads_current_enrolments_only(tmp_path, events):
    from nudges import plan_data

    ana, ben = staff("ana"), staff("ben")
    enrolment.enrol_audience(events["support"].pk, today=timezone.localdate())
    run(csv_file(tmp_path, row("ana", team="Billing")))

    facts = plan_data.gather([ana, ben], now=timezone.now())
    assert [j.enrollment.event.name for j in facts.journeys[ana.pk]] == ["Billing launch"]
    assert [j.enrollment.event.name for j in facts.journeys[ben.pk]] == ["Support launch"]


def test_full_deactivates_a_learner_without_an_email_missing_from_the_file(tmp_path, workforce):
    LearnerFactory(user__username="noemail", user__email="")
    lines = [row(f"a{i}") for i in range(10)]  # blank manager emails: they name nobody
    out, _ = run(csv_file(tmp_path, *lines), "--full")
    assert "Deactivated: noemail (missing from the file)" in out
    assert not User.objects.get(username="noemail").is_active
