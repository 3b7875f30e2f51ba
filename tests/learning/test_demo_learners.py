"""seed_demo's learners: every learner and manager endpoint has something to show, and reloading changes nothing."""

import pytest
from django.core.management import call_command

from learning.models import Activity, Confirmation, Enrollment, Learner
from tests.factories import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded(demo):
    """What seed_demo leaves (copied from the run's one seed); each test checks a whole side of it."""


def test_demo_learners_have_history_and_reloading_records_nothing_twice():
    first = Learner.objects.get(user__username="demo-learner")
    second = Learner.objects.get(user__username="demo-learner2")
    manager = Learner.objects.get(user__username="demo-manager")
    assert first.manager == second.manager == manager.user
    assert Enrollment.objects.filter(learner=first, event__kind="onboarding").exists()
    assert Enrollment.objects.filter(learner=first, event__kind="product_launch").exists()
    assert (
        Activity.objects.filter(learner=first).count()
        > Activity.objects.filter(learner=second).count()
        > 0
    )
    assert Activity.objects.filter(learner=first, confirmation=Confirmation.PENDING).exists()

    counts = (Learner.objects.count(), Enrollment.objects.count(), Activity.objects.count())
    call_command("seed_demo", "--i-know-this-creates-known-passwords", verbosity=0)
    assert (Learner.objects.count(), Enrollment.objects.count(), Activity.objects.count()) == counts


def test_every_endpoint_has_something_to_show():
    learner_api = token_client(Learner.objects.get(user__username="demo-learner").user)
    progress = learner_api.get("/api/v1/me/progress").json()
    assert progress["mix"]["total_minutes"] > 0
    assert learner_api.get("/api/v1/journeys").json()["count"] == 2
    today = learner_api.get("/api/v1/me/today?minutes=5").json()
    assert today["plan"]
    assert not today["nothing_fits"]
    manager_api = token_client(Learner.objects.get(user__username="demo-manager").user)
    team = manager_api.get("/api/v1/manager/team").json()
    assert {m["username"] for m in team["items"]} == {
        "demo-learner",
        "demo-learner2",
        "demo-learner3",
        "demo-learner4",
        "demo-learner5",
    }
    first = next(m for m in team["items"] if m["username"] == "demo-learner")
    assert manager_api.get(f"/api/v1/manager/learners/{first['id']}").json()["to_confirm"]


def test_the_demos_buddies_confirm_through_the_product():
    chris = Learner.objects.get(user__username="demo-learner5").user
    boss = Learner.objects.get(user__username="demo-manager").user
    buddied = set(
        Enrollment.objects.filter(buddy=chris).values_list("learner__user__username", flat=True)
    )
    assert buddied == {"demo-learner", "demo-learner2"}
    # Sam's shadowing waits in Chris's inbox, as Chris's.
    inbox = token_client(chris).get("/api/v1/me/confirmations").json()
    assert [(i["learner"]["name"], i["confirming_as"]) for i in inbox["items"]] == [
        ("Sam Starter", "buddy")
    ]
    # Every confirmation was made by someone, the buddy where there is one: none written around
    # the rule.
    confirmed = Activity.objects.filter(confirmation=Confirmation.CONFIRMED, step__isnull=False)
    assert confirmed.exists()
    assert not confirmed.filter(confirmed_by__isnull=True).exists()
    assert set(
        confirmed.filter(
            step__confirmed_by="buddy", learner__user__username="demo-learner"
        ).values_list("confirmed_by", flat=True)
    ) == {chris.pk}
    assert set(
        confirmed.filter(
            step__confirmed_by="buddy", learner__user__username="demo-learner4"
        ).values_list("confirmed_by", flat=True)
    ) == {boss.pk}


def test_the_demo_launch_moved_once_and_its_journeys_with_it():
    from cms.models import ChangeEvent

    launch = ChangeEvent.objects.get(kind="product_launch")
    assert launch.revisions.count() == 2  # published, then published again with the new date
    anchors = set(Enrollment.objects.filter(event=launch).values_list("anchor_date", flat=True))
    assert anchors == {launch.date}
    call_command("seed_demo", "--i-know-this-creates-known-passwords", verbosity=0)
    assert launch.revisions.count() == 2


def test_priya_is_on_leave_through_the_product():
    from learning.models import Pause

    priya = Learner.objects.get(user__username="demo-learner4")
    (pause,) = Pause.objects.filter(learner=priya)
    assert (pause.reason, pause.set_by.username, (pause.ends_on - pause.starts_on).days) == (
        "Annual leave",
        "demo-manager",
        6,
    )
    boss = Learner.objects.get(user__username="demo-manager").user
    team = token_client(boss).get("/api/v1/manager/team").json()["items"]
    paused = {m["username"]: m["paused_until"] for m in team}
    assert paused["demo-learner4"] == pause.ends_on.isoformat()
    assert [name for name, until in paused.items() if until] == ["demo-learner4"]
