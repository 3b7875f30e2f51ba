"""FSRS fitted to our own learners: the fit, the adoption rule, the set in force and the report."""

import datetime
import uuid
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from cms.models import ChangeEvent
from learning import tasks
from learning.models import Card, Learner, Review, SchedulerParameters
from learning.practice import calibration, fitting
from learning.practice import cards as practice
from learning.practice.fitting import History
from tests.factories import LearnerFactory, publish_module, question
from tests.learning.fsrs_log import TRUE_PARAMETERS, generated_histories

D = datetime.date


def test_the_log_becomes_one_item_per_review_a_day_or_more_after_the_one_before():
    history = History(
        reviews=((D(2026, 3, 2), 3), (D(2026, 3, 2), 1), (D(2026, 3, 4), 3), (D(2026, 3, 9), 4))
    )
    items = fitting.items_of([history])
    assert [item.on for item in items] == [D(2026, 3, 4), D(2026, 3, 9)]
    assert items[0].reviews == ((3, 0), (1, 0), (3, 2))
    assert items[1].reviews == ((3, 0), (1, 0), (3, 2), (4, 5))
    assert [item.recalled for item in items] == [True, True]


def test_the_hold_out_is_the_latest_reviews_and_no_day_is_cut_in_two():
    histories = [
        History(reviews=((D(2026, 3, 1), 3), (D(2026, 3, day), 3))) for day in (2, 3, 3, 3, 4, 5)
    ]
    train, holdout = fitting.split(fitting.items_of(histories), holdout=0.5)
    assert [i.on.day for i in train] == [2]
    assert [i.on.day for i in holdout] == [3, 3, 3, 4, 5]
    assert fitting.split([]) == ([], [])


def test_a_fit_of_a_log_with_known_parameters_predicts_held_out_reviews_better_than_the_defaults():
    items = fitting.items_of(generated_histories(cards=1500, days=120, seed=1))
    train, holdout = fitting.split(items)
    fitted = fitting.fit(train)
    assert len(fitted) == 21
    new = fitting.evaluate(fitted, holdout)
    default = fitting.evaluate(fitting.DEFAULT_PARAMETERS, holdout)
    true = fitting.evaluate(TRUE_PARAMETERS, holdout)
    assert new.better_than(default)
    assert (
        default.log_loss - new.log_loss > 0.01
    )  # not a rounding error: most of the way to the truth
    assert new.log_loss - true.log_loss < 0.005
    assert new.rmse_bins < default.rmse_bins
    # The defaults promise recall these people do not have; the fitted set does not.
    recalled = sum(b.actual * b.count for b in new.bins) / sum(b.count for b in new.bins)
    promised = sum(b.predicted * b.count for b in default.bins) / sum(b.count for b in default.bins)
    predicted = sum(b.predicted * b.count for b in new.bins) / sum(b.count for b in new.bins)
    assert promised - recalled > 0.05
    assert abs(predicted - recalled) < 0.02


# --- The weekly fit on the review log in the database ----------------------------------------------

LEARNERS, CARDS_EACH = 30, 20


def _store(histories, *, module, event=None) -> list[Learner]:
    """The generated log as our tables hold it: LEARNERS learners with CARDS_EACH cards each."""
    prefix = f"fit{event.pk if event else 0}"
    users = User.objects.bulk_create(User(username=f"{prefix}-{i}") for i in range(LEARNERS))
    learners = Learner.objects.bulk_create(Learner(user=u, timezone="Asia/Tokyo") for u in users)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    cards = Card.objects.bulk_create(
        Card(
            learner=learners[n // CARDS_EACH],
            module=module,
            block_id=f"q{n % CARDS_EACH}",
            event=event,
            due=timezone.now(),
            answer_fingerprint="-",
        )
        for n in range(len(histories))
    )
    reviews = []
    for card, history in zip(cards, histories, strict=True):
        for on, rating in history.reviews:
            # Late evening in Tokyo: the day in the learner's calendar, not UTC's, is the one fitted.
            at = datetime.datetime.combine(on, datetime.time(23, 30), tokyo)
            reviews.append(
                Review(
                    card=card,
                    learner=card.learner,
                    client_id=uuid.uuid4(),
                    answered_at=at,
                    rating=rating,
                    response_ms=8000,
                )
            )
    Review.objects.bulk_create(reviews, batch_size=5000)
    return learners


@pytest.fixture
def module(library):
    return publish_module(
        title="Tariffs", body=[question("Which tariff?", [("A", True), ("B", False)])]
    )


@pytest.fixture
def enough(settings):
    settings.PRACTICE_FIT_MIN_REVIEWS = 1000
    settings.PRACTICE_FIT_MIN_LEARNERS = LEARNERS


@pytest.mark.django_db
def test_the_weekly_task_fits_the_workforce_adopts_a_better_set_and_answers_use_it(module, enough):
    _store(generated_histories(cards=LEARNERS * CARDS_EACH, days=120, seed=2), module=module)
    assert calibration.in_force(None) is None

    tasks.fit_scheduler.apply(throw=True)

    fit = SchedulerParameters.objects.get()
    assert fit.event is None
    assert fit.adopted
    assert fit.previous is None
    assert fit.log_loss < fit.previous_log_loss
    assert fit.review_count == Review.objects.count()
    assert fit.learner_count == LEARNERS
    assert fit.training_items > fit.holdout_items > 0
    assert {"fitted", "previous"} <= set(fit.calibration)
    assert calibration.in_force(None) == fit

    # A new learner's answer is scheduled with the fitted set, and the review says so.
    dana = LearnerFactory(user__username="dana")
    practice.create_cards_for_module(dana, module, now=timezone.now() - datetime.timedelta(hours=1))
    card = Card.objects.get(learner=dana)
    result = practice.answer(
        dana, card_id=card.pk, client_id=uuid.uuid4(), answered_at=timezone.now(),
        choices=[0], response_ms=8000, now=timezone.now(),
    )  # fmt: skip
    review = Review.objects.get(learner=dana)
    assert review.parameters == fit
    card.refresh_from_db()
    assert card.stability == pytest.approx(fit.parameters[2], rel=1e-3)  # Good's initial stability
    assert card.stability != pytest.approx(fitting.DEFAULT_PARAMETERS[2], rel=1e-2)
    assert result.next_due == card.due


@pytest.mark.django_db
def test_a_fit_no_better_than_the_set_in_force_is_kept_but_not_adopted(module, enough):
    _store(generated_histories(cards=LEARNERS * CARDS_EACH, days=120, seed=3), module=module)
    # The set in force is the truth itself: no fit of this log can predict it better.
    truth = SchedulerParameters.objects.create(
        parameters=TRUE_PARAMETERS, fitted_at=timezone.now() - datetime.timedelta(days=7),
        review_count=0, learner_count=0, training_items=0, holdout_items=0, log_loss=0,
        rmse_bins=0, previous_log_loss=0, previous_rmse_bins=0, adopted=True, seconds=0,
    )  # fmt: skip

    fit = calibration.fit(None, now=timezone.now())

    assert fit is not None
    assert not fit.adopted
    assert fit.previous == truth
    assert fit.log_loss >= fit.previous_log_loss
    assert calibration.in_force(None) == truth
    assert SchedulerParameters.objects.count() == 2  # kept, with its figures


@pytest.mark.django_db
def test_an_event_with_enough_reviews_gets_its_own_set_judged_against_the_workforces(
    module, enough
):
    event = ChangeEvent.objects.create(name="Tariff rollout", kind="software_rollout")
    quiet = ChangeEvent.objects.create(name="Quiet launch", kind="product_launch")
    _store(
        generated_histories(cards=LEARNERS * CARDS_EACH, days=120, seed=4),
        module=module,
        event=event,
    )
    workforce = SchedulerParameters.objects.create(
        parameters=list(fitting.DEFAULT_PARAMETERS), fitted_at=timezone.now() - datetime.timedelta(days=7),
        review_count=0, learner_count=0, training_items=0, holdout_items=0, log_loss=0,
        rmse_bins=0, previous_log_loss=0, previous_rmse_bins=0, adopted=True, seconds=0,
    )  # fmt: skip
    assert calibration.events_to_fit() == [event.pk]

    for_event = calibration.fit(event.pk, now=timezone.now())

    assert for_event.event == event
    assert for_event.adopted
    assert for_event.previous == workforce  # what scheduled the event's cards until now
    assert calibration.in_force(event.pk) == for_event
    assert calibration.in_force(quiet.pk) == workforce  # no set of its own: the workforce's
    assert calibration.in_force(None) == workforce


@pytest.mark.django_db
def test_a_log_too_small_is_not_fitted(module, settings):
    settings.PRACTICE_FIT_MIN_REVIEWS = 1000
    settings.PRACTICE_FIT_MIN_LEARNERS = LEARNERS + 1  # one more than answered
    _store(generated_histories(cards=LEARNERS * CARDS_EACH, days=120, seed=5), module=module)

    assert calibration.fit_all(now=timezone.now()) == []
    assert not SchedulerParameters.objects.exists()
    assert calibration.events_to_fit() == []


@pytest.mark.django_db
def test_the_calibration_report_shows_each_fit_to_authors_only(
    module, enough, author_client, client
):
    _store(generated_histories(cards=LEARNERS * CARDS_EACH, days=120, seed=2), module=module)
    fit = calibration.fit(None, now=timezone.now())
    # A stored row the report cannot read (a hand edit) costs its chart rows, never the page.
    SchedulerParameters.objects.create(
        parameters=TRUE_PARAMETERS, fitted_at=timezone.now() - datetime.timedelta(days=30),
        review_count=1, learner_count=1, training_items=0, holdout_items=0, log_loss=0.5,
        rmse_bins=0.1, previous_log_loss=0.6, previous_rmse_bins=0.1, adopted=False, seconds=0,
        calibration={"fitted": [{"low": "x"}], "previous": "nonsense"},
    )  # fmt: skip

    page = author_client.get("/cms/practice/calibration/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "The whole workforce" in html
    assert f"{fit.log_loss:.4f}" in html
    assert f"{fit.previous_log_loss:.4f}" in html
    assert "recalled," in html
    assert "predicted (" in html
    assert "fsrs&#x27;s default parameters" in html or "fsrs's default parameters" in html

    learner_user = LearnerFactory(user__username="nobody").user
    client.force_login(learner_user)
    assert client.get("/cms/practice/calibration/").status_code in (302, 403)
