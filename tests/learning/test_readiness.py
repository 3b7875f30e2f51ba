"""Readiness on the day that matters: each report's and the team's predicted recall of a launch's
practice on its date, if they keep to their schedule and if they stopped today."""

import datetime

import fsrs
import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from cms.models import ChangeEvent
from learning.models import Card, CardState, Enrollment
from learning.people.roles import MANAGERS
from learning.practice import readiness
from learning.practice.fitting import DEFAULT_PARAMETERS
from learning.practice.scheduling import Schedule
from learning.team import reports
from tests.factories import LearnerFactory, UserFactory, publish_module, question, token_client

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def recall(stability: float, days: int) -> float:
    """FSRS 6's forgetting curve by hand, with fsrs's default parameters."""
    decay = -DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * days / stability) ** decay


@pytest.fixture
def launch(library):
    """A launch 10 days ahead; a manager with Ana (two answered cards and a new one), Ben (one
    answered card) and Cy (enrolled in nothing dated)."""
    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    module = publish_module(
        title="Flex",
        body=[question(f"Q{i}?", [("yes", True), ("no", False)]) for i in range(3)],
    )
    blocks = [b.id for b in module.body]
    event = ChangeEvent.objects.create(
        name="Flex launch", kind="product_launch", date=today + 10 * DAY
    )
    old = ChangeEvent.objects.create(name="Last launch", kind="product_launch", date=today - DAY)
    boss = UserFactory(username="boss")
    boss.groups.add(Group.objects.get(name=MANAGERS))  # into the admin, for My team
    people = {
        name: LearnerFactory(user__username=name, manager=boss, timezone="UTC")
        for name in ("ana", "ben", "cy")
    }
    for name in ("ana", "ben"):
        Enrollment.objects.create(learner=people[name], event=event, anchor_date=today)
    Enrollment.objects.create(learner=people["cy"], event=old, anchor_date=today - 5 * DAY)
    reviewed_3_days_ago = now - 3 * DAY

    def card(learner, block, *, stability, due):
        return Card.objects.create(
            learner=learner, module=module, block_id=block, event=event, answer_fingerprint="-",
            state=CardState.REVIEW, step=None, stability=stability, difficulty=5.0,
            last_review=reviewed_3_days_ago, due=due,
        )  # fmt: skip

    # Due long after the launch: nothing to review before it, so keeping up changes nothing.
    ana_late = card(people["ana"], blocks[0], stability=40.0, due=now + 30 * DAY)
    # Due tomorrow: a review before the launch, which keeping up makes.
    ana_soon = card(people["ana"], blocks[1], stability=4.0, due=now + DAY)
    Card.objects.create(
        learner=people["ana"], module=module, block_id=blocks[2], event=event,
        answer_fingerprint="-", due=now,
    )  # fmt: skip  # never answered: counted, not projected
    ben_card = card(people["ben"], blocks[0], stability=10.0, due=now + 60 * DAY)
    # A card of another event is not this launch's.
    Card.objects.create(
        learner=people["ben"], module=module, block_id=blocks[1], event=old,
        answer_fingerprint="-", state=CardState.REVIEW, step=None, stability=1.0,
        difficulty=5.0, last_review=reviewed_3_days_ago, due=now,
    )  # fmt: skip
    the_day = datetime.datetime.combine(event.date, datetime.time(9), datetime.UTC)
    days = (the_day - reviewed_3_days_ago).days
    return {
        "boss": boss, "event": event, "people": people, "days": days, "now": now,
        "cards": {"ana_late": ana_late, "ana_soon": ana_soon, "ben": ben_card},
    }  # fmt: skip


def test_each_reports_readiness_against_hand_computed_figures(launch):
    summaries = {
        s.learner.user.username: s for s in reports.team_overview(launch["boss"], now=launch["now"])
    }
    days = launch["days"]

    ana = summaries["ana"].readiness
    assert (ana.event_name, ana.date, ana.cards, ana.reviewed) == (
        "Flex launch", launch["event"].date, 3, 2,
    )  # fmt: skip
    late_stopped, soon_stopped = recall(40.0, days), recall(4.0, days)
    assert ana.if_stopped == pytest.approx((late_stopped + soon_stopped) / 2, abs=0.001)
    # The late card is not reviewed before the day: kept and stopped agree for it; the soon one
    # is reviewed tomorrow (answered right), so keeping up lifts Ana above stopping.
    soon_kept = 2 * ana.if_kept - round(late_stopped, 3)
    assert soon_kept > soon_stopped + 0.05
    assert ana.if_kept > ana.if_stopped

    ben = summaries["ben"].readiness
    assert (ben.cards, ben.reviewed) == (1, 1)  # the other event's card is not this launch's
    assert ben.if_stopped == pytest.approx(recall(10.0, days), abs=0.001)
    assert ben.if_kept == ben.if_stopped  # due after the day

    assert summaries["cy"].readiness is None  # their only event is past

    [team] = reports.team_figures(list(summaries.values())).readiness
    assert team.event_name == "Flex launch"
    assert (team.cards, team.reviewed) == (4, 3)
    assert team.if_kept == pytest.approx((ana.if_kept + ben.if_kept) / 2, abs=0.001)
    assert team.if_stopped == pytest.approx((ana.if_stopped + ben.if_stopped) / 2, abs=0.001)


def test_a_card_due_before_the_day_is_projected_through_its_reviews():
    now = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    schedule = Schedule(
        state=fsrs.State.Review, step=None, stability=2.0, difficulty=5.0,
        due=now + DAY, last_review=now - DAY,
    )  # fmt: skip
    kept, stopped = readiness.project(
        schedule, on=now + 30 * DAY, now=now, retention=None, parameters=None
    )
    assert stopped == pytest.approx(recall(2.0, 31), abs=1e-6)
    assert 0.85 < kept <= 1.0  # reviewed on time and right, it ends near the desired retention
    assert kept > stopped + 0.2


def test_the_manager_api_carries_each_reports_readiness(launch):
    body = token_client(launch["boss"]).get("/api/v1/manager/team").json()
    by_name = {m["username"]: m for m in body["items"]}
    ana = by_name["ana"]["readiness"]
    assert ana["event_id"] == launch["event"].pk
    assert ana["date"] == launch["event"].date.isoformat()
    assert ana["cards"] == 3
    assert ana["reviewed"] == 2
    assert ana["if_kept"] > ana["if_stopped"]
    assert by_name["cy"]["readiness"] is None


def test_the_manager_api_gives_the_teams_readiness_per_event(launch):
    [team] = token_client(launch["boss"]).get("/api/v1/manager/team/readiness").json()
    members = token_client(launch["boss"]).get("/api/v1/manager/team").json()["items"]
    ready = [m["readiness"] for m in members if m["readiness"]]
    assert team["event_name"] == "Flex launch"
    assert (team["cards"], team["reviewed"]) == (4, 3)
    mean = sum(r["if_kept"] for r in ready) / len(ready)
    assert team["if_kept"] == pytest.approx(mean, abs=0.001)
    # Someone with no reports has no team, and no readiness.
    assert (
        token_client(launch["people"]["ana"].user).get("/api/v1/manager/team/readiness").json()
        == []
    )


def test_my_team_shows_the_readiness_column_and_the_teams_figure(launch, client):
    client.force_login(launch["boss"])
    html = client.get("/cms/team/").content.decode()
    assert "Ready on the day" in html
    assert "Flex launch" in html
    assert "if kept up" in html
    assert "if stopped today" in html
    assert "no dated event ahead" in html  # Cy
    export = b"".join(client.get("/cms/team/?export=csv").streaming_content).decode()
    assert "Recall on the day if they keep up" in export.splitlines()[0]


@pytest.mark.parametrize("size", [2, 40])
def test_readiness_takes_two_queries_whatever_the_teams_size(
    launch, size, django_assert_num_queries
):
    people = [LearnerFactory(user__username=f"r{i}", timezone="UTC") for i in range(size)]
    event = readiness.EventOnTheDay(
        event_id=launch["event"].pk, name="Flex launch", date=launch["event"].date,
        target_retention=None,
    )  # fmt: skip
    with django_assert_num_queries(2):
        readiness.readiness(people, {p.pk: event for p in people}, now=launch["now"])


def test_the_authors_forecast_ranks_the_events_questions_weakest_on_the_day_first(launch):
    event = launch["event"]
    forecast = readiness.event_forecast(
        readiness.EventOnTheDay(event.pk, event.name, event.date, event.target_retention),
        now=launch["now"],
    )
    days = launch["days"]
    assert forecast.learners == 2  # Ana and Ben; Cy is on another journey
    assert (forecast.overall.cards, forecast.overall.reviewed) == (4, 3)
    by_block = {q.block_id: q for q in forecast.questions}
    late = launch["cards"]["ana_late"].block_id
    soon = launch["cards"]["ana_soon"].block_id
    [new] = set(by_block) - {late, soon}
    # Ana's and Ben's first question, neither reviewed before the day: stopping changes nothing.
    first = by_block[late]
    assert (first.cards, first.reviewed) == (2, 2)
    assert first.if_stopped == pytest.approx(
        (recall(40.0, days) + recall(10.0, days)) / 2, abs=0.001
    )
    assert first.if_kept == first.if_stopped
    assert by_block[soon].if_kept > by_block[soon].if_stopped
    # The never-answered question has no forecast and comes last; the rest weakest first.
    assert forecast.questions[-1] == by_block[new]
    assert (by_block[new].cards, by_block[new].reviewed, by_block[new].if_kept) == (1, 0, None)
    ranked = [q.if_kept for q in forecast.questions[:-1]]
    assert ranked == sorted(ranked)


def test_an_author_reads_the_launch_readiness_per_question(launch, author_client):
    index = author_client.get("/cms/analytics/readiness/").content.decode()
    assert "Flex launch" in index
    assert "Last launch" not in index  # its day has passed
    url = f"/cms/analytics/readiness/{launch['event'].pk}/"
    assert f'href="{url}"' in index
    html = author_client.get(url).content.decode()
    assert "Ready on the day: Flex launch" in html
    assert "Questions, weakest on the day first" in html
    for prompt in ("Q0?", "Q1?", "Q2?"):
        assert prompt in html
    assert html.index("Q2?", html.index("<table")) > html.index("Q0?", html.index("<table"))
    assert "target 90%" in html
    past = author_client.get(
        f"/cms/analytics/readiness/{ChangeEvent.objects.get(name='Last launch').pk}/"
    )
    assert "has passed" in past.content.decode()
    assert author_client.get("/cms/analytics/readiness/999999999/").status_code == 404
    # The event's editor links to it.
    edit = author_client.get(f"/cms/snippets/cms/changeevent/edit/{launch['event'].pk}/")
    assert url in edit.content.decode()


def test_a_manager_is_refused_the_authors_readiness_report(launch, client):
    client.force_login(launch["boss"])
    for url in ("/cms/analytics/readiness/", f"/cms/analytics/readiness/{launch['event'].pk}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/cms/"
        assert b"Q0?" not in response.content


@pytest.mark.parametrize("size", [2, 40])
def test_an_events_forecast_takes_the_same_queries_whatever_its_size(
    launch, size, django_assert_num_queries
):
    event = launch["event"]
    for i in range(size):
        person = LearnerFactory(user__username=f"e{i}", timezone="UTC")
        Enrollment.objects.create(learner=person, event=event, anchor_date=event.date)
    on_the_day = readiness.EventOnTheDay(event.pk, event.name, event.date, None)
    with django_assert_num_queries(3):  # the people, their cards, the scheduler sets
        forecast = readiness.event_forecast(on_the_day, now=launch["now"])
    assert forecast.learners == size + 2
