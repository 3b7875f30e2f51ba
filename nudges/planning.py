"""Planning nudges: which learners to look at, what to tell them, and when.

`plan_nudges` claims learners whose `next_nudge_check_at` has come (FOR UPDATE SKIP LOCKED, so
several planners share the work), decides per learner what is worth a nudge and in which free
window (windows.py, bandit.py), writes the nudges in state `planned` for the dispatcher, and moves
each learner's next check to the next moment something could change. Everything is set-based: a
chunk costs the same number of queries whether it holds 10 learners or 1,000.

Each nudge has a dedupe key, unique in the table, so a nudge is never planned twice, whichever
planner (or run) gets there first:

    practice:<learner>:<local date>        practice due, at most one a day
    step:<learner>:<step>                  a journey step unlocked
    deadline:<learner>:<step>              a step due tomorrow (or today)
    reengage:<learner>:<ISO week>          a drifting learner, at most once a week
    digest:<manager learner>:<ISO week>    a manager's weekly digest about their team
"""

import datetime
import functools
import itertools
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Max, Min, Q, When
from django.utils import translation

from backend.lookups import AnyOf, array_literal
from cms.models import JourneyStep, MicroModule
from learning.journeys import (
    AVAILABLE,
    LOCKED,
    OVERDUE,
    JourneyState,
    StepState,
    enrollments_with_steps,
    journey_states,
)
from learning.models import Activity, Card, Enrollment, Learner
from learning.team import is_drifting
from nudges import bandit, texts
from nudges.models import Nudge, NudgePreferences
from nudges.windows import Rules, Slot, is_backed_off, next_slot, to_utc

DEFAULT_MAX_CHECK_INTERVAL_DAYS = 7
# A learner's next check is never sooner than this after a pass: the run always finishes.
MIN_RECHECK = datetime.timedelta(minutes=1)
# Steps unlocked longer ago than this get no "unlocked" nudge (re-engaging covers them).
RECENT_UNLOCK_DAYS = 7
# Sent-and-ignored nudges older than this no longer count toward back-off.
IGNORED_LOOKBACK = datetime.timedelta(days=30)

_ONE_DAY = datetime.timedelta(days=1)
_LIVE = (Nudge.State.PLANNED, Nudge.State.SENDING)
_BOOKED = (Nudge.State.PLANNED, Nudge.State.SENDING, Nudge.State.SENT)


@dataclass
class PlanResult:
    claimed: int = 0  # learners looked at
    chunks: int = 0
    disabled: int = 0  # of them, with nudges turned off
    planned: int = 0  # nudges written by this run (not another planner's copies)
    by_kind: Counter = field(default_factory=Counter)
    nudge_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Draft:
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


def plan_nudges(
    *, now: datetime.datetime, chunk_size: int = 1000, rng: random.Random | None = None
) -> PlanResult:
    """Claim learners due for a check at `now` and write the nudges they should get."""
    result = PlanResult()
    prior = bandit.population_prior(now=now)  # once per run: everyone's opens change slowly
    rng = rng or random.Random()
    while True:
        with transaction.atomic():
            claimed = _plan_chunk(now=now, limit=chunk_size, prior=prior, rng=rng, result=result)
        if claimed < chunk_size:
            return result


def max_check_interval() -> datetime.timedelta:
    days = getattr(settings, "NUDGES_MAX_CHECK_INTERVAL_DAYS", DEFAULT_MAX_CHECK_INTERVAL_DAYS)
    return datetime.timedelta(days=days)


# --- One chunk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cards:
    due_now: int  # questions due at `now`
    topics: list[tuple[int, str]]  # (due, module title), most due first
    next_due: datetime.datetime | None  # the first card falling due after `now`


@dataclass(frozen=True)
class _Team:
    reports: int
    drifting: int
    overdue_steps: int


@dataclass
class _Facts:
    """What the chunk's queries found, by learner id."""

    cards: dict[int, _Cards]
    journeys: dict[int, list[JourneyState]]
    last_active: dict[int, datetime.datetime]
    booked: dict[int, list[datetime.datetime]]
    live_kinds: dict[int, set[str]]
    ignored: dict[int, int]
    taken_keys: set[str]
    managers: set[int]  # user ids with reports
    teams: dict[int, _Team]  # by manager user id, for managers whose digest is due
    minutes: dict[int, int]  # module id → estimated minutes
    reengage_keys: dict[int, str] = field(default_factory=dict)


def _plan_chunk(
    *,
    now: datetime.datetime,
    limit: int,
    prior: bandit.PopulationPrior,
    rng: random.Random,
    result: PlanResult,
) -> int:
    learners = list(
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
    if not learners:
        return 0
    result.chunks += 1
    result.claimed += len(learners)

    preferences = {learner.id: _preferences(learner) for learner in learners}
    enabled = [learner for learner in learners if preferences[learner.id].nudges_enabled]
    # Texts are translated per learner: one language switch per locale, not per learner.
    enabled.sort(key=lambda learner: learner.locale)
    result.disabled += len(learners) - len(enabled)
    facts = _gather(enabled, now=now)
    chooser = bandit.WindowChooser(
        prior=prior, arms=bandit.learner_arms([x.id for x in enabled], now=now), rng=rng
    )

    drafts: list[_Draft] = []
    next_checks: dict[int, datetime.datetime | None] = {x.id: None for x in learners}
    for locale, group in itertools.groupby(enabled, key=lambda learner: learner.locale):
        with translation.override(locale):
            for learner in group:
                nudges, next_check = _plan_learner(
                    learner, _rules(preferences[learner.id]), facts, chooser=chooser, now=now
                )
                drafts += nudges
                next_checks[learner.id] = next_check
    _write(drafts, result)
    _set_next_checks(next_checks)
    return len(learners)


_DEFAULTS = NudgePreferences()  # a learner without a row has the defaults, until they change one


def _preferences(learner: Learner) -> NudgePreferences:
    try:
        return learner.nudge_preferences
    except NudgePreferences.DoesNotExist:
        return _DEFAULTS


@dataclass(frozen=True)
class _Prefs:
    """The parts of NudgePreferences that decide when, hashable (many learners share them)."""

    quiet_start: datetime.time
    quiet_end: datetime.time
    windows: tuple[tuple[tuple[int, ...], str, str], ...]
    daily_cap: int
    weekends: bool


def _rules(preferences: NudgePreferences) -> _Prefs:
    if preferences is _DEFAULTS:
        return _DEFAULT_PREFS
    return _Prefs(
        preferences.quiet_start,
        preferences.quiet_end,
        tuple((tuple(w["days"]), w["start"], w["end"]) for w in preferences.windows or ()),
        preferences.daily_cap,
        preferences.weekends,
    )


_DEFAULT_PREFS = _rules(NudgePreferences())


@functools.lru_cache(maxsize=4096)
def _cached_rules(prefs: _Prefs, backed_off: bool, default_window: object) -> Rules:
    return Rules.from_preferences(
        NudgePreferences(
            quiet_start=prefs.quiet_start,
            quiet_end=prefs.quiet_end,
            windows=[{"days": list(d), "start": s, "end": e} for d, s, e in prefs.windows],
            daily_cap=prefs.daily_cap,
            weekends=prefs.weekends,
        ),
        backed_off=backed_off,
    )


def _gather(learners: list[Learner], *, now: datetime.datetime) -> _Facts:
    """Everything the chunk's decisions need, in a fixed number of queries."""
    ids = [x.id for x in learners]
    journeys = _journeys(Enrollment.objects.filter(AnyOf(F("learner_id"), ids)), now=now)
    last_active = _last_active(ids)
    facts = _Facts(
        cards=_cards(ids, now=now),
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
        Learner.objects.filter(AnyOf(F("manager_id"), [x.user_id for x in learners]))
        .only("pk", "manager_id", "timezone")
        .order_by()
    )
    facts.managers = {r.manager_id for r in reports}
    managers = [x for x in learners if x.user_id in facts.managers]

    # The keys this chunk could write, minus those already in the table (in one query).
    candidates = {_digest_key(m, now) for m in managers}
    step_ids = set()
    for learner in learners:
        facts.reengage_keys[learner.id] = _reengage_key(learner, now)
        candidates.add(facts.reengage_keys[learner.id])
        for state in _open_steps(journeys.get(learner.id, [])):
            candidates |= {
                f"step:{learner.id}:{state.step.id}",
                f"deadline:{learner.id}:{state.step.id}",
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

    digest_due = {m.user_id for m in managers if _digest_key(m, now) not in facts.taken_keys}
    if digest_due:
        facts.teams = _teams([r for r in reports if r.manager_id in digest_due], now=now)
    return facts


def _journeys(enrollments, *, now: datetime.datetime) -> dict[int, list[JourneyState]]:
    by_learner: dict[int, list[JourneyState]] = defaultdict(list)
    for journey in journey_states(list(enrollments_with_steps(enrollments)), now=now):
        by_learner[journey.enrollment.learner_id].append(journey)
    return by_learner


def _last_active(ids: list[int]) -> dict[int, datetime.datetime]:
    return dict(
        Activity.objects.filter(AnyOf(F("learner_id"), ids))
        .values("learner_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
        .values_list("learner_id", "last")
    )


def _cards(ids: list[int], *, now: datetime.datetime) -> dict[int, _Cards]:
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
    cards = {}
    for learner_id, modules in grouped.items():
        topics = sorted(
            ((r["due_now"], r["module__title"]) for r in modules if r["due_now"]),
            key=lambda t: (-t[0], t[1]),
        )
        upcoming = [r["next_due"] for r in modules if r["next_due"] is not None]
        cards[learner_id] = _Cards(
            due_now=sum(t[0] for t in topics),
            topics=topics,
            next_due=min(upcoming, default=None),
        )
    return cards


def _recent_nudges(ids: list[int], facts: _Facts, *, now: datetime.datetime) -> None:
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


def _teams(reports: list[Learner], *, now: datetime.datetime) -> dict[int, _Team]:
    """Per manager (user id): how many reports, how many drifting, how many overdue steps."""
    journeys = _journeys(
        Enrollment.objects.filter(AnyOf(F("learner_id"), [r.id for r in reports])), now=now
    )
    last_active = _last_active([r.id for r in reports])
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for report in reports:
        theirs = journeys.get(report.id, [])
        team = counts[report.manager_id]
        team[0] += 1
        team[1] += is_drifting(report, theirs, last_active=last_active.get(report.id), now=now)
        team[2] += sum(j.overdue for j in theirs)
    return {manager: _Team(*values) for manager, values in counts.items()}


# --- One learner ----------------------------------------------------------------------------------


def _iso_week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _local_today(learner: Learner, now: datetime.datetime) -> datetime.date:
    return now.astimezone(learner.tz).date()


def _reengage_key(learner: Learner, now: datetime.datetime) -> str:
    return f"reengage:{learner.id}:{_iso_week(_local_today(learner, now))}"


def _digest_key(learner: Learner, now: datetime.datetime) -> str:
    return f"digest:{learner.id}:{_iso_week(_local_today(learner, now))}"


def _open_steps(journeys: Iterable[JourneyState]) -> list[StepState]:
    """Steps that are the learner's to do now (not waiting for someone's confirmation)."""
    return [
        s
        for j in journeys
        for s in j.steps
        if s.state in (AVAILABLE, OVERDUE) and not s.awaiting_confirmation
    ]


@dataclass(frozen=True)
class _Want:
    """Something worth a nudge, waiting for a slot."""

    kind: str
    key: str | None  # None: depends on the slot's date (practice)
    latest: datetime.date | None  # no later than this local date
    text: Callable[[Slot], texts.Text]  # the slot decides "due today" or "due tomorrow"


def _plan_learner(
    learner: Learner,
    preferences: _Prefs,
    facts: _Facts,
    *,
    chooser: bandit.WindowChooser,
    now: datetime.datetime,
) -> tuple[list[_Draft], datetime.datetime]:
    tz, pk = learner.tz, learner.id
    today = now.astimezone(tz).date()
    rules = _cached_rules(
        preferences,
        is_backed_off(facts.ignored[pk]),
        getattr(settings, "NUDGES_DEFAULT_WINDOW", None),  # part of the key: tests change it
    )
    journeys = facts.journeys.get(pk, [])
    wants = _wants(learner, journeys, facts, today=today, now=now)

    booked = list(facts.booked.get(pk, ()))
    choose = functools.partial(chooser.choose, pk)
    nudges = []
    waiting = False  # something to say that must wait for a later check
    for want in wants:
        slot = next_slot(rules, tz=tz, now=now, booked=booked, choose=choose)
        if slot is None:
            waiting = True  # nothing free within the horizon (a cap of 0, say)
            break
        if want.latest is not None and slot.local_date > want.latest:
            continue  # too late to be of use
        key = want.key or f"practice:{pk}:{slot.local_date.isoformat()}"
        if key in facts.taken_keys:
            waiting = True
            continue
        nudges.append(_nudge(learner, want, key, slot))
        booked.append(slot.start)

    cards = facts.cards.get(pk)
    checks = [now + max_check_interval()]
    if cards is not None and cards.next_due is not None:
        checks.append(cards.next_due)
    midnight = functools.partial(to_utc, value=datetime.time.min, tz=tz)
    later_dates = [s.unlocks_on for j in journeys for s in j.steps if s.state == LOCKED]
    later_dates += [
        s.due_on - _ONE_DAY for s in _open_steps(journeys) if s.due_on - _ONE_DAY > today
    ]
    if later_dates:
        checks.append(midnight(min(later_dates)))
    if waiting or (cards and cards.due_now) or _open_steps(journeys):
        # Tomorrow the cap is fresh, and being quiet another day may make them drifting.
        checks.append(midnight(today + _ONE_DAY))
    if learner.user_id in facts.managers:
        checks.append(midnight(today + datetime.timedelta(days=7 - today.weekday())))
    return nudges, max(min(checks), now + MIN_RECHECK)


def _wants(
    learner: Learner,
    journeys: list[JourneyState],
    facts: _Facts,
    *,
    today: datetime.date,
    now: datetime.datetime,
) -> list[_Want]:
    """What this learner could be nudged about, most pressing first; at most one of each kind."""
    pk, locale = learner.id, learner.locale
    live = facts.live_kinds.get(pk, set())
    taken = facts.taken_keys
    wants = []
    available = [s for s in _open_steps(journeys) if s.state == AVAILABLE] if journeys else []
    positions = (
        {s.step.id: (j, i + 1, len(j.steps)) for j in journeys for i, s in enumerate(j.steps)}
        if journeys
        else {}
    )

    def where(state: StepState) -> dict:
        journey, position, total = positions[state.step.id]
        return {
            "step": state.step.title,
            "event": journey.enrollment.event.name,
            "position": position,
            "total": total,
            "journey_id": journey.enrollment.id,
            "step_id": state.step.id,
            "locale": locale,
        }

    due_soon = sorted(
        (
            s
            for s in available
            if s.due_on - today <= _ONE_DAY and f"deadline:{pk}:{s.step.id}" not in taken
        ),
        key=lambda s: (s.due_on, s.step.sort_order),
    )
    if due_soon:
        state = due_soon[0]
        wants.append(
            _Want(
                Nudge.Kind.DEADLINE,
                f"deadline:{pk}:{state.step.id}",
                state.due_on,
                functools.partial(_deadline_text, state=state, where=where(state)),
            )
        )
    unlocked = sorted(
        (
            s
            for s in available
            if today - s.unlocks_on < datetime.timedelta(days=RECENT_UNLOCK_DAYS)
            and f"step:{pk}:{s.step.id}" not in taken
            and not (due_soon and s.step.id == due_soon[0].step.id)
        ),
        key=lambda s: (s.unlocks_on, s.step.sort_order),
    )
    if unlocked:
        state = unlocked[0]
        minutes = (
            facts.minutes.get(state.step.id) if state.step.kind == JourneyStep.Kind.FORMAL else None
        )
        wants.append(
            _Want(
                Nudge.Kind.STEP_UNLOCKED,
                f"step:{pk}:{state.step.id}",
                None,
                _any_slot(functools.partial(texts.step_unlocked, minutes=minutes, **where(state))),
            )
        )
    cards = facts.cards.get(pk)
    if cards and cards.due_now and Nudge.Kind.PRACTICE_DUE not in live:
        wants.append(
            _Want(
                Nudge.Kind.PRACTICE_DUE,
                None,
                None,
                _any_slot(
                    functools.partial(
                        texts.practice_due,
                        questions=cards.due_now,
                        topic=cards.topics[0][1],
                        other_topics=len(cards.topics) - 1,
                        locale=locale,
                    )
                ),
            )
        )
    reengage_key = facts.reengage_keys[pk]
    if (
        not wants
        and Nudge.Kind.REENGAGE not in live
        and reengage_key not in taken
        and is_drifting(learner, journeys, last_active=facts.last_active.get(pk), now=now)
    ):
        waiting_steps = sorted(
            _open_steps(journeys), key=lambda s: (s.unlocks_on, s.step.sort_order)
        )
        first = where(waiting_steps[0])
        wants.append(
            _Want(
                Nudge.Kind.REENGAGE,
                reengage_key,
                None,
                _any_slot(
                    functools.partial(
                        texts.reengage,
                        open_steps=len(waiting_steps),
                        event=first["event"],
                        journey_id=first["journey_id"],
                        step_id=first["step_id"],
                        locale=locale,
                    )
                ),
            )
        )
    team = facts.teams.get(learner.user_id)
    if team is not None:
        wants.append(
            _Want(
                Nudge.Kind.WEEKLY_DIGEST,
                _digest_key(learner, now),
                None,
                _any_slot(
                    functools.partial(
                        texts.weekly_digest,
                        reports=team.reports,
                        drifting=team.drifting,
                        overdue_steps=team.overdue_steps,
                        locale=locale,
                    )
                ),
            )
        )
    return wants


def _deadline_text(slot: Slot, *, state: StepState, where: dict) -> texts.Text:
    return texts.deadline(due_today=slot.local_date >= state.due_on, **where)


def _any_slot(text: Callable[[], texts.Text]) -> Callable[[Slot], texts.Text]:
    return lambda slot: text()


def _nudge(learner: Learner, want: _Want, key: str, slot: Slot) -> _Draft:
    text = want.text(slot)
    return _Draft(
        learner_id=learner.id,
        kind=want.kind,
        dedupe_key=key,
        title=text.title,
        body=text.body,
        deep_link=text.deep_link,
        window=slot.label,
        planned_for=slot.start,
        expires_at=slot.end,
    )


# --- Writing --------------------------------------------------------------------------------------


def _write(drafts: list[_Draft], result: PlanResult) -> None:
    """Insert the chunk's nudges; a dedupe key already in the table (another planner's, an earlier
    run's) keeps its row and is not counted as planned by this run."""
    if not drafts:
        return
    if connection.vendor == "postgresql":
        written = _insert_from_json(drafts)
    else:
        written = _bulk_create(drafts)
    for pk, kind in written:
        result.planned += 1
        result.by_kind[kind] += 1
        result.nudge_ids.append(pk)


_COLUMNS = ", ".join(f'"{name}"' for name in _Draft.__slots__)
_TYPES = ("bigint", "text", "text", "text", "text", "text", "text", "timestamptz", "timestamptz")
# Each row travels as a JSON array in _Draft's field order: element i cast to its column's type.
_VALUES = ", ".join(f"(v->>{i})::{t}" for i, t in enumerate(_TYPES))


def _insert_from_json(drafts: list[_Draft]) -> list[tuple[int, str]]:
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


def _bulk_create(drafts: list[_Draft]) -> list[tuple[int, str]]:
    """The quick-start's SQLite: bulk_create(ignore_conflicts=True), then find which rows are ours."""
    nudges = [Nudge(**{name: getattr(d, name) for name in _Draft.__slots__}) for d in drafts]
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


def _set_next_checks(next_checks: dict[int, datetime.datetime | None]) -> None:
    """One UPDATE … FROM unnest(…) for the whole chunk on PostgreSQL; bulk_update on the quick-start's SQLite."""
    if connection.vendor != "postgresql":
        Learner.objects.bulk_update(
            [Learner(pk=pk, next_nudge_check_at=at) for pk, at in next_checks.items()],
            ["next_nudge_check_at"],
            batch_size=500,
        )
        return
    ids, _ = array_literal(next_checks)
    moments, _ = array_literal(at.isoformat() if at else None for at in next_checks.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Learner._meta.db_table} AS l SET next_nudge_check_at = v.at "  # noqa: S608 (our own table name)
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE l.id = v.id",
            [ids, moments],
        )
