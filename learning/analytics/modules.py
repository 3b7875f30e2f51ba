"""Module analytics for authors: how each live module is used, how long it takes, how it is rated,
which of its questions people get wrong the first time, and where it hurts ("moments of pain").

Aggregates only, never a learner: authors see counts, shares and anonymous comments. The work is a
fixed number of grouped queries whatever the number of modules, learners or answers.

Definitions (per live module):
- enrolled: distinct learners enrolled in a live change event whose journey has a step with the
  module. Modules are also used at the point of need, so `started` may exceed `enrolled`.
- started: distinct learners with a `module_started` or a `module_completed` row (an app offline
  at the start may send only the completion: a completion implies a start). So started ≥ completed.
- completed: distinct learners with a `module_completed` row; drop-off = 1 − completed / started.
- median minutes: over every `module_completed` row (minutes default to the estimate when the app
  sent none).
- rating: every `feedback` row counts; comments are the non-blank ones.
- first try: a card's earliest review (by answered_at, counting only answers given since the card
  was last reset to a changed right answer); self-graded first answers carry no right or wrong and
  are left out. Only cards whose question is still in the module (active) count.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef, Q

from cms.models import MicroModule
from learning.analytics import sql
from learning.models import Activity, Enrollment, Review, Verb
from learning.practice.cards import questions_of

COMMENTS_SHOWN = 100  # newest first on a module's page; the count says how many there are in all


@dataclass(frozen=True)
class PainThresholds:
    """When a figure becomes a moment of pain, and how many answers it must rest on first.

    Override any of them with the MICROMOMENTS_PAIN_THRESHOLDS setting (a dict of these names).
    """

    low_rating: float = 3.0  # average rating at or below this (ratings are 1–5)
    min_ratings: int = 3
    drop_off: float = 0.4  # share of starters who did not complete, at or above this
    min_starters: int = 3
    hard_question: float = 0.5  # first-try correct rate below this
    min_answers: int = 3
    overrun: float = 1.5  # median minutes at least this many times the estimate
    min_completions: int = 3

    @classmethod
    def from_settings(cls) -> "PainThresholds":
        return cls(**settings.MICROMOMENTS_PAIN_THRESHOLDS)


LOW_RATING, DROP_OFF, HARD_QUESTION, OVERRUN = "low_rating", "drop_off", "hard_question", "overrun"
PAIN_ORDER = (LOW_RATING, DROP_OFF, HARD_QUESTION, OVERRUN)


@dataclass(frozen=True)
class QuestionStats:
    module_id: int
    block_id: str
    prompt: str
    answered: int  # cards with a checked first answer
    right_first_time: int

    @property
    def first_try_rate(self) -> float | None:
        return self.right_first_time / self.answered if self.answered else None


@dataclass(frozen=True)
class ModuleStats:
    module_id: int
    title: str
    estimated_minutes: int
    enrolled: int = 0
    started: int = 0
    completed: int = 0
    completions: int = 0  # module_completed rows (a learner may complete twice)
    median_minutes: float | None = None
    ratings: int = 0
    average_rating: float | None = None
    comments: int = 0
    stars: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # how many ratings of 1, 2, … 5
    first_try_answered: int = 0
    first_try_right: int = 0

    @property
    def drop_off(self) -> float | None:
        return 1 - self.completed / self.started if self.started else None

    @property
    def first_try_rate(self) -> float | None:
        return self.first_try_right / self.first_try_answered if self.first_try_answered else None

    @property
    def time_against_estimate(self) -> float | None:
        """Median minutes over the estimate: 1.0 is on estimate."""
        if self.median_minutes is None or not self.estimated_minutes:
            return None
        return self.median_minutes / self.estimated_minutes

    # Rounded figures for the table and the export.
    @property
    def drop_off_percent(self) -> float | None:
        return _percent(self.drop_off)

    @property
    def first_try_percent(self) -> float | None:
        return _percent(self.first_try_rate)

    @property
    def average_rating_rounded(self) -> float | None:
        return round(self.average_rating, 2) if self.average_rating is not None else None

    @property
    def median_rounded(self) -> float | None:
        return round(self.median_minutes, 1) if self.median_minutes is not None else None


@dataclass(frozen=True)
class PainPoint:
    """One figure past its threshold: the sentence an author reads, and what it rests on."""

    kind: str  # LOW_RATING | DROP_OFF | HARD_QUESTION | OVERRUN
    module_id: int
    module_title: str
    value: float  # the average rating, drop-off share, first-try rate or time/estimate ratio
    basis: int  # ratings, starters, answers or completions behind it
    detail: str
    block_id: str = ""


@dataclass(frozen=True)
class Comment:
    rating: int | None
    text: str
    date: datetime


@dataclass(frozen=True)
class Overview:
    modules: list[ModuleStats]  # live modules by title
    questions: dict[int, list[QuestionStats]] = field(default_factory=dict)  # in body order
    pain: list[PainPoint] = field(default_factory=list)


@dataclass(frozen=True)
class ModuleDetail:
    stats: ModuleStats
    questions: list[QuestionStats]
    comments: list[Comment]  # newest first, at most COMMENTS_SHOWN, no names
    pain: list[PainPoint]


def overview(*, thresholds: PainThresholds | None = None) -> Overview:
    """Every live module's figures, its questions' first-try rates and the moments of pain."""
    modules = list(MicroModule.objects.live().only("pk", "title", "estimated_minutes", "body"))
    questions = _questions(modules, live_scope=True)
    stats = _stats(modules, questions, live_scope=True)
    return Overview(
        modules=stats,
        questions=questions,
        pain=moments_of_pain(stats, questions, thresholds=thresholds or PainThresholds()),
    )


def module_detail(
    module_id: int, *, thresholds: PainThresholds | None = None
) -> ModuleDetail | None:
    """One live module's figures, questions and anonymous comments; None if it is not live."""
    module = (
        MicroModule.objects.live()
        .only("pk", "title", "estimated_minutes", "body")
        .filter(pk=module_id)
        .first()
    )
    if module is None:
        return None
    questions = _questions([module], live_scope=False)
    [stats] = _stats([module], questions, live_scope=False)
    comments = [
        Comment(rating, text, occurred_at)
        for rating, text, occurred_at in Activity.objects.filter(
            module_id=module.pk, verb=Verb.FEEDBACK
        )
        .exclude(comment="")
        .order_by("-occurred_at", "-pk")
        .values_list("rating", "comment", "occurred_at")[:COMMENTS_SHOWN]
    ]
    return ModuleDetail(
        stats=stats,
        questions=questions.get(module.pk, []),
        comments=comments,
        pain=moments_of_pain([stats], questions, thresholds=thresholds or PainThresholds()),
    )


def _scope(modules: list[MicroModule], *, live_scope: bool, prefix: str = "") -> Q:
    # Every live module: a join on the live flag (no id list, which SQLite caps); one module: its id.
    if live_scope:
        return Q(**{f"{prefix}module__live": True})
    return Q(**{f"{prefix}module_id__in": [m.pk for m in modules]})


def _stats(
    modules: list[MicroModule], questions: dict[int, list[QuestionStats]], *, live_scope: bool
) -> list[ModuleStats]:
    """Per-module figures in two queries (three on databases without a median aggregate)."""
    enrolled = dict(
        Enrollment.objects.filter(event__live=True)
        .filter(_scope(modules, live_scope=live_scope, prefix="event__steps__"))
        .values("event__steps__module_id")
        .annotate(n=Count("learner_id", distinct=True))
        .values_list("event__steps__module_id", "n")
        .order_by()
    )
    feedback = Q(verb=Verb.FEEDBACK, rating__isnull=False)
    completed = Q(verb=Verb.MODULE_COMPLETED)
    aggregates = {
        "started": Count(
            "learner_id",
            distinct=True,
            filter=Q(verb__in=[Verb.MODULE_STARTED, Verb.MODULE_COMPLETED]),
        ),
        "completed": Count("learner_id", distinct=True, filter=completed),
        "completions": Count("pk", filter=completed),
        "ratings": Count("pk", filter=feedback),
        "average_rating": Avg("rating", filter=feedback),
        "comments": Count("pk", filter=Q(verb=Verb.FEEDBACK) & ~Q(comment="")),
        **{f"stars_{n}": Count("pk", filter=feedback & Q(rating=n)) for n in range(1, 6)},
    }
    rows = sql.by_module_with_median_minutes(
        _scope(modules, live_scope=live_scope),
        verbs=[Verb.MODULE_STARTED, Verb.MODULE_COMPLETED, Verb.FEEDBACK],
        aggregates=aggregates,
        median_of=completed,
    )

    result = []
    for module in sorted(modules, key=lambda m: (m.title.casefold(), m.pk)):
        row = rows.get(module.pk, {})
        # First tries over the questions still in the live body.
        answered = sum(q.answered for q in questions.get(module.pk, ()))
        right = sum(q.right_first_time for q in questions.get(module.pk, ()))
        result.append(
            ModuleStats(
                module_id=module.pk,
                title=module.title,
                estimated_minutes=module.estimated_minutes,
                enrolled=enrolled.get(module.pk, 0),
                started=row.get("started", 0),
                completed=row.get("completed", 0),
                completions=row.get("completions", 0),
                median_minutes=row.get("median_minutes"),
                ratings=row.get("ratings", 0),
                average_rating=row.get("average_rating"),
                comments=row.get("comments", 0),
                stars=tuple(row.get(f"stars_{n}", 0) for n in range(1, 6)),
                first_try_answered=answered,
                first_try_right=right,
            )
        )
    return result


def _first_try_rows(modules: list[MicroModule], *, live_scope: bool):
    """(module_id, block_id, answered, right) per question that has cards answered: one query.

    A review is a first try when no counted review of its card came before it (ties broken by id);
    the anti-join runs on the (card, answered_at) index.
    """
    counted = Q(card__reset_at__isnull=True) | Q(answered_at__gte=F("card__reset_at"))
    earlier = (
        Review.objects.filter(card_id=OuterRef("card_id"))
        .filter(counted)
        .filter(
            Q(answered_at__lt=OuterRef("answered_at"))
            | Q(answered_at=OuterRef("answered_at"), pk__lt=OuterRef("pk"))
        )
    )
    return (
        Review.objects.filter(counted, card__active=True)
        .filter(_scope(modules, live_scope=live_scope, prefix="card__"))
        .exclude(Exists(earlier))
        .values("card__module_id", "card__block_id")
        .annotate(
            answered=Count("pk", filter=Q(correct__isnull=False)),
            right=Count("pk", filter=Q(correct=True)),
        )
        .values_list("card__module_id", "card__block_id", "answered", "right")
        .order_by()
    )


def _questions(modules: list[MicroModule], *, live_scope: bool) -> dict[int, list[QuestionStats]]:
    """Each module's questions (live body order) with their first-try figures: one query."""
    found = {
        (module_id, block_id): (answered, right)
        for module_id, block_id, answered, right in _first_try_rows(modules, live_scope=live_scope)
    }
    return {
        module.pk: [
            QuestionStats(
                module.pk, block_id, question.prompt, *found.get((module.pk, block_id), (0, 0))
            )
            for block_id, question in questions_of(module).items()
        ]
        for module in modules
    }


def moments_of_pain(
    modules: list[ModuleStats],
    questions: dict[int, list[QuestionStats]],
    *,
    thresholds: PainThresholds,
) -> list[PainPoint]:
    """Figures past their thresholds, each resting on enough answers; grouped by kind, worst first."""
    t = thresholds
    pain: list[PainPoint] = []
    for m in modules:
        rating, drop_off, ratio = m.average_rating, m.drop_off, m.time_against_estimate
        if m.ratings >= t.min_ratings and rating is not None and rating <= t.low_rating:
            detail = f"Rated {rating:.1f} of 5 on average ({m.ratings} ratings)."
            pain.append(PainPoint(LOW_RATING, m.module_id, m.title, rating, m.ratings, detail))
        if m.started >= t.min_starters and drop_off is not None and drop_off >= t.drop_off:
            detail = (
                f"{m.started - m.completed} of {m.started} who started it did not finish "
                f"({drop_off:.0%})."
            )
            pain.append(PainPoint(DROP_OFF, m.module_id, m.title, drop_off, m.started, detail))
        if m.completions >= t.min_completions and ratio is not None and ratio >= t.overrun:
            detail = (
                f"Takes {m.median_minutes:g} minutes (median); estimated {m.estimated_minutes}."
            )
            pain.append(PainPoint(OVERRUN, m.module_id, m.title, ratio, m.completions, detail))
        for q in questions.get(m.module_id, ()):
            rate = q.first_try_rate
            if q.answered >= t.min_answers and rate is not None and rate < t.hard_question:
                detail = (
                    f"“{shorten(q.prompt)}”: {q.right_first_time} of {q.answered} right at the "
                    f"first try ({rate:.0%})."
                )
                pain.append(
                    PainPoint(
                        HARD_QUESTION, m.module_id, m.title, rate, q.answered, detail, q.block_id
                    )
                )
    # Worst first: lowest rating or first-try rate, highest drop-off or overrun.
    worst_high = {DROP_OFF, OVERRUN}
    pain.sort(
        key=lambda p: (
            PAIN_ORDER.index(p.kind),
            -p.value if p.kind in worst_high else p.value,
            p.module_title.casefold(),
        )
    )
    return pain


def _percent(share: float | None) -> float | None:
    return round(100 * share, 1) if share is not None else None


def shorten(text: str, limit: int = 90) -> str:
    """The text on one line, cut at `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
