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
    assert writes == []
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
