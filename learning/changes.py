"""Learners changed (new steps, a card falling due), accounts deactivated: the apps above learning
may want to know.

learning knows no nudges; nudges registers its planner's wake-up here at start-up, as it registers
its handlers for ledger rows with `learning.ledger.events.register_handler`. Every announcement runs
its handlers in the caller's transaction.
"""

import datetime
from collections.abc import Callable, Iterable

Handler = Callable[..., None]


class _Hook:
    """Handlers of one kind of change, each registered once (from AppConfig.ready())."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def register(self, handler: Handler) -> None:
        if handler not in self._handlers:
            self._handlers.append(handler)

    def announce(self, *args, **kwargs) -> None:
        for handler in self._handlers:
            handler(*args, **kwargs)


_changed, _deactivated, _withdrawn, _dates_moved, _paused = (_Hook() for _ in range(5))

# handler(learner_ids, at=...): `at` is when the change starts to matter, None for now.
register_handler = _changed.register
# handler(user_ids, learner_ids, now=...): nudges turns their devices off and suppresses their
# planned nudges.
register_deactivation_handler = _deactivated.register
# handler(pairs, now=...): (learner id, event id) enrolments withdrawn; nudges suppresses the
# planned nudges about their steps.
register_withdrawal_handler = _withdrawn.register
# handler(pairs, now=...): (learner id, event id) enrolments a live event's new date re-anchored;
# nudges cancels the planned nudges about their steps.
register_dates_moved_handler = _dates_moved.register
# handler(learner_id, starts_at=..., ends_at=...): nudges suppresses what it planned in that time.
register_pause_handler = _paused.register


def learner_changed(learner_ids: Iterable[int], *, at: datetime.datetime | None = None) -> None:
    """These learners changed in a way that matters from `at` on (None: now, by the database's
    clock)."""
    ids = list(dict.fromkeys(learner_ids))
    if ids:
        _changed.announce(ids, at=at)


def accounts_deactivated(
    user_ids: Iterable[int], learner_ids: Iterable[int], *, now: datetime.datetime
) -> None:
    """These accounts (and their learner profiles, where they have one) were deactivated at `now`."""
    users, learners = list(dict.fromkeys(user_ids)), list(dict.fromkeys(learner_ids))
    if users:
        _deactivated.announce(users, learners, now=now)


def enrolments_withdrawn(pairs: Iterable[tuple[int, int]], *, now: datetime.datetime) -> None:
    """These (learner id, event id) enrolments were withdrawn at `now`."""
    pairs = list(dict.fromkeys(pairs))
    if pairs:
        _withdrawn.announce(pairs, now=now)


def journey_dates_moved(pairs: Iterable[tuple[int, int]], *, now: datetime.datetime) -> None:
    """These (learner id, event id) enrolments were re-anchored on a new date at `now`."""
    pairs = list(dict.fromkeys(pairs))
    if pairs:
        _dates_moved.announce(pairs, now=now)


def learner_paused(
    learner_id: int, *, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> None:
    """This learner is away from `starts_at` until `ends_at` (UTC moments of their local days)."""
    _paused.announce(learner_id, starts_at=starts_at, ends_at=ends_at)
