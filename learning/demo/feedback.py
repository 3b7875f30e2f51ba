"""Demo data for the authors' module analytics: ratings and comments, modules started and left, and
practice answers, for the demo learners and a cohort of eight more new hires ("demo-cohort-1…8").

A few modules are made to hurt on purpose (low ratings, a module people leave half-way, questions
most get wrong at the first try) so the moments of pain have something to show. Everything goes
through the app's own paths (events.record_events, practice.answer) with ids derived from names, and
every choice comes from a hash of names, not from `random`: loading again records nothing twice.
"""

import datetime
import hashlib
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import cast

from django.db import transaction
from django.db.models import Min

from cms.demo.accounts import ensure_user
from cms.models import ChangeEvent, JourneyStep
from learning.journeys import enrolment
from learning.ledger import events
from learning.models import Activity, Card, Learner, Verb
from learning.practice import cards as practice

TZ = "Europe/London"
NAMESPACE = uuid.UUID("5f0e2d7c-3b1a-4c9e-8f61-2a7d9c4b1e03")
COHORT = [f"demo-cohort-{n}" for n in range(1, 9)]
COHORT_TEAM = "Demo cohort"
DEMO_LEARNERS = ["demo-learner", "demo-learner2"]


@dataclass(frozen=True)
class _Profile:
    """How a module goes for the demo's learners."""

    finish: float = 0.95  # chance that someone who starts it completes it
    pace: float = 1.0  # minutes taken over the estimate
    ratings: tuple[int, ...] = (4, 5, 5, 4, 5)
    comments: tuple[str, ...] = (
        "Short and useful.",
        "Clear; I used it on a call the same day.",
        "Good examples.",
    )
    hard: frozenset[int] = frozenset()  # question indexes most get wrong at the first try


PROFILES = {
    "troubleshooting-an-offline-dial": _Profile(
        finish=0.45,
        pace=2.2,
        ratings=(2, 3, 3, 4, 2),
        comments=(
            "Too long to fit between two calls.",
            "I lost my place in the router steps and gave up.",
            "Half of this seems to be about the old Dial.",
        ),
    ),
    "finding-your-way-around-helm": _Profile(
        pace=2.0,
        ratings=(4, 3, 4, 5, 3),
        comments=(
            "So many screens! It took me two coffee breaks.",
            "Useful tour, but longer than it says.",
        ),
    ),
    "updating-billing-details-safely": _Profile(
        ratings=(2, 2, 3, 1, 3),
        comments=(
            "I still don't know whether a payment retries by itself.",
            "A screenshot of the Arrears tag would help.",
            "Confusing: does updating the card retry the payment or not?",
        ),
        hard=frozenset({1}),
    ),
    "checking-who-youre-talking-to": _Profile(
        comments=("The 'pick all that apply' question caught me out.", "Useful."),
        hard=frozenset({1}),
    ),
}
DEFAULT = _Profile()


def _roll(*keys: object) -> float:
    """A number in [0, 1) that depends only on the keys: the demo's dice."""
    digest = hashlib.sha256(":".join(map(str, keys)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _client_id(username: str, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{username}:{key}")


class _Moments:
    """Local times on a learner's n-th day, never later than five minutes ago."""

    def __init__(self, start: datetime.date, *, now: datetime.datetime):
        self.start, self.latest = start, now - datetime.timedelta(minutes=5)

    def at(self, day: int, minutes: float) -> datetime.datetime:
        midnight = datetime.datetime.combine(
            self.start + datetime.timedelta(days=day), datetime.time(0), zoneinfo.ZoneInfo(TZ)
        )
        return min(midnight + datetime.timedelta(minutes=minutes), self.latest)


def _cohort(*, today: datetime.date) -> list[Learner]:
    learners = []
    for n, username in enumerate(COHORT, 1):
        user = ensure_user(
            username,
            email=f"{username}@brightwave.example",
            first_name="Cohort",
            last_name=f"Member {n}",
        )
        learner, _ = Learner.objects.get_or_create(
            user=user,
            defaults={
                "role": "Support agent",
                "team": COHORT_TEAM,
                "start_date": today - datetime.timedelta(days=9 + 2 * n),
                "timezone": TZ,
            },
        )
        learners.append(learner)
    enrolment.enrol_in_matching_events([learner.pk for learner in learners], today=today)
    return learners


def _module_steps() -> list[JourneyStep]:
    onboarding = ChangeEvent.objects.filter(kind=ChangeEvent.Kind.ONBOARDING, live=True).first()
    if onboarding is None:
        return []
    return list(
        onboarding.steps.filter(kind=JourneyStep.Kind.FORMAL, module__live=True)
        .select_related("module")
        .order_by("sort_order")
    )


def _item(name: str, key: str, type_: str, at: datetime.datetime, module_id: int, **fields) -> dict:
    return {
        "id": str(_client_id(name, key)),
        "type": type_,
        "occurred_at": at.isoformat(),
        "module_id": module_id,
        **fields,
    }


def _cohort_history(learner: Learner, steps: list[JourneyStep], *, now) -> list[dict]:
    """Each onboarding module reached so far: started (mostly), completed (mostly), rated (often)."""
    name = learner.user.username
    start = cast(datetime.date, learner.start_date)  # every demo learner has one
    days = (learner.local_date(now) - start).days
    moments = _Moments(start, now=now)
    items: list[dict] = []
    for n, step in enumerate(steps):
        module, day = step.module, step.day_offset
        if day > days - 1 or _roll(name, module.slug, "skip") < 0.1:
            continue
        profile = PROFILES.get(module.slug, DEFAULT)
        begin = 8 * 60 + 10 + 7 * n
        pace = profile.pace * (0.7 + 0.6 * _roll(name, module.slug, "pace"))
        minutes = max(1, round(module.estimated_minutes * pace))
        items.append(
            _item(
                name, f"start-{module.slug}", Verb.MODULE_STARTED, moments.at(day, begin), module.pk
            )
        )
        if _roll(name, module.slug, "finish") >= profile.finish:
            continue
        done_at = moments.at(day, begin + minutes)
        items.append(
            _item(
                name,
                f"done-{module.slug}",
                Verb.MODULE_COMPLETED,
                done_at,
                module.pk,
                minutes=minutes,
            )
        )
        if _roll(name, module.slug, "rate") < 0.7:
            feedback = _feedback(name, module.slug, profile)
            at = moments.at(day, begin + minutes + 1)
            items.append(
                _item(name, f"feedback-{module.slug}", Verb.FEEDBACK, at, module.pk, **feedback)
            )
    return items


def _feedback(name: str, slug: str, profile: _Profile) -> dict:
    rating = profile.ratings[int(_roll(name, slug, "stars") * len(profile.ratings))]
    comment = ""
    if _roll(name, slug, "comment") < 0.6:
        comment = profile.comments[int(_roll(name, slug, "which") * len(profile.comments))]
    return {"rating": rating, "comment": comment}


def _demo_learner_extras(learner: Learner, steps: list[JourneyStep], *, now) -> list[dict]:
    """The demo learners already have their history (learning.demo): add ratings and one module left."""
    name = learner.user.username
    start = cast(datetime.date, learner.start_date)  # every demo learner has one
    days = (learner.local_date(now) - start).days
    moments = _Moments(start, now=now)
    items = []
    for step in steps:
        module, day = step.module, step.day_offset
        at = moments.at(day, 9 * 60 + 30)
        if day == days:  # today's module: opened on the train, not finished yet
            items.append(_item(name, f"start-{module.slug}", Verb.MODULE_STARTED, at, module.pk))
        elif day < days and module.slug in PROFILES:
            feedback = _feedback(name, module.slug, PROFILES[module.slug])
            items.append(
                _item(name, f"feedback-{module.slug}", Verb.FEEDBACK, at, module.pk, **feedback)
            )
    return items


def _answer_cards(learners: list[Learner], *, now: datetime.datetime) -> int:
    """A first answer (right or wrong by the module's profile) to most cards, the day after the
    module was completed, and a retry after a miss."""
    cards = list(
        Card.objects.filter(learner__in=learners, active=True, module__live=True)
        .select_related("module", "learner__user")
        .order_by("pk")
    )
    completed = {
        (learner_id, module_id): first
        for learner_id, module_id, first in Activity.objects.filter(
            learner__in=learners, verb=Verb.MODULE_COMPLETED
        )
        .values("learner_id", "module_id")
        .annotate(first=Min("occurred_at"))
        .values_list("learner_id", "module_id", "first")
        .order_by()
    }
    latest = now - datetime.timedelta(minutes=20)
    questions = {}
    answered = 0
    for card in cards:
        name, module = card.learner.user.username, card.module
        if module.pk not in questions:
            questions[module.pk] = list(practice.questions_of(module).values())
        by_id = {q.block_id: (i, q) for i, q in enumerate(questions[module.pk])}
        done_at = completed.get((card.learner_id, module.pk))
        if done_at is None or card.block_id not in by_id:
            continue
        index, question = by_id[card.block_id]
        if _roll(name, module.slug, index, "answer") >= 0.85:
            continue
        profile = PROFILES.get(module.slug, DEFAULT)
        first_right = _roll(name, module.slug, index, "first") < (
            0.1 if index in profile.hard else 0.8
        )
        first_at = min(done_at + datetime.timedelta(days=1), latest)
        attempts = [("first", first_right, first_at)]
        if not first_right:
            attempts.append(("retry", True, first_at + datetime.timedelta(minutes=10)))
        for key, right, at in attempts:
            wrong = [i for i in range(len(question.choices)) if i not in question.correct][:1]
            result = practice.answer(
                card.learner,
                card_id=card.pk,
                client_id=_client_id(name, f"answer-{module.slug}-{index}-{key}"),
                answered_at=at,
                choices=sorted(question.correct) if right else wrong,
                response_ms=4000 + int(6000 * _roll(name, module.slug, index, key)),
                now=now,
            )
            answered += not result.replayed
    return answered


@transaction.atomic
def load_demo_feedback(*, now: datetime.datetime) -> str:
    today = now.astimezone(zoneinfo.ZoneInfo(TZ)).date()
    steps = _module_steps()
    if not steps:
        return "module feedback: no live onboarding journey, nothing to add"
    cohort = _cohort(today=today)
    demo = list(Learner.objects.filter(user__username__in=DEMO_LEARNERS).select_related("user"))
    recorded = 0
    for learner in cohort + demo:
        history = (
            _cohort_history(learner, steps, now=now)
            if learner in cohort
            else _demo_learner_extras(learner, steps, now=now)
        )
        results = events.record_events(learner, history, now=now, source="demo").results
        recorded += sum(1 for r in results if r.status == events.ACCEPTED)
    answers = _answer_cards(cohort + demo, now=now)
    return (
        f"module feedback: learners {COHORT[0]}…{len(COHORT)} (team “{COHORT_TEAM}”); "
        f"{recorded} new events, {answers} new practice answers"
    )
