"""Choosing a window: Thompson sampling per learner with a prior from everyone's opens."""

import datetime
import random
from collections import Counter

import pytest

from nudges import bandit
from nudges.bandit import Arm, PopulationPrior, WindowChooser
from nudges.windows import Slot
from tests.factories import LearnerFactory
from tests.nudges.sending_factories import NudgeFactory

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
MORNING, LUNCH = "08:00-08:40", "12:30-13:00"


def slots(*labels) -> list[Slot]:
    return [
        Slot(
            start=NOW + datetime.timedelta(hours=i + 1),
            end=NOW + datetime.timedelta(hours=i + 2),
            label=label,
            local_date=NOW.date(),
        )
        for i, label in enumerate(labels)
    ]


def picks(chooser, learner_id, labels, n=400) -> Counter:
    return Counter(chooser.choose(learner_id, slots(*labels)).label for _ in range(n))


def test_without_any_history_both_windows_get_tried():
    chooser = WindowChooser(PopulationPrior({}, strength=10), {}, random.Random(1))
    counts = picks(chooser, 1, [MORNING, LUNCH])
    assert 120 < counts[MORNING] < 280


def test_a_new_learner_starts_from_what_works_for_everyone():
    prior = PopulationPrior({MORNING: Arm(1000, 600), LUNCH: Arm(1000, 100)}, strength=10)
    chooser = WindowChooser(prior, {}, random.Random(2))
    assert picks(chooser, 1, [MORNING, LUNCH])[MORNING] > 0.9 * 400


def test_a_learners_own_opens_outweigh_the_population():
    prior = PopulationPrior({MORNING: Arm(1000, 600), LUNCH: Arm(1000, 100)}, strength=10)
    arms = {7: {MORNING: Arm(20, 0), LUNCH: Arm(20, 18)}}
    chooser = WindowChooser(prior, arms, random.Random(3))
    assert picks(chooser, 7, [MORNING, LUNCH])[LUNCH] > 0.9 * 400
    # Someone else still follows the population.
    assert picks(chooser, 8, [MORNING, LUNCH])[MORNING] > 0.9 * 400


def test_the_prior_shrinks_a_rarely_used_window_towards_the_overall_rate():
    prior = PopulationPrior({MORNING: Arm(1000, 500), "06:00-06:10": Arm(1, 1)}, strength=10)
    alpha, beta = prior.beta("06:00-06:10")
    assert alpha / (alpha + beta) == pytest.approx(0.54, abs=0.03)
    # An unknown window starts at the overall rate.
    alpha, beta = prior.beta("19:00-19:30")
    assert alpha / (alpha + beta) == pytest.approx(0.5, abs=0.01)


def test_a_seeded_chooser_repeats_its_choices():
    prior = PopulationPrior({}, strength=10)
    first = [WindowChooser(prior, {}, random.Random(9)).choose(1, slots(MORNING, LUNCH)).label]
    again = [WindowChooser(prior, {}, random.Random(9)).choose(1, slots(MORNING, LUNCH)).label]
    assert first == again


@pytest.mark.django_db
def test_population_and_learner_figures_come_from_sent_nudges(django_assert_num_queries):
    dana, sam = LearnerFactory(), LearnerFactory()

    def sent(learner, window, *, hours_ago, opened):
        at = NOW - datetime.timedelta(hours=hours_ago)
        NudgeFactory(
            learner=learner,
            window=window,
            state="sent",
            planned_for=at,
            sent_at=at,
            opened_at=at + datetime.timedelta(minutes=5) if opened else None,
        )

    sent(dana, MORNING, hours_ago=48, opened=True)
    sent(dana, MORNING, hours_ago=72, opened=False)
    sent(sam, MORNING, hours_ago=48, opened=True)
    sent(sam, LUNCH, hours_ago=30, opened=False)
    sent(sam, LUNCH, hours_ago=1, opened=False)  # too recent to count as ignored
    sent(sam, LUNCH, hours_ago=2, opened=True)  # opened: counts at once
    sent(sam, LUNCH, hours_ago=24 * 100, opened=True)  # beyond the look-back
    NudgeFactory(learner=sam, window=MORNING, state="planned")  # not sent
    NudgeFactory(learner=sam, window=MORNING, state="failed")

    with django_assert_num_queries(1):
        prior = bandit.population_prior(now=NOW)
    assert prior.by_label == {MORNING: Arm(3, 2), LUNCH: Arm(2, 1)}

    with django_assert_num_queries(1):
        arms = bandit.learner_arms([dana.pk, sam.pk], now=NOW)
    assert arms == {
        dana.pk: {MORNING: Arm(2, 1)},
        sam.pk: {MORNING: Arm(1, 1), LUNCH: Arm(2, 1)},
    }
