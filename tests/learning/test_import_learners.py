"""`manage.py import_learners FILE.csv`: the HR export that creates and updates learners."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import ChangeEvent, EventAudience
from learning.models import Enrollment, Learner
from tests.factories import LearnerFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = "email,first_name,last_name,role,team,manager_email,start_date,timezone"


def csv_file(tmp_path, *lines, header=HEADER, name="people.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path, *args, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    call_command("import_learners", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_learners", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def test_new_people_become_learners_with_their_manager_even_when_the_manager_comes_later(tmp_path):
    path = csv_file(
        tmp_path,
        "Ana.Lima@Example.com,Ana,Lima,Support agent,Support,Mo@example.com,2026-11-30,Europe/Lisbon",
        "mo@example.com,Mo,Rahman,Team lead,Support,,2024-03-01,Europe/London",
    )
    out, err = run(path)

    assert "2 created, 0 updated, 0 unchanged" in out
    assert err == ""
    ana = Learner.objects.select_related("user", "manager").get(
        user__username="ana.lima@example.com"
    )
    assert (ana.user.first_name, ana.user.last_name, ana.user.email) == (
        "Ana",
        "Lima",
        "Ana.Lima@Example.com",
    )
    assert (ana.role, ana.team, ana.start_date, ana.timezone) == (
        "Support agent",
        "Support",
        datetime.date(2026, 11, 30),
        "Europe/Lisbon",
    )
    assert ana.manager == User.objects.get(username="mo@example.com")
    assert Learner.objects.get(user__username="mo@example.com").manager is None


def test_imported_people_cannot_sign_in_with_a_password_until_they_set_one(tmp_path):
    run(csv_file(tmp_path, "ana@example.com,Ana,Lima,Agent,Support,,2026-11-30,UTC"))
    user = User.objects.get(username="ana@example.com")
    assert not user.has_usable_password()
    assert not user.check_password("")


def test_a_manager_may_be_an_existing_account_matched_by_email_in_any_case(tmp_path):
    boss = UserFactory(username="boss", email="Boss@Example.com")
    run(csv_file(tmp_path, "ana@example.com,Ana,Lima,Agent,Support,boss@example.COM,,UTC"))
    assert Learner.objects.get(user__username="ana@example.com").manager == boss


def test_an_existing_account_is_updated_by_email_not_duplicated(tmp_path):
    old = LearnerFactory(
        user__username="ana",
        user__email="ANA@example.com",
        user__first_name="Ana",
        user__last_name="Old",
        role="Agent",
        timezone="UTC",
    )
    path = csv_file(tmp_path, "ana@example.com,Ana,Lima,Team lead,Billing,,2026-01-05,Asia/Tokyo")
    out, _ = run(path)

    assert "0 created, 1 updated, 0 unchanged" in out
    assert User.objects.count() == 1
    learner = Learner.objects.select_related("user").get()
    assert learner.pk == old.pk
    assert learner.user.username == "ana"  # an existing account keeps its username
    assert (learner.user.last_name, learner.role, learner.team, learner.timezone) == (
        "Lima",
        "Team lead",
        "Billing",
        "Asia/Tokyo",
    )
    assert learner.start_date == datetime.date(2026, 1, 5)


def test_an_existing_account_without_a_learner_profile_gets_one(tmp_path):
    user = UserFactory(username="ana", email="ana@example.com", first_name="Ana", last_name="Lima")
    out, _ = run(csv_file(tmp_path, "ana@example.com,Ana,Lima,Agent,Support,,,UTC"))
    assert "1 created, 0 updated, 0 unchanged" in out
    assert Learner.objects.get().user == user
    assert user.has_usable_password()  # an existing password is left alone


def test_importing_the_same_file_again_writes_nothing(tmp_path):
    path = csv_file(
        tmp_path,
        "ana@example.com,Ana,Lima,Agent,Support,mo@example.com,2026-11-30,Europe/Lisbon",
        "mo@example.com,Mo,Rahman,Team lead,Support,,2024-03-01,europe/london",
    )
    run(path)
    with CaptureQueriesContext(connection) as queries:
        out, _ = run(path)

    assert "0 created, 0 updated, 2 unchanged" in out
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    # Nothing about the people; only the run's own record (ImportRun, what /metrics counts).
    assert [w.split("(")[0].strip() for w in writes] == ['INSERT INTO "learning_importrun"']
    # The time zone is stored as IANA spells it, so "europe/london" is no change the second time.
    assert Learner.objects.get(user__username="mo@example.com").timezone == "Europe/London"


def test_the_number_of_queries_does_not_grow_with_the_file(tmp_path):
    def people(n, tag):
        return [
            f"{tag}{i}@example.com,P,{i},Agent,Support,{tag}0@example.com,2026-11-30,UTC"
            for i in range(1, n)
        ] + [f"{tag}0@example.com,Lead,0,Lead,Support,,2026-01-01,UTC"]

    counts = []
    for n, tag in ((5, "small"), (300, "large")):
        path = csv_file(tmp_path, *people(n, tag), name=f"{tag}.csv")
        with CaptureQueriesContext(connection) as queries:
            out, _ = run(path)
        assert f"{n} created" in out
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "ana@example.com,Ana,Lima,Agent,Support,,2026-11-30,Mars/Olympus",
            "line 3: timezone “Mars/Olympus” is not an IANA time zone",
        ),
        (
            "ana@example.com,Ana,Lima,Agent,Support,,30/11/2026,UTC",
            "line 3: start_date “30/11/2026” is not an ISO date (YYYY-MM-DD)",
        ),
        (
            "ana@example.com,Ana,Lima,Agent,Support,nobody@example.com,,UTC",
            "line 3: unknown manager nobody@example.com",
        ),
        (
            "ok@example.com,Ok,Twice,Agent,Support,,,UTC",
            "line 3: email ok@example.com is also on line 2",
        ),
        (",Ana,Lima,Agent,Support,,,UTC", "line 3: email is empty"),
        (
            "ana.example.com,Ana,Lima,Agent,Support,,,UTC",
            "line 3: email “ana.example.com” is not a valid address",
        ),
        ("ana@example.com,Ana,Lima,Agent,Support,,UTC", "line 3: expected 8 fields, found 7"),
        (
            "ana@example.com,Ana,Lima,Agent,Support,ana@example.com,,UTC",
            "line 3: a person cannot be their own manager",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(tmp_path, line, reason):
    path = csv_file(tmp_path, "ok@example.com,Ok,Fine,Agent,Support,,,UTC", line)
    message, err = run_failing(path)

    assert reason in err
    assert "nothing was imported" in message
    assert "--skip-invalid" in message
    assert not User.objects.exists()
    assert not Learner.objects.exists()


def test_every_occurrence_of_a_duplicate_email_is_reported(tmp_path):
    path = csv_file(
        tmp_path,
        "ana@example.com,Ana,Lima,Agent,Support,,,UTC",
        "mo@example.com,Mo,Rahman,Lead,Support,,,UTC",
        "ANA@example.com,Ana,Other,Agent,Billing,,,UTC",
    )
    _, err = run_failing(path)
    assert "line 2: email ana@example.com is also on line 4 (duplicate in the file)" in err
    assert "line 4: email ana@example.com is also on line 2 (duplicate in the file)" in err
    assert "line 3" not in err


def test_line_numbers_count_physical_lines_across_quoted_newlines_and_blank_lines(tmp_path):
    path = csv_file(
        tmp_path,
        'ok@example.com,Ok,Fine,"Agent,\nsecond line",Support,,,UTC',
        "",
        "bad@example.com,Bad,Zone,Agent,Support,,,Nowhere/City",
    )
    _, err = run_failing(path)
    assert err.strip() == (
        "line 5: timezone “Nowhere/City” is not an IANA time zone (e.g. Europe/Berlin)"
    )


def test_a_missing_column_is_a_whole_file_error_naming_the_columns(tmp_path):
    path = csv_file(
        tmp_path,
        "ana@example.com,Ana,Lima,Agent,Support,2026-11-30",
        header="email,first_name,last_name,role,team,start_date",
    )
    message, _ = run_failing(path)
    assert "missing column(s): manager_email, timezone" in message
    assert not User.objects.exists()


def test_an_excel_export_with_a_byte_order_mark_and_capitalised_headers_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffEmail,First_Name,Last_Name,Role,Team,Manager_Email,Start_Date,Timezone,Cost centre\r\n"
        "zoe@example.com,Zoë,Ångström,Agent,Support,,2026-11-30,Europe/Stockholm,4711\r\n".encode()
    )
    out, _ = run(path)
    assert "1 created" in out
    assert Learner.objects.get().user.first_name == "Zoë"


def test_skip_invalid_imports_the_good_rows_and_drops_reports_of_a_bad_manager(tmp_path):
    path = csv_file(
        tmp_path,
        "ana@example.com,Ana,Lima,Agent,Support,mo@example.com,,UTC",
        "kai@example.com,Kai,Berg,Agent,Support,ana@example.com,,UTC",
        "mo@example.com,Mo,Rahman,Lead,Support,,,Atlantis/Capital",
        "lee@example.com,Lee,Chen,Agent,Billing,,,Asia/Singapore",
    )
    out, err = run(path, "--skip-invalid")

    assert "1 created, 0 updated, 0 unchanged, 3 invalid row(s) skipped" in out
    assert err.splitlines() == [
        "line 2: manager mo@example.com (line 4) is an invalid row",
        "line 3: manager ana@example.com (line 2) is an invalid row",
        "line 4: timezone “Atlantis/Capital” is not an IANA time zone (e.g. Europe/Berlin)",
    ]
    assert list(User.objects.values_list("username", flat=True)) == ["lee@example.com"]


def test_without_skip_invalid_the_command_exits_non_zero(tmp_path):
    path = csv_file(tmp_path, "ana@example.com,Ana,Lima,Agent,Support,,someday,UTC")
    with pytest.raises(CommandError) as failure:
        call_command("import_learners", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert failure.value.returncode == 1


def test_the_username_of_a_new_person_taken_by_another_account_is_a_bad_row(tmp_path):
    UserFactory(username="ana@example.com", email="someone.else@example.com")
    _, err = run_failing(csv_file(tmp_path, "ana@example.com,Ana,Lima,Agent,Support,,,UTC"))
    assert "line 2: the username ana@example.com is taken by an account with another email" in err


def test_new_and_changed_learners_are_enrolled_in_live_events_they_match(tmp_path):
    today = timezone.localdate()
    launch = ChangeEvent(name="Refunds 2.0", kind="product_launch", date=today)
    launch.audience_rules = [EventAudience(role="Support agent")]
    launch.save()
    launch.save_revision().publish()
    onboarding = ChangeEvent(name="Welcome", kind="onboarding")
    onboarding.audience_rules = [EventAudience(team="Support")]
    onboarding.save()
    onboarding.save_revision().publish()
    changing = LearnerFactory(user__email="kai@example.com", role="Engineer", team="Platform")
    start = today - datetime.timedelta(days=3)

    run(
        csv_file(
            tmp_path,
            f"ana@example.com,Ana,Lima,Support agent,Support,,{start},UTC",
            "eng@example.com,Eli,Ng,Engineer,Platform,,,UTC",
            f"kai@example.com,Kai,Berg,Support agent,Billing,,{start},UTC",
        )
    )

    enrolled = set(
        Enrollment.objects.values_list("learner__user__email", "event__name", "anchor_date")
    )
    assert enrolled == {
        ("ana@example.com", "Refunds 2.0", today),
        ("ana@example.com", "Welcome", start),
        ("kai@example.com", "Refunds 2.0", today),
    }
    assert changing.enrollments.count() == 1


def test_the_progress_bar_shows_only_on_a_terminal(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    path = csv_file(tmp_path, "ana@example.com,Ana,Lima,Agent,Support,,,UTC")
    piped, _ = run(path)
    assert "Importing" not in piped

    terminal = Terminal()
    run(
        csv_file(tmp_path, "mo@example.com,Mo,Rahman,Lead,Support,,,UTC", name="b.csv"),
        stdout=terminal,
    )
    assert "Importing" in terminal.getvalue()
    assert "1 created" in terminal.getvalue()


# --- Staff and superuser accounts are not the import's to change ----------------------------------


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_row_that_would_change_a_staff_or_superuser_account_is_refused(tmp_path, flag):
    admin = UserFactory(username="root", email="Root@example.com", first_name="Ro", last_name="Ot")
    User.objects.filter(pk=admin.pk).update(**{flag: True})
    path = csv_file(
        tmp_path,
        "ok@example.com,Ok,Fine,Agent,Support,,,UTC",
        "root@example.com,Mallory,Ot,Agent,Support,,,UTC",
    )
    message, err = run_failing(path)

    assert err.splitlines() == [
        "line 3: root@example.com is a staff or superuser account, which the import does not "
        "change (change it in the admin, or leave the row as the account is)"
    ]
    assert "nothing was imported" in message
    admin.refresh_from_db()
    assert admin.first_name == "Ro"
    assert not Learner.objects.exists()  # not even the good row: nothing is half-written
    assert list(User.objects.values_list("username", flat=True)) == ["root"]


def test_with_skip_invalid_the_others_go_in_and_may_still_report_to_the_admin(tmp_path):
    admin = UserFactory(username="root", email="root@example.com", is_superuser=True)
    path = csv_file(
        tmp_path,
        "ana@example.com,Ana,Lima,Agent,Support,root@example.com,,UTC",
        "root@example.com,Root,Changed,Lead,Support,,,UTC",
    )
    out, err = run(path, "--skip-invalid")

    assert "1 created, 0 updated, 0 unchanged, 1 invalid row(s) skipped" in out
    assert err.startswith("line 3: root@example.com is a staff or superuser account")
    assert Learner.objects.get().manager == admin  # the account stays as it is, and manages Ana
    admin.refresh_from_db()
    assert admin.last_name != "Changed"
    assert not Learner.objects.filter(user=admin).exists()


def test_a_row_that_leaves_a_staff_account_as_it_is_is_accepted(tmp_path):
    boss = UserFactory(username="boss", email="boss@example.com", is_staff=True)
    lead = LearnerFactory(
        user__username="lead",
        user__email="lead@example.com",
        user__first_name="Le",
        user__last_name="Ad",
        user__is_staff=True,
        role="Lead",
        team="Support",
        manager=boss,
        timezone="Europe/Berlin",
    )
    path = csv_file(
        tmp_path,
        "lead@example.com,Le,Ad,Lead,Support,boss@example.com,,europe/berlin",
        "ana@example.com,Ana,Lima,Agent,Support,lead@example.com,,UTC",
    )
    out, err = run(path)
    assert "1 created, 0 updated, 1 unchanged" in out
    assert err == ""
    assert Learner.objects.get(user__username="ana@example.com").manager == lead.user


# --- Manager loops ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        (
            [
                "a@example.com,A,A,Agent,Support,b@example.com,,UTC",
                "b@example.com,B,B,Lead,Support,a@example.com,,UTC",
            ],
            [
                "line 2: managers would form a loop: a@example.com → b@example.com → "
                "a@example.com (lines 2, 3)",
                "line 3: managers would form a loop: b@example.com → a@example.com → "
                "b@example.com (lines 2, 3)",
            ],
        ),
        (
            [
                "a@example.com,A,A,Agent,Support,b@example.com,,UTC",
                "ok@example.com,Ok,Fine,Agent,Support,,,UTC",
                "c@example.com,C,C,Head,Support,a@example.com,,UTC",
                "b@example.com,B,B,Lead,Support,c@example.com,,UTC",
            ],
            [
                "line 2: managers would form a loop: a@example.com → b@example.com → "
                "c@example.com → a@example.com (lines 2, 4, 5)",
                "line 4: managers would form a loop: c@example.com → a@example.com → "
                "b@example.com → c@example.com (lines 2, 4, 5)",
                "line 5: managers would form a loop: b@example.com → c@example.com → "
                "a@example.com → b@example.com (lines 2, 4, 5)",
            ],
        ),
        (
            ["a@example.com,A,A,Agent,Support,A@example.com,,UTC"],
            ["line 2: a person cannot be their own manager"],
        ),
    ],
    ids=["two", "three", "self"],
)
def test_a_manager_loop_in_the_file_is_refused_with_its_lines(tmp_path, lines, errors):
    message, err = run_failing(csv_file(tmp_path, *lines))
    assert err.splitlines() == errors
    assert "nothing was imported" in message
    assert not User.objects.exists()


def test_a_loop_that_closes_through_the_database_is_refused(tmp_path):
    """The file makes A report to B; the database has B reporting to C and C to A."""
    a = UserFactory(username="a", email="a@example.com")
    c = LearnerFactory(user__username="c", user__email="c@example.com", manager=a).user
    LearnerFactory(user__username="b", user__email="b@example.com", manager=c)
    path = csv_file(
        tmp_path,
        "ok@example.com,Ok,Fine,Agent,Support,b@example.com,,UTC",
        "a@example.com,A,A,Head,Support,b@example.com,,UTC",
    )
    message, err = run_failing(path)

    assert err.splitlines() == [
        "line 3: managers would form a loop: a@example.com → b@example.com (not in this file) → "
        "c@example.com (not in this file) → a@example.com (lines 3)"
    ]
    assert "nothing was imported" in message
    assert not Learner.objects.filter(user=a).exists()


def test_a_loop_through_someone_the_file_moves_is_judged_by_the_file(tmp_path):
    """The database has B reporting to A; the file gives B a new manager, so A may report to B."""
    a = UserFactory(username="a", email="a@example.com")
    LearnerFactory(user__username="b", user__email="b@example.com", manager=a)
    path = csv_file(
        tmp_path,
        "a@example.com,A,A,Lead,Support,b@example.com,,UTC",
        "b@example.com,B,B,Head,Support,,,UTC",
    )
    out, err = run(path)
    assert "1 created, 1 updated" in out
    assert err == ""
    assert Learner.objects.get(user=a).manager.username == "b"


def test_with_skip_invalid_the_rows_in_a_loop_and_their_reports_are_skipped(tmp_path):
    path = csv_file(
        tmp_path,
        "a@example.com,A,A,Agent,Support,b@example.com,,UTC",
        "b@example.com,B,B,Lead,Support,a@example.com,,UTC",
        "kai@example.com,Kai,Berg,Agent,Support,b@example.com,,UTC",
        "self@example.com,Sel,F,Agent,Support,self@example.com,,UTC",
        "lee@example.com,Lee,Chen,Agent,Billing,,,UTC",
    )
    out, err = run(path, "--skip-invalid")

    assert "1 created, 0 updated, 0 unchanged, 4 invalid row(s) skipped" in out
    assert err.splitlines() == [
        "line 2: managers would form a loop: a@example.com → b@example.com → a@example.com "
        "(lines 2, 3)",
        "line 3: managers would form a loop: b@example.com → a@example.com → b@example.com "
        "(lines 2, 3)",
        "line 4: manager b@example.com (line 3) is an invalid row",
        "line 5: a person cannot be their own manager",
    ]
    assert list(User.objects.values_list("username", flat=True)) == ["lee@example.com"]


def test_following_managers_through_the_database_costs_a_query_per_level_not_per_row(tmp_path):
    """A chain of five existing managers above the file: the same queries for 3 rows as for 60."""
    top = None
    for level in range(5):
        top = LearnerFactory(user__username=f"m{level}", manager=top).user

    def people(n, tag):
        return [f"{tag}{i}@example.com,P,{i},Agent,Support,{top.email},,UTC" for i in range(n)]

    counts = []
    for n, tag in ((3, "small"), (60, "large")):
        with CaptureQueriesContext(connection) as queries:
            out, _ = run(csv_file(tmp_path, *people(n, tag), name=f"{tag}.csv"))
        assert f"{n} created" in out
        counts.append(len(queries))
    assert counts[0] == counts[1]
