"""The planner's database side: which learners a chunk takes (`claim`), what its decisions need
(`gather`, in a fixed number of queries whatever the chunk's size) and how its results are written
(`write`, `set_next_checks`). planning.py and wants.py decide; this module reads and writes.
"""

import datetime
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.db import connection
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Min, Q, When
from django.db.models.functions import Now

from cms.models import MicroModule
from learning.journeys import pauses
from learning.journeys.confirmations import Waiting, waiting_for_buddies
from learning.journeys.states import (
    JourneyState,
    is_drifting,
    journey_states,
    live_enrollments,
    open_steps,
)
from learning.models import Activity, Card, Celebration, Enrollment, Learner
from learning.practice import budget, calibration, readiness
from learning.practice.scheduling import retrievability
from nudges import dedupe
from nudges.lookups import AnyOf, array_literal
from nudges.models import Nudge, NudgePreferences

# Sent-and-ignored nudges older than this no longer count toward back-off.
IGNORED_LOOKBACK = datetime.timedelta(days=30)

_ONE_DAY = datetime.timedelta(days=1)
_LIVE = (Nudge.State.PLANNED, Nudge.State.SENDING)
_BOOKED = (Nudge.State.PLANNED, Nudge.State.SENDING, Nudge.State.SENT)


@dataclass(frozen=True, slots=True)
class Draft:
    """A nudge to write: the columns the planner decides (the rest take the model's defaults)."""

    learner_id: int
    kind: str
    dedupe_key: str
    title: str
    body: str
    deep_link: str
    window: str
    planned_for: datetime.datetime
    expires_at: datetime.datetime


@dataclass(frozen=True)
class Cards:
    due_now: int  # questions due at `now` that today's practice budget leaves room for
    due_total: int  # questions due at `now`, whatever the budget
    # (due, module title): before a launch the weakest on its day first, then the most due
    topics: list[tuple[int, str]]
    next_due: datetime.datetime | None  # the first card falling due after `now`


@dataclass(frozen=True)
class Team:
    reports: int
    drifting: int
    overdue_steps: int


@dataclass
class Facts:
    """What the chunk's queries found, by learner id."""

    cards: dict[int, Cards]
    journeys: dict[int, list[JourneyState]]
    last_active: dict[int, datetime.datetime]
    booked: dict[int, list[datetime.datetime]]
    live_kinds: dict[int, set[str]]
    ignored: dict[int, int]
    taken_keys: set[str]
    managers: set[int]  # user ids with reports
    teams: dict[int, Team]  # by manager user id, for managers whose digest is due
    minutes: dict[int, int]  # module id → estimated minutes
    reengage_keys: dict[int, str] = field(default_factory=dict)
    waiting: dict[int, Waiting] = field(default_factory=dict)  # by buddy user id
    paused: dict[int, datetime.date] = field(default_factory=dict)  # learner id → pause's last day
    # learner id → the oldest moment not yet shown in their feed: (celebration id, title, detail)
    celebrations: dict[int, tuple[int, str, str]] = field(default_factory=dict)


def claim(*, now: datetime.datetime, limit: int) -> list[Learner]:
    """Up to `limit` learners due for a check at `now`, with their preferences, locked until the
    caller's transaction ends; rows another planner holds are skipped (it is planning them)."""
    return list(
        Learner.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(next_nudge_check_at__lte=now)
        .select_related("nudge_preferences")
        .only(
            "pk",
            "user_id",
            "timezone",
            "locale",
            "next_nudge_check_at",
            *(f"nudge_preferences__{f.name}" for f in NudgePreferences._meta.concrete_fields),
        )
        # The index's order alone: a tie-break on pk would make every chunk sort all due rows.
        .order_by("next_nudge_check_at")[:limit]
    )


def gather(learners: list[Learner], *, now: datetime.datetime) -> Facts:
    """Everything the chunk's decisions need, in a fixed number of queries."""
    ids = [x.id for x in learners]
    journeys = _journeys(Enrollment.objects.current().filter(AnyOf(F("learner_id"), ids)), now=now)
    last_active = _last_active(ids)
    facts = Facts(
        cards=_cards(learners, now=now),
        journeys=journeys,
        last_active=last_active,
        booked=defaultdict(list),
        live_kinds=defaultdict(set),
        ignored=Counter(),
        taken_keys=set(),
        managers=set(),
        teams={},
        minutes={},
    )
    _recent_nudges(ids, facts, now=now)

    reports = list(
        # Active accounts only: a manager's digest counts the people they still manage.
        Learner.objects.filter(
            AnyOf(F("manager_id"), [x.user_id for x in learners]), user__is_active=True
        )
        .only("pk", "manager_id", "timezone")
        .order_by()
    )
    facts.managers = {r.manager_id for r in reports}
    managers = [x for x in learners if x.user_id in facts.managers]

    # Who is paused today, their today: nothing is planned for them until they are back.
    spans = pauses.spans_of(ids)
    for learner in learners:
        until = pauses.paused_until(spans.get(learner.id, []), today=learner.local_date(now))
        if until is not None:
            facts.paused[learner.id] = until

    # Moments to celebrate that their feed has not shown yet: the oldest of each learner's.
    for learner_id, pk, title, detail in (
        Celebration.objects.filter(AnyOf(F("learner_id"), ids), shown_at__isnull=True)
        .order_by("-achieved_at", "-pk")
        .values_list("learner_id", "pk", "title", "detail")
    ):
        facts.celebrations[learner_id] = (pk, title, detail)

    # Buddy steps waiting for the chunk's learners, as someone's buddy.
    facts.waiting = waiting_for_buddies(x.user_id for x in learners)

    # The keys this chunk could write, minus those already in the table (in one query).
    digest_keys = {m.user_id: dedupe.digest(m.id, m.local_date(now)) for m in managers}
    candidates = set(digest_keys.values())
    candidates |= {dedupe.celebration(pk, c[0]) for pk, c in facts.celebrations.items()}
    candidates |= {
        dedupe.confirmation(x.id, facts.waiting[x.user_id].latest_id)
        for x in learners
        if x.user_id in facts.waiting
    }
    step_ids = set()
    for learner in learners:
        facts.reengage_keys[learner.id] = dedupe.reengage(learner.id, learner.local_date(now))
        candidates.add(facts.reengage_keys[learner.id])
        for state in open_steps(journeys.get(learner.id, [])):
            candidates |= {
                dedupe.step_unlocked(learner.id, state.step.id),
                dedupe.deadline(learner.id, state.step.id),
            }
            step_ids.add(state.step.id)
    if candidates:
        facts.taken_keys |= set(
            Nudge.objects.filter(AnyOf(F("dedupe_key"), candidates)).values_list(
                "dedupe_key", flat=True
            )
        )
    if step_ids:
        facts.minutes = dict(
            MicroModule.objects.filter(journey_steps__in=step_ids)
            .values_list("journey_steps", "estimated_minutes")
            .order_by()
        )

    digest_due = {user_id for user_id, key in digest_keys.items() if key not in facts.taken_keys}
    if digest_due:
        facts.teams = _teams([r for r in reports if r.manager_id in digest_due], now=now)
    return facts


def _journeys(enrollments, *, now: datetime.datetime) -> dict[int, list[JourneyState]]:
    by_learner: dict[int, list[JourneyState]] = defaultdict(list)
    for journey in journey_states(list(live_enrollments(enrollments)), now=now):
        by_learner[journey.enrollment.learner_id].append(journey)
    return by_learner


def _last_active(ids: list[int]) -> dict[int, datetime.datetime]:
    return Activity.objects.filter(AnyOf(F("learner_id"), ids)).last_active()


def _cards(learners: list[Learner], *, now: datetime.datetime) -> dict[int, Cards]:
    ids = [x.id for x in learners]
    rows = (
        Card.objects.filter(AnyOf(F("learner_id"), ids), active=True, module__live=True)
        .values("learner_id", "module_id", "module__title")
        .annotate(
            due_now=Count("pk", filter=Q(due__lte=now)),
            next_due=Min("due", filter=Q(due__gt=now)),
        )
        .order_by()
    )
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row["learner_id"]].append(row)
    weakest = _weakest_on_the_day(learners, now=now)
    allowed = budget.remaining_today_of(learners, now=now)
    cards = {}
    for learner_id, modules in grouped.items():
        risk = weakest.get(learner_id, {})
        # Before a launch, the module whose due cards will be recalled least on its day comes
        # first; otherwise (and after those) the module with most due.
        due = [r for r in modules if r["due_now"]]
        due.sort(key=lambda r: (risk.get(r["module_id"], 2.0), -r["due_now"], r["module__title"]))
        topics = [(r["due_now"], r["module__title"]) for r in due]
        upcoming = [r["next_due"] for r in modules if r["next_due"] is not None]
        due_total = sum(t[0] for t in topics)
        cards[learner_id] = Cards(
            # What today's practice budget leaves: never more than the due queue will offer.
            due_now=min(due_total, allowed.get(learner_id, 0)),
            due_total=due_total,
            topics=topics,
            next_due=min(upcoming, default=None),
        )
    return cards


def _weakest_on_the_day(
    learners: list[Learner], *, now: datetime.datetime
) -> dict[int, dict[int, float]]:
    """learner id → module id → the lowest predicted recall, on the morning of its event's day, of
    their due cards of events dated ahead (as learning.practice.readiness forecasts it). One query,
    and one for the scheduler sets when there are such cards."""
    by_id = {x.id: x for x in learners}
    rows = list(
        Card.objects.filter(
            AnyOf(F("learner_id"), list(by_id)),
            active=True,
            module__live=True,
            due__lte=now,
            stability__isnull=False,
            last_review__isnull=False,
            event__date__gte=now.date() - datetime.timedelta(days=1),  # refined per learner below
        )
        .values_list(
            "learner_id", "module_id", "stability", "last_review", "event_id", "event__date"
        )
        .order_by()
    )
    if not rows:
        return {}
    parameters = calibration.in_force_for_events({row[4] for row in rows})
    weakest: dict[int, dict[int, float]] = defaultdict(dict)
    for learner_id, module_id, stability, last_review, event_id, date in rows:
        learner = by_id[learner_id]
        if date < learner.local_date(now):
            continue  # the day has passed in their calendar
        recall = retrievability(
            stability=stability,
            last_review=last_review,
            at=readiness.the_day(date, learner.tz),
            parameters=parameters.get(event_id),
        )
        known = weakest[learner_id].get(module_id)
        weakest[learner_id][module_id] = recall if known is None else min(known, recall)
    return weakest


def _recent_nudges(ids: list[int], facts: Facts, *, now: datetime.datetime) -> None:
    """Nudges that bear on the plan: booked ones near now (the cap, one per window), live ones
    (no second practice or re-engage nudge while one waits) and recently ignored ones (back-off).

    The database decides which role each row plays and sends only the moment that role needs:
    most rows are last weeks' ignored nudges, and reading timestamps is most of a row's cost."""
    booked_since = now - 2 * _ONE_DAY  # the cap and the windows look at today and tomorrow
    booked = Q(state__in=_BOOKED, planned_for__gte=booked_since)
    ignored = Q(state=Nudge.State.SENT, opened_at__isnull=True, sent_at__gte=now - IGNORED_LOOKBACK)
    rows = (
        Nudge.objects.filter(AnyOf(F("learner_id"), ids))
        .filter(Q(planned_for__gte=booked_since) | Q(state__in=_LIVE) | ignored)
        .values_list(
            "learner_id",
            "kind",
            "dedupe_key",
            Case(When(booked, then="planned_for")),
            ExpressionWrapper(Q(state__in=_LIVE, expires_at__gt=now), output_field=BooleanField()),
            Case(When(ignored, then="sent_at")),
        )
    )
    for learner_id, kind, key, booked_for, live, ignored_at in rows:
        facts.taken_keys.add(key)
        if booked_for is not None:
            facts.booked[learner_id].append(booked_for)
        if live:
            facts.live_kinds[learner_id].add(kind)
        if ignored_at is not None:
            last = facts.last_active.get(learner_id)
            # Ignored in a row: sent since their last activity (opening a nudge is one).
            if last is None or ignored_at > last:
                facts.ignored[learner_id] += 1


def _teams(reports: list[Learner], *, now: datetime.datetime) -> dict[int, Team]:
    """Per manager (user id): how many reports, how many drifting, how many overdue steps."""
    journeys = _journeys(
        Enrollment.objects.current().filter(AnyOf(F("learner_id"), [r.id for r in reports])),
        now=now,
    )
    last_active = _last_active([r.id for r in reports])
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for report in reports:
        theirs = journeys.get(report.id, [])
        team = counts[cast(int, report.manager_id)]  # reports are found by their manager
        team[0] += 1
        team[1] += is_drifting(report, theirs, last_active=last_active.get(report.id), now=now)
        team[2] += sum(j.overdue for j in theirs)
    return {manager: Team(*values) for manager, values in counts.items()}


def write(drafts: list[Draft]) -> list[tuple[int, str]]:
    """Insert the chunk's nudges and return (id, kind) of those this call wrote: a dedupe key
    already in the table (another planner's, an earlier run's) keeps its row and is not returned."""
    if not drafts:
        return []
    # The planner's two writes each choose their database's statement here and nowhere else:
    # set-based SQL on PostgreSQL, the ORM's portable form on the quick-start's SQLite.
    if connection.vendor == "postgresql":
        return _insert_from_json(drafts)
    return _bulk_create(drafts)


_COLUMNS = ", ".join(f'"{name}"' for name in Draft.__slots__)
_TYPES = ("bigint", "text", "text", "text", "text", "text", "text", "timestamptz", "timestamptz")
# Each row travels as a JSON array in Draft's field order: element i cast to its column's type.
_VALUES = ", ".join(f"(v->>{i})::{t}" for i, t in enumerate(_TYPES))


def _insert_from_json(drafts: list[Draft]) -> list[tuple[int, str]]:
    """One INSERT … SELECT FROM jsonb_to_recordset(%s) ON CONFLICT (dedupe_key) DO NOTHING RETURNING.

    Set-based like `bulk_create(ignore_conflicts=True)`, which it replaces on PostgreSQL: that
    builds a model instance per row, writes and quotes one placeholder per value (17 per nudge)
    and cannot tell which rows went in, so it needed a second query. The whole chunk as one JSON
    parameter (serialised in C) and RETURNING take a fraction of the time (benchmarks/plan_nudges.py).
    """
    rows = json.dumps(
        [
            [
                d.learner_id,
                d.kind,
                d.dedupe_key,
                d.title,
                d.body,
                d.deep_link,
                d.window,
                d.planned_for.isoformat(),
                d.expires_at.isoformat(),
            ]
            for d in drafts
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Nudge._meta.db_table} ({_COLUMNS}, state, attempts,"  # noqa: S608 (our own names)
            " provider_message_ids, last_error, created_at)"
            f" SELECT {_VALUES}, %s, 0, '[]'::jsonb, '', now()"
            " FROM jsonb_array_elements(%s::jsonb) AS r(v)"
            " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, kind",
            [Nudge.State.PLANNED, rows],
        )
        return cursor.fetchall()


def _bulk_create(drafts: list[Draft]) -> list[tuple[int, str]]:
    """The quick-start's SQLite: bulk_create(ignore_conflicts=True), then find which rows are ours."""
    nudges = [Nudge(**{name: getattr(d, name) for name in Draft.__slots__}) for d in drafts]
    Nudge.objects.bulk_create(nudges, ignore_conflicts=True)
    # auto_now_add stamped each row as it went in; a stored row with the same stamp is ours.
    stamps = {n.dedupe_key: n.created_at for n in nudges}
    return [
        (pk, kind)
        for key, pk, kind, created_at in Nudge.objects.filter(
            dedupe_key__in=list(stamps)
        ).values_list("dedupe_key", "pk", "kind", "created_at")
        if stamps[key] == created_at
    ]


def set_next_checks(next_checks: dict[int, datetime.datetime | None]) -> None:
    """Move each learner's next check to its moment (None: nothing to check), set-based."""
    if connection.vendor == "postgresql":
        _update_from_unnest(next_checks)
    else:
        _bulk_update(next_checks)


def _update_from_unnest(next_checks: dict[int, datetime.datetime | None]) -> None:
    """One UPDATE … FROM unnest(…) for the whole chunk, two array parameters however many rows."""
    ids, _ = array_literal(next_checks)
    moments, _ = array_literal(at.isoformat() if at else None for at in next_checks.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Learner._meta.db_table} AS l SET next_nudge_check_at = v.at "  # noqa: S608 (our own table name)
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE l.id = v.id",
            [ids, moments],
        )


def _bulk_update(next_checks: dict[int, datetime.datetime | None]) -> None:
    """The quick-start's SQLite: bulk_update, in batches under its cap on query parameters."""
    Learner.objects.bulk_update(
        [Learner(pk=pk, next_nudge_check_at=at) for pk, at in next_checks.items()],
        ["next_nudge_check_at"],
        batch_size=500,
    )


def wake_planner(learner_ids: list[int], *, at: datetime.datetime | None = None) -> None:
    """Have the planner look at these learners at `at` (None: now, by the database's clock), unless
    it already will sooner. Registered with learning.changes, and called when preferences change."""
    at_or_now = Now() if at is None else at
    # A deactivated account has no check due (learning.people.accounts) and gets none.
    Learner.objects.filter(pk__in=learner_ids, user__is_active=True).filter(
        Q(next_nudge_check_at__isnull=True) | Q(next_nudge_check_at__gt=at_or_now)
    ).update(next_nudge_check_at=at_or_now)
