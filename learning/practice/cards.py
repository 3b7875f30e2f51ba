"""Spaced practice: a card per question block a learner has met, scheduled by fsrs, and what it predicts.

The scheduling maths is all fsrs's. Ours: which cards exist (made when a module is completed, following
the block's stable id across edits), the rating an answer earns, applying answers in `answered_at`
order whatever order they arrive in, and reading predicted retention for many learners at once.
"""

import datetime
import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.utils import timezone

from cms.errors import FieldError, Invalid, NotFound
from cms.models import ChangeEvent, JourneyStep, MicroModule
from cms.published import PerPublishedVersion
from learning.cached import local_midnight
from learning.changes import learner_changed
from learning.models import Activity, Card, CardState, Learner, Review, SchedulerParameters
from learning.practice import budget, calibration
from learning.practice.scheduling import (
    Schedule,
    rating_for,
    review,
)
from learning.practice.streaks import celebrate_practice_week

logger = logging.getLogger(__name__)

# Phones' clocks drift; an answer further ahead than this was not recorded offline, it is wrong.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


# --- Questions of a module ------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A question block of a module's live body, answer included (it never leaves the server)."""

    block_id: str
    prompt: str
    choices: tuple[str, ...]
    correct: frozenset[int]
    explanation: str

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1

    @property
    def fingerprint(self) -> str:
        # The text of the right answer(s), not their positions: reordering choices keeps the card,
        # a different right answer resets it.
        right = sorted(" ".join(self.choices[i].split()).casefold() for i in self.correct)
        return hashlib.sha256("\n".join(right).encode()).hexdigest()


def questions_of(module: MicroModule) -> dict[str, Question]:
    """The module's question blocks by stable block id, in body order."""
    questions = {}
    for block in module.body:
        if block.block_type != "question":
            continue
        value = block.value
        choices = list(value["choices"])
        questions[block.id] = Question(
            block_id=block.id,
            prompt=value["prompt"],
            choices=tuple(choice["text"] for choice in choices),
            correct=frozenset(i for i, choice in enumerate(choices) if choice["correct"]),
            explanation=value["explanation"],
        )
    return questions


# --- Cards: creation and edits --------------------------------------------------------------------


def create_cards_for_module(
    learner: Learner,
    module: MicroModule,
    *,
    event: ChangeEvent | None = None,
    now: datetime.datetime,
) -> None:
    """A card, due now, for each question of the module; cards the learner already has stay as they are."""
    _create_cards([(learner.pk, module, event.pk if event else None)], now=now)


def on_modules_completed(activities: list[Activity]) -> None:
    """Handler for accepted `module_completed` rows (learning.events.register_handler): make the cards.

    A card takes its desired retention from the learner's live event whose journey has the module
    (the most demanding one if several do). A fixed number of queries per batch.
    """
    pairs = {(a.learner_id, a.module_id) for a in activities if a.module_id}
    if not pairs:
        return
    learner_ids = {learner_id for learner_id, _ in pairs}
    module_ids = {module_id for _, module_id in pairs}
    modules = MicroModule.objects.live().filter(pk__in=module_ids).only("pk", "body").in_bulk()
    best: dict[tuple[int, int], tuple[Decimal, int]] = {}
    journeys = (
        ChangeEvent.objects.filter(live=True, steps__module_id__in=module_ids)
        .filter(enrollments__learner_id__in=learner_ids)
        .values_list("enrollments__learner_id", "steps__module_id", "pk", "target_retention")
    )
    for learner_id, module_id, event_id, target in journeys:
        key = (learner_id, module_id)
        if key in pairs and (key not in best or target > best[key][0]):
            best[key] = (target, event_id)
    _create_cards(
        [
            (
                learner_id,
                modules[module_id],
                best[key][1] if (key := (learner_id, module_id)) in best else None,
            )
            for learner_id, module_id in sorted(pairs)
            if module_id in modules
        ],
        now=timezone.now(),
    )


def on_steps_done(activities: list[Activity]) -> None:
    """Handler for accepted `step_done` rows: a step that says so gives its module's cards."""
    step_ids = {a.step_id for a in activities if a.step_id}
    if not step_ids:
        return
    steps = {
        step.pk: step
        for step in JourneyStep.objects.filter(
            pk__in=step_ids, practice_cards=True, module__live=True
        ).select_related("module", "event")
    }
    _create_cards(
        [
            (a.learner_id, steps[a.step_id].module, steps[a.step_id].event_id)
            for a in activities
            if a.step_id in steps
        ],
        now=timezone.now(),
    )


def _create_cards(
    wanted: Iterable[tuple[int, MicroModule, int | None]], *, now: datetime.datetime
) -> None:
    cards = [
        Card(
            learner_id=learner_id,
            module=module,
            block_id=question.block_id,
            event_id=event_id,
            answer_fingerprint=question.fingerprint,
            **_fresh_columns(due=now),
        )
        for learner_id, module, event_id in wanted
        for question in questions_of(module).values()
    ]
    if not cards:
        return
    # ON CONFLICT DO NOTHING on (learner, module, block_id): completing a module again, or a
    # replayed batch, keeps the card and its history.
    Card.objects.bulk_create(cards, ignore_conflicts=True, batch_size=1000)
    learner_changed({card.learner_id for card in cards}, at=now)


def sync_cards_for_module(module: MicroModule, *, now: datetime.datetime) -> None:
    """Bring the module's cards in line with its (just published) body.

    Cards follow their block id, so an edited prompt or reordered choices change nothing; a removed
    question retires its cards (and a question restored by reverting the page revives them); a
    question whose right answer changed resets its cards to fresh ones due now. Set-based: two
    queries plus one per question whose answer changed.
    """
    questions = questions_of(module)
    cards = Card.objects.filter(module=module)
    cards.filter(active=True).exclude(block_id__in=questions.keys()).update(active=False)
    cards.filter(active=False, block_id__in=questions.keys()).update(active=True)
    for question in questions.values():
        changed = cards.filter(block_id=question.block_id).exclude(
            answer_fingerprint=question.fingerprint
        )
        changed.update(
            answer_fingerprint=question.fingerprint, reset_at=now, **_fresh_columns(due=now)
        )


def on_module_published(module: object) -> None:
    """Receiver body for Wagtail's `published` signal: other published objects are ignored."""
    if isinstance(module, MicroModule):
        sync_cards_for_module(module, now=timezone.now())


def _fresh_columns(*, due: datetime.datetime) -> dict:
    fresh = Schedule.fresh(due=due)
    return {
        "state": int(fresh.state),
        "step": fresh.step,
        "stability": None,
        "difficulty": None,
        "due": due,
        "last_review": None,
    }


# --- Due cards ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueCard:
    card_id: int
    module_id: int
    module_title: str
    prompt: str
    choices: tuple[str, ...]
    multiple: bool
    due: datetime.datetime
    state: int

    @property
    def state_name(self) -> str:
        """learning, review or relearning (fsrs's states)."""
        return CardState(self.state).name.lower()


def due_cards(learner: Learner, *, now: datetime.datetime, limit: int) -> list[DueCard]:
    """What the learner is offered to practise at `now`: their due cards within what is left of
    today's budget, the most important first (learning.practice.budget)."""
    return _due(learner, now=now, limit=limit)[1]


def due_now(learner: Learner, *, now: datetime.datetime, limit: int) -> tuple[int, list[DueCard]]:
    """How many questions are offered at `now` (due, within today's budget), and the first `limit`."""
    return _due(learner, now=now, limit=limit)


def until_next_due(learner: Learner, now: datetime.datetime) -> datetime.datetime:
    """Until when the learner's due practice stays as it is at `now` with time alone: the next
    card falling due, or their local midnight if sooner (learning.cached)."""
    first = (
        Card.objects.for_learner(learner)
        .filter(active=True, due__gt=now)
        .aggregate(first=Min("due"))["first"]
    )
    midnight = local_midnight(learner, now)
    return midnight if first is None else min(first, midnight)


def _due(learner: Learner, *, now: datetime.datetime, limit: int) -> tuple[int, list[DueCard]]:
    """Every due card's schedule (one indexed query), ranked in Python by predicted recall against
    its event's target; then today's answers and the scheduler sets (a query each), and the
    bodies of modules whose published version this process has not parsed yet."""
    rows = list(
        Card.objects.for_learner(learner)
        .filter(active=True, due__lte=now, module__live=True)
        .only("pk", "module_id", "block_id", "due", "state", "stability", "last_review", "event_id")
        .annotate(
            module_title=F("module__title"),
            module_published_at=F("module__last_published_at"),
            target=F("event__target_retention"),
        )
        .order_by()
    )
    if not rows:
        return 0, []
    allowed = budget.remaining_today(learner, now=now)
    if not allowed:
        return 0, []
    # None among the ids: a card of no event schedules with the workforce's set.
    parameters = calibration.in_force_for_events({c.event_id for c in rows})
    ranked = sorted(
        rows,
        key=lambda c: (
            budget.importance(
                stability=c.stability,
                last_review=c.last_review,
                target=c.target,
                now=now,
                parameters=parameters[c.event_id],
            ),
            c.due,
            c.pk,
        ),
    )[: min(allowed, limit)]
    questions = published_questions({c.module_id: c.module_published_at for c in ranked})
    due = []
    for card in ranked:
        question = questions.get(card.module_id, {}).get(card.block_id)
        if question is None:  # removed by an edit whose sync has not run yet
            continue
        due.append(
            DueCard(
                card_id=card.pk,
                module_id=card.module_id,
                module_title=card.module_title,
                prompt=question.prompt,
                choices=question.choices,
                multiple=question.multiple,
                due=card.due,
                state=card.state,
            )
        )
    return min(len(rows), allowed), due


def _parse_questions(module_ids: list[int]) -> dict[int, dict[str, Question]]:
    modules = MicroModule.objects.filter(pk__in=module_ids).only("body")
    return {module.pk: questions_of(module) for module in modules}


# Each module's questions, parsed once per published version in this process (cms.published).
_QUESTIONS = PerPublishedVersion(_parse_questions, size=1024)


def published_questions(
    versions: dict[int, datetime.datetime | None],
) -> dict[int, dict[str, Question]]:
    """module id → its questions by block id, for these (module id → last_published_at)."""
    return _QUESTIONS.get_many(versions)


def on_module_saved(sender, instance, **kwargs) -> None:
    """A module saved in this process has its questions parsed again next time."""
    _QUESTIONS.forget([instance.pk])


# --- Answers --------------------------------------------------------------------------------------


class AnswerError(Invalid):
    """An answer that cannot be taken, naming the field at fault (the API's 422)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"Invalid input — {field}: {message}", [FieldError(field, message)])
        # Shadows Invalid.field (a constructor) on the instance.
        self.field = field  # type: ignore[method-assign, assignment]
        self.message = message


@dataclass(frozen=True)
class AnswerResult:
    card_id: int
    correct: bool | None  # None for a self-graded answer
    explanation: str
    rating_applied: int
    next_due: datetime.datetime  # the card's due date now, after every answer it has received
    replayed: bool  # this client_id was recorded before: nothing changed


def answer(
    learner: Learner,
    *,
    card_id: int,
    client_id: uuid.UUID,
    answered_at: datetime.datetime,
    choices: Sequence[int] | None = None,
    rating: int | None = None,
    response_ms: int,
    now: datetime.datetime,
) -> AnswerResult:
    """Check an answer on the server, schedule the card with fsrs and log the review.

    Give `choices` (the chosen choice indexes; the rating follows from `rating_for`) or `rating`
    (1–4, self-graded, used as is), not both. Sending the same `client_id` again returns the
    recorded result and changes nothing. Answers recorded offline may arrive late and out of order:
    one answered before the card's last review makes us replay all the card's reviews in
    `answered_at` order. An answer given before the card was reset (its right answer changed since)
    is logged but no longer counts.
    """
    if choices is not None and rating is not None:
        raise AnswerError("rating", "send either choices or a rating, not both")
    if choices is None and rating is None:
        raise AnswerError("choices", "send the chosen choices (or a rating for a self-graded card)")
    if rating is not None and not 1 <= rating <= 4:
        raise AnswerError("rating", "must be 1 (again), 2 (hard), 3 (good) or 4 (easy)")
    if answered_at > now + FUTURE_TOLERANCE:
        raise AnswerError("answered_at", "more than 5 minutes in the future")
    if answered_at < now - datetime.timedelta(days=settings.API_MAX_EVENT_AGE_DAYS):
        # A phone offline for weeks is fine; a clock at 1970 (or year 1) is not.
        raise AnswerError(
            "answered_at",
            f"more than {settings.API_MAX_EVENT_AGE_DAYS} days ago, too old to apply",
        )

    with transaction.atomic():
        # The lock orders concurrent answers to one card (and a retried request after the first).
        card = Card.objects.for_learner(learner).select_for_update().filter(pk=card_id).first()
        if card is None:
            raise NotFound("No such card.")
        module = MicroModule.objects.only("body", "last_published_at").get(pk=card.module_id)
        question = questions_of(module).get(card.block_id)

        recorded = Review.objects.filter(learner=learner, client_id=client_id).first()
        if recorded is not None:
            if recorded.card_id != card.pk:
                raise AnswerError("client_id", "already used for an answer to another card")
            return AnswerResult(
                card_id=card.pk,
                correct=recorded.correct,
                explanation=question.explanation if question else "",
                rating_applied=recorded.rating,
                next_due=card.due,
                replayed=True,
            )

        if not card.active or question is None:
            raise NotFound("This card's question was removed from its module.")
        if card.answer_fingerprint != question.fingerprint:
            # Published without the sync running (yet): the card still remembers the old answer.
            _reset(card, fingerprint=question.fingerprint, at=module.last_published_at or now)

        correct = None
        chosen: list[int] = []
        if choices is not None:
            chosen = _checked_choices(choices, question)
            correct = set(chosen) == question.correct
            rating = rating_for(correct=correct, response_ms=response_ms)

        retention = (
            ChangeEvent.objects.filter(pk=card.event_id)
            .values_list("target_retention", flat=True)
            .first()
            if card.event_id
            else None
        )
        fitted = calibration.in_force(card.event_id)  # the scheduler's set for this card, now
        parameters = calibration.parameters_of(fitted)
        entry = Review(
            card=card,
            learner=learner,
            client_id=client_id,
            answered_at=answered_at,
            rating=int(cast(int, rating)),  # given, or derived from the choices above
            correct=correct,
            chosen=chosen,
            response_ms=response_ms,
            parameters=fitted,
        )
        # Before a reset the right answer was another one: logged, not counted.
        counted = card.reset_at is None or answered_at >= card.reset_at
        in_order = card.last_review is None or answered_at >= card.last_review
        if counted and in_order:
            after = review(
                Schedule.of(card),
                rating=entry.rating,
                reviewed_at=answered_at,
                desired_retention=retention,
                parameters=parameters,
                card_id=card.pk,
            )
            after.apply_to(card)
            entry.due_after, entry.stability_after = after.due, after.stability
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            # The same client_id went to another card in a concurrent request.
            raise AnswerError("client_id", "already used for an answer to another card") from None
        if counted and not in_order:
            _replay(card, desired_retention=retention, fitted=fitted)
        card.save(
            update_fields=[
                "state", "step", "stability", "difficulty", "due", "last_review",
                "answer_fingerprint", "reset_at",
            ]
        )  # fmt: skip
        learner_changed([learner.pk], at=card.due)  # the next review falls due then
        celebrate_practice_week(learner, now=now)

    return AnswerResult(
        card_id=card.pk,
        correct=correct,
        explanation=question.explanation,
        rating_applied=entry.rating,
        next_due=card.due,
        replayed=False,
    )


def _checked_choices(choices: Sequence[int], question: Question) -> list[int]:
    if not choices:
        raise AnswerError("choices", "choose at least one")
    if len(set(choices)) != len(choices):
        raise AnswerError("choices", "repeats a choice")
    out_of_range = [i for i in choices if not 0 <= i < len(question.choices)]
    if out_of_range:
        raise AnswerError(
            "choices",
            f"no choice {out_of_range[0]}: this question's choices are 0 to {len(question.choices) - 1}",
        )
    return sorted(choices)


def _reset(card: Card, *, fingerprint: str, at: datetime.datetime) -> None:
    for field, value in _fresh_columns(due=at).items():
        setattr(card, field, value)
    card.answer_fingerprint, card.reset_at = fingerprint, at


def _replay(
    card: Card, *, desired_retention: Decimal | None, fitted: SchedulerParameters | None
) -> None:
    """Rebuild the card from its counted reviews in answered_at order, rewriting each one's log,
    with the set in force now."""
    counted = card.reviews.order_by("answered_at", "pk")
    if card.reset_at is not None:
        counted = counted.filter(answered_at__gte=card.reset_at)
    reviews = list(counted)
    schedule = Schedule.fresh(due=card.reset_at or card.created_at)
    parameters = calibration.parameters_of(fitted)
    for entry in reviews:
        schedule = review(
            schedule,
            rating=entry.rating,
            reviewed_at=entry.answered_at,
            desired_retention=desired_retention,
            parameters=parameters,
            card_id=card.pk,
        )
        entry.due_after, entry.stability_after = schedule.due, schedule.stability
        entry.parameters = fitted
    Review.objects.bulk_update(reviews, ["due_after", "stability_after", "parameters"])
    schedule.apply_to(card)
