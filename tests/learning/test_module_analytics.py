"""/cms/analytics/modules/: per-module figures for authors, checked against a hand-computed cohort.

The cohort (module "Refunds", estimate 4 minutes, two questions; "Escalation", estimate 3):
- Ann, Ben and Cat are enrolled in the live launch whose journey has both modules; Dan is not (he
  found Refunds by search) and is enrolled only in a draft event, which does not count.
- Ann starts and completes (3 min), completes again (4 min), rates 5 "Clear and short.".
- Ben starts and completes (6 min), rates 2 "Too long for a break.".
- Cat starts and leaves; rates 1 without a comment.
- Dan completes without a start event (10 min) and rates 4.
So Refunds: enrolled 3, started 4, completed 3, drop-off 1/4, median of 3, 4, 6, 10 = 5,
average rating (5 + 2 + 1 + 4) / 4 = 3.0, 2 comments.
First tries: Q1 Ann wrong then right, Ben right, Dan right at 10:00 but an offline wrong answer from
09:00 arrives later: 1 of 3. Q2 Ann right, Ben wrong then right: 1 of 2. The module: 2 of 5.
"""

import datetime
import re
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import ChangeEvent, EventAudience, JourneyStep, MicroModule
from learning.analytics import modules as module_analytics
from learning.ledger import events
from learning.models import Activity, Card, Enrollment, Learner, Review
from learning.practice import cards as practice
from tests.factories import LearnerFactory, UserFactory, publish_module, question, text

pytestmark = pytest.mark.django_db
URL = "/cms/analytics/modules/"
NOW = timezone.now()
DAY = NOW - datetime.timedelta(days=2)


def at(hours: float) -> datetime.datetime:
    return DAY + datetime.timedelta(hours=hours)


def record(learner, type_, module, hours, **fields):
    [result] = events.record_events(
        learner,
        [
            {
                "id": str(uuid.uuid4()),
                "type": type_,
                "occurred_at": at(hours).isoformat(),
                "module_id": module.pk,
                **fields,
            }
        ],
        now=NOW,
    ).results
    assert result.status == events.ACCEPTED, result


def answer(learner, module, index, *, right: bool, hours: float):
    block_id, q = list(practice.questions_of(module).items())[index]
    wrong = [i for i in range(len(q.choices)) if i not in q.correct][:1]
    card = Card.objects.get(learner=learner, module=module, block_id=block_id)
    practice.answer(
        learner,
        card_id=card.pk,
        client_id=uuid.uuid4(),
        answered_at=at(hours),
        choices=sorted(q.correct) if right else wrong,
        response_ms=5000,
        now=NOW,
    )


def live_event(name, *modules, live=True):
    event = ChangeEvent(name=name, kind="product_launch", date=DAY.date(), live=live)
    event.audience_rules = [EventAudience(role="Nobody matches this")]
    event.steps = [JourneyStep(title=m.title, kind="formal", module=m) for m in modules]
    event.save()
    if live:
        event.save_revision().publish()
    return event


def enrol(event, *learners):
    for learner in learners:
        Enrollment.objects.create(learner=learner, event=event, anchor_date=event.date)


@pytest.fixture
def cohort(library):
    refunds = publish_module(
        title="Refunds",
        minutes_override=4,
        body=[
            text(),
            question("How many days for a refund?", [("7", False), ("14", True), ("30", False)]),
            question("Which need a team lead?", [("Over £500", True), ("Any", False)]),
        ],
    )
    escalation = publish_module(title="Escalation", minutes_override=3, body=[question()])
    draft = publish_module(title="Not yet", live=False, body=[question()])
    ann, ben, cat, dan = (
        LearnerFactory(
            user__username=n.lower(),
            user__first_name=n,
            user__last_name="Learnerson",
            user__password=None,  # nobody signs in: skip the (slow) password hashing
        )
        for n in ("Ann", "Ben", "Cat", "Dan")
    )
    enrol(live_event("Launch", refunds, escalation), ann, ben, cat)
    enrol(live_event("Draft", refunds, draft, live=False), dan)

    record(ann, "module_started", refunds, 1)
    record(ann, "module_completed", refunds, 1.1, minutes=3)
    record(ann, "module_completed", refunds, 5, minutes=4)
    record(ann, "feedback", refunds, 5.1, rating=5, comment="Clear and short.")
    record(ben, "module_started", refunds, 2)
    record(ben, "module_completed", refunds, 2.2, minutes=6)
    record(ben, "feedback", refunds, 2.3, rating=2, comment="Too long for a break.")
    record(cat, "module_started", refunds, 3)
    record(cat, "feedback", refunds, 3.1, rating=1)
    record(dan, "module_completed", refunds, 4, minutes=10)
    record(dan, "feedback", refunds, 4.1, rating=4)

    answer(ann, refunds, 0, right=False, hours=8)
    answer(ann, refunds, 0, right=True, hours=9)
    answer(ben, refunds, 0, right=True, hours=8)
    answer(dan, refunds, 0, right=True, hours=10)
    answer(dan, refunds, 0, right=False, hours=9)  # answered offline earlier, arrives later
    answer(ann, refunds, 1, right=True, hours=8)
    answer(ben, refunds, 1, right=False, hours=8)
    answer(ben, refunds, 1, right=True, hours=8.5)
    return refunds, escalation


def stats_of(overview, title):
    return next(m for m in overview.modules if m.title == title)


def test_figures_per_live_module_match_the_hand_computed_cohort(cohort):
    overview = module_analytics.overview()

    assert [m.title for m in overview.modules] == ["Escalation", "Refunds"]  # live only, by title
    r = stats_of(overview, "Refunds")
    assert (r.enrolled, r.started, r.completed, r.completions) == (3, 4, 3, 4)
    assert r.drop_off == pytest.approx(0.25)
    assert r.median_minutes == pytest.approx(5.0)
    assert r.time_against_estimate == pytest.approx(1.25)
    assert (r.ratings, r.average_rating, r.comments) == (4, pytest.approx(3.0), 2)
    assert r.stars == (1, 1, 0, 1, 1)
    assert (r.first_try_answered, r.first_try_right) == (5, 2)
    assert r.first_try_rate == pytest.approx(0.4)

    e = stats_of(overview, "Escalation")
    assert (e.enrolled, e.started, e.completed, e.ratings, e.first_try_answered) == (3, 0, 0, 0, 0)
    assert (e.drop_off, e.median_minutes, e.average_rating) == (None, None, None)


def test_a_first_try_is_the_earliest_answer_and_a_later_right_one_does_not_count(cohort):
    refunds, _ = cohort
    questions = module_analytics.overview().questions[refunds.pk]
    assert [(q.prompt, q.answered, q.right_first_time) for q in questions] == [
        ("How many days for a refund?", 3, 1),
        ("Which need a team lead?", 2, 1),
    ]


def test_the_median_computed_in_python_matches_postgresqls(cohort, monkeypatch):
    # The quick-start's SQLite has no percentile_cont: the fallback must give the same answer.
    in_database = stats_of(module_analytics.overview(), "Refunds").median_minutes
    monkeypatch.setattr(connection, "vendor", "sqlite")
    in_python = stats_of(module_analytics.overview(), "Refunds").median_minutes
    assert in_python == in_database == pytest.approx(5.0)


def test_moments_of_pain_name_what_crosses_the_thresholds(cohort):
    refunds, _ = cohort
    pain = module_analytics.overview().pain
    # Rating 3.0 on 4 ratings; Q1 right first time 1 of 3. Drop-off 25% and 1.25× the estimate
    # stay under the default thresholds; Q2 rests on only 2 answers.
    assert [(p.kind, p.module_title, p.basis) for p in pain] == [
        (module_analytics.LOW_RATING, "Refunds", 4),
        (module_analytics.HARD_QUESTION, "Refunds", 3),
    ]
    assert pain[1].block_id == next(iter(practice.questions_of(refunds)))
    assert "1 of 3 right at the first try (33%)" in pain[1].detail

    stricter = module_analytics.PainThresholds(
        drop_off=0.25, overrun=1.25, hard_question=0.6, min_answers=2
    )
    kinds = [
        (p.kind, round(p.value, 2)) for p in module_analytics.overview(thresholds=stricter).pain
    ]
    assert kinds == [
        (module_analytics.LOW_RATING, 3.0),
        (module_analytics.DROP_OFF, 0.25),
        (module_analytics.HARD_QUESTION, 0.33),
        (module_analytics.HARD_QUESTION, 0.5),
        (module_analytics.OVERRUN, 1.25),
    ]


def test_authors_see_the_table_the_charts_and_the_pain(author_client, cohort):
    response = author_client.get(URL)
    assert response.status_code == 200
    assert [m.title for m in response.context["object_list"]] == ["Escalation", "Refunds"]
    html = response.content.decode()
    assert "Moments of pain" in html
    assert "Rated 3.0 of 5 on average (4 ratings)." in html
    assert 'aria-label="Learners per stage, all modules"' in html
    assert "3 of 4" in html  # Refunds: completed of started, as a bar and in the completion chart
    ordered = author_client.get(URL, {"ordering": "-started"}).context["object_list"]
    assert [m.title for m in ordered] == ["Refunds", "Escalation"]
    by_rating = author_client.get(URL, {"ordering": "-average_rating"}).context["object_list"]
    assert [m.title for m in by_rating] == ["Refunds", "Escalation"]  # no rating: last


def test_the_table_exports_to_csv(author_client, cohort):
    response = author_client.get(URL, {"export": "csv"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [
        "Module,Estimated minutes,Enrolled,Started,Completed,Drop-off %,Median minutes,Ratings,"
        "Average rating,Comments,First answers,Right first time %",
        "Escalation,3,3,0,0,,,0,,0,0,",
        "Refunds,4,3,4,3,25.0,5.0,4,3.0,2,5,40.0",
    ]


def test_a_modules_page_shows_its_questions_and_anonymous_comments(author_client, cohort):
    refunds, _ = cohort
    response = author_client.get(f"{URL}{refunds.pk}/")
    assert response.status_code == 200
    detail = response.context["detail"]
    assert [c.text for c in detail.comments] == ["Clear and short.", "Too long for a break."]
    html = response.content.decode()
    assert "Too long for a break." in html
    assert "How many days for a refund?" in html
    assert "1 of 3 (33%)" in html
    words = set(re.findall(r"[A-Za-z]+", html))  # as words: a random CSRF token may hold "Dan"
    for learner in Learner.objects.select_related("user"):  # aggregates only: no names, no logins
        assert learner.user.first_name not in words
        assert learner.user.last_name not in words
        assert f">{learner.user.username}<" not in html


def test_a_module_that_is_not_live_is_not_found(author_client, cohort):
    draft = MicroModule.objects.get(title="Not yet")
    assert author_client.get(f"{URL}{draft.pk}/").status_code == 404


def test_a_manager_is_refused_as_wagtail_refuses_and_never_sees_the_figures(client, cohort):
    manager = UserFactory(username="manager", password=None)
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    Learner.objects.update(manager=manager)  # someone with reports, who is not an author
    client.force_login(manager)
    refunds, _ = cohort
    for url in (URL, f"{URL}{refunds.pk}/", f"{URL}?export=csv"):
        # The one authors-only rule (cms.roles.AuthorsOnlyMixin): back to the dashboard with
        # Wagtail's "Sorry, you do not have permission…", or a 403 for a script.
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/cms/"
        assert b"Refunds" not in response.content
        response = client.get(url, headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code == 403, url
        assert b"Refunds" not in response.content
    home = client.get("/cms/").content.decode()
    assert "Module analytics" not in home


def test_learners_and_anonymous_visitors_are_sent_to_the_admin_sign_in(client, cohort):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/cms/login/")
    # A learner has no admin access: Wagtail's gate turns them away before any admin view runs.
    client.force_login(Learner.objects.get(user__username="ann").user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/cms/login/")


def test_authors_and_superusers_find_it_in_the_reports_menu(author_client, client, cohort):
    assert "Module analytics" in author_client.get("/cms/").content.decode()
    admin = UserFactory(username="root", password=None, is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(URL).status_code == 200


def test_queries_do_not_grow_with_modules_learners_or_answers(
    author_client, cohort, django_assert_max_num_queries
):
    refunds, _ = cohort
    with CaptureQueriesContext(connection) as few:
        author_client.get(URL)
        author_client.get(f"{URL}{refunds.pk}/")
    event = ChangeEvent.objects.get(name="Launch")
    for n in range(6):
        module = publish_module(title=f"More {n}", body=[question(), question("Another?")])
        more = [LearnerFactory(user__password=None) for _ in range(3)]
        enrol(event, *more)
        for learner in more:
            record(learner, "module_started", module, 1)
            record(learner, "module_completed", module, 1.5, minutes=n + 1)
            record(learner, "feedback", module, 1.6, rating=1 + n % 5, comment=f"Note {n}")
            answer(learner, module, 0, right=n % 2 == 0, hours=3)
            answer(learner, module, 1, right=True, hours=3)
    assert Review.objects.count() > 40
    with django_assert_max_num_queries(len(few)):
        author_client.get(URL)
        author_client.get(f"{URL}{refunds.pk}/")


def test_the_demo_has_moments_of_pain_and_loading_it_again_records_nothing_twice(demo):
    counts = [m.objects.count() for m in (Learner, Activity, Card, Review, Enrollment)]
    assert Learner.objects.filter(user__username__startswith="demo-cohort-").count() == 8

    kinds = {p.kind for p in module_analytics.overview().pain}
    assert kinds == {
        module_analytics.LOW_RATING,
        module_analytics.DROP_OFF,
        module_analytics.HARD_QUESTION,
        module_analytics.OVERRUN,
    }
    call_command("seed_demo", "--i-know-this-creates-known-passwords", verbosity=0)
    assert [m.objects.count() for m in (Learner, Activity, Card, Review, Enrollment)] == counts
