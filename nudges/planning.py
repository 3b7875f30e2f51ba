"""Planning nudges: which learners to look at, what to tell them, and when.

`plan_nudges` claims learners whose `next_nudge_check_at` has come (FOR UPDATE SKIP LOCKED, so
several planners share the work), asks wants.py what is worth a nudge for each, finds each want
a free window (windows.py, bandit.py), writes the nudges in state `planned` for the dispatcher,
and moves each learner's next check to the next moment something could change. plan_data.py does
every read and write, set-based: a chunk costs the same number of queries whether it holds 10
learners or 1,000.

Each nudge has a dedupe key, unique in the table (the grammar is in dedupe.py), so a nudge is
never planned twice, whichever planner (or run) gets there first.
"""

import datetime
import functools
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation

from learning.journeys.states import LOCKED
from learning.models import Learner
from nudges import bandit, plan_data
from nudges.models import NudgePreferences
from nudges.wants import Want, wants_for
from nudges.windows import Rules, Slot, is_backed_off, next_slot, to_utc

# A learner's next check is never sooner than this after a pass: the run always finishes.
MIN_RECHECK = datetime.timedelta(minutes=1)

_ONE_DAY = datetime.timedelta(days=1)


@dataclass
class PlanResult:
    claimed: int = 0  # learners looked at
    chunks: int = 0
    disabled: int = 0  # of them, with nudges turned off
    planned: int = 0  # nudges written by this run (not another planner's copies)
    by_kind: Counter = field(default_factory=Counter)
    nudge_ids: list[int] = field(default_factory=list)


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
    return datetime.timedelta(days=settings.NUDGES_MAX_CHECK_INTERVAL_DAYS)


# --- One chunk ------------------------------------------------------------------------------------


def _plan_chunk(
    *,
    now: datetime.datetime,
    limit: int,
    prior: bandit.PopulationPrior,
    rng: random.Random,
    result: PlanResult,
) -> int:
    learners = plan_data.claim(now=now, limit=limit)
    if not learners:
        return 0
    result.chunks += 1
    result.claimed += len(learners)

    preferences = {learner.id: _preferences(learner) for learner in learners}
    enabled = [learner for learner in learners if preferences[learner.id].nudges_enabled]
    # Texts are translated per learner: one language switch per locale, not per learner.
    enabled.sort(key=lambda learner: learner.locale)
    result.disabled += len(learners) - len(enabled)
    facts = plan_data.gather(enabled, now=now)
    chooser = bandit.WindowChooser(
        prior=prior, arms=bandit.learner_arms([x.id for x in enabled], now=now), rng=rng
    )

    drafts: list[plan_data.Draft] = []
    next_checks: dict[int, datetime.datetime | None] = {x.id: None for x in learners}
    for locale, group in itertools.groupby(enabled, key=lambda learner: learner.locale):
        with translation.override(locale):
            for learner in group:
                nudges, next_check = _plan_learner(
                    learner, _rules(preferences[learner.id]), facts, chooser=chooser, now=now
                )
                drafts += nudges
                next_checks[learner.id] = next_check
    for pk, kind in plan_data.write(drafts):
        result.planned += 1
        result.by_kind[kind] += 1
        result.nudge_ids.append(pk)
    plan_data.set_next_checks(next_checks)
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


# --- One learner ----------------------------------------------------------------------------------


def _plan_learner(
    learner: Learner,
    preferences: _Prefs,
    facts: plan_data.Facts,
    *,
    chooser: bandit.WindowChooser,
    now: datetime.datetime,
) -> tuple[list[plan_data.Draft], datetime.datetime]:
    tz, pk = learner.tz, learner.id
    today = now.astimezone(tz).date()
    rules = _cached_rules(
        preferences,
        is_backed_off(facts.ignored[pk]),
        settings.NUDGES_DEFAULT_WINDOW,  # part of the key: tests change it
    )
    midnight = functools.partial(to_utc, value=datetime.time.min, tz=tz)
    if (until := facts.paused.get(pk)) is not None:
        # Paused: nothing to say until their first day back.
        return [], max(midnight(until + _ONE_DAY), now + MIN_RECHECK)
    journeys = facts.journeys.get(pk, [])
    wants = wants_for(learner, journeys, facts, today=today, now=now)

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
        key = want.key(slot)
        if key in facts.taken_keys:
            waiting = True
            continue
        nudges.append(_nudge(learner, want, key, slot))
        booked.append(slot.start)

    cards = facts.cards.get(pk)
    checks = [now + max_check_interval()]
    if cards is not None and cards.next_due is not None:
        checks.append(cards.next_due)
    later_dates = [s.unlocks_on for j in journeys for s in j.steps if s.state == LOCKED]
    later_dates += [
        s.due_on - _ONE_DAY for s in plan_data.open_steps(journeys) if s.due_on - _ONE_DAY > today
    ]
    if later_dates:
        checks.append(midnight(min(later_dates)))
    if waiting or (cards and cards.due_total) or plan_data.open_steps(journeys):
        # Tomorrow the cap and the practice budget are fresh, and being quiet another day may
        # make them drifting.
        checks.append(midnight(today + _ONE_DAY))
    if learner.user_id in facts.managers:
        checks.append(midnight(today + datetime.timedelta(days=7 - today.weekday())))
    return nudges, max(min(checks), now + MIN_RECHECK)


def _nudge(learner: Learner, want: Want, key: str, slot: Slot) -> plan_data.Draft:
    text = want.text(slot)
    return plan_data.Draft(
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
