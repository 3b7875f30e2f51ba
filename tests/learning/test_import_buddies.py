"""The HR import's optional buddy_email column: a newcomer's onboarding gets its buddy, a bad buddy
is an error naming its line, and nothing is written then."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cms.models import ChangeEvent, JourneyStep
from learning.models import Enrollment, Learner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,role,team,manager_email,start_date,timezone,buddy_email"


@pytest.fixture(autouse=True)
def onboarding(library):
    event = ChangeEvent(
        name="Support onboarding", kind="onboarding", audience_everyone=True, live=False
    )
    event.steps = [JourneyStep(title="Meet your buddy", kind="social", confirmed_by="buddy")]
    event.save()
    event.save_revision().publish()
    return event


def import_file(tmp_path, *lines, args=()):
    path = tmp_path / "people.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_learners", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def buddy_of(email):
    enrollment = Enrollment.objects.select_related("buddy").get(
        learner__user__username=email, event__kind="onboarding"
    )
    return enrollment.buddy.username if enrollment.buddy else None


def start():
    return (timezone.now().date() - datetime.timedelta(days=1)).isoformat()


def test_a_newcomer_gets_the_buddy_the_file_names_an_account_or_a_row(tmp_path):
    UserFactory(username="chris", email="Chris@Example.com")
    out = import_file(
        tmp_path,
        f"ana@example.com,Ana,Lima,Support agent,Support,,{start()},Europe/Lisbon,CHRIS@example.com",
        f"bo@example.com,Bo,Berg,Support agent,Support,,{start()},Europe/Oslo,ana@example.com",
        f"cy@example.com,Cy,Lee,Support agent,Support,,{start()},Asia/Tokyo,",
    )

    assert "2 onboarding buddy(ies) set" in out
    assert (buddy_of("ana@example.com"), buddy_of("bo@example.com")) == ("chris", "ana@example.com")
    assert buddy_of("cy@example.com") is None

    # The same file again changes nothing; a blank buddy_email leaves the buddy as it is.
    again = import_file(
        tmp_path,
        f"ana@example.com,Ana,Lima,Support agent,Support,,{start()},Europe/Lisbon,",
        f"bo@example.com,Bo,Berg,Support agent,Support,,{start()},Europe/Oslo,ana@example.com",
    )
    assert "buddy" not in again
    assert buddy_of("ana@example.com") == "chris"


@pytest.mark.parametrize(
    ("buddy", "reason"),
    [
        ("nobody@example.com", "line 2: unknown buddy nobody@example.com"),
        ("ana@example.com", "line 2: a person cannot be their own buddy"),
        ("gone@example.com", "line 2: buddy gone@example.com's account is deactivated"),
    ],
)
def test_a_bad_buddy_is_an_error_naming_the_line_and_nothing_is_written(tmp_path, buddy, reason):
    UserFactory(username="gone", email="gone@example.com", is_active=False)
    with pytest.raises(CommandError):
        import_file(
            tmp_path,
            f"ana@example.com,Ana,Lima,Support agent,Support,,{start()},Europe/Lisbon,{buddy}",
        )
    err = io.StringIO()
    path = tmp_path / "people.csv"
    with pytest.raises(CommandError):
        call_command("import_learners", str(path), stdout=io.StringIO(), stderr=err)
    assert reason in err.getvalue()
    assert not Learner.objects.filter(user__username="ana@example.com").exists()


def test_with_skip_invalid_a_row_whose_buddy_row_is_invalid_is_dropped_too(tmp_path):
    out = import_file(
        tmp_path,
        "ana@example.com,Ana,Lima,Support agent,Support,,not-a-date,Europe/Lisbon,",
        f"bo@example.com,Bo,Berg,Support agent,Support,,{start()},Europe/Oslo,ana@example.com",
        f"cy@example.com,Cy,Lee,Support agent,Support,,{start()},Asia/Tokyo,",
        args=["--skip-invalid"],
    )
    assert "1 created" in out
    assert set(Learner.objects.values_list("user__username", flat=True)) == {"cy@example.com"}
