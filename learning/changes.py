"""Learners changed (new steps, a card falling due), accounts deactivated: the apps above learning
may want to know.

learning knows no nudges; nudges registers its planner's wake-up here at start-up, as it registers
its handlers for ledger rows with `learning.ledger.events.register_handler`.
"""

import datetime
from collections.abc import Callable, Iterable

# handler(learner_ids, at=...): `at` is when the change starts to matter, None for now.
Handler = Callable[..., None]
_HANDLERS: list[Handler] = []


def register_handler(handler: Handler) -> None:
    """Call `handler(learner_ids, at=...)` on every change; meant for AppConfig.ready()."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


def learner_changed(learner_ids: Iterable[int], *, at: datetime.datetime | None = None) -> None:
    """These learners changed in a way that matters from `at` on (None: now, by the database's
    clock). Runs in the caller's transaction."""
    ids = list(dict.fromkeys(learner_ids))
    if ids:
        for handler in _HANDLERS:
            handler(ids, at=at)


# handler(user_ids, learner_ids, now=...): accounts just deactivated, in the caller's transaction.
_DEACTIVATION_HANDLERS: list[Handler] = []


def register_deactivation_handler(handler: Handler) -> None:
    """Call `handler(user_ids, learner_ids, now=...)` whenever accounts are deactivated (nudges turns
    their devices off and suppresses their planned nudges); meant for AppConfig.ready()."""
    if handler not in _DEACTIVATION_HANDLERS:
        _DEACTIVATION_HANDLERS.append(handler)


def accounts_deactivated(
    user_ids: Iterable[int], learner_ids: Iterable[int], *, now: datetime.datetime
) -> None:
    """These accounts (and their learner profiles, where they have one) were deactivated at `now`."""
    users, learners = list(dict.fromkeys(user_ids)), list(dict.fromkeys(learner_ids))
    if users:
        for handler in _DEACTIVATION_HANDLERS:
            handler(users, learners, now=now)


# handler(pairs, now=...): (learner id, event id) enrolments just withdrawn, in the caller's transaction.
_WITHDRAWAL_HANDLERS: list[Handler] = []


def register_withdrawal_handler(handler: Handler) -> None:
    """Call `handler(pairs, now=...)` whenever enrolments are withdrawn (nudges suppresses the
    planned nudges about their steps); meant for AppConfig.ready()."""
    if handler not in _WITHDRAWAL_HANDLERS:
        _WITHDRAWAL_HANDLERS.append(handler)


def enrolments_withdrawn(pairs: Iterable[tuple[int, int]], *, now: datetime.datetime) -> None:
    """These (learner id, event id) enrolments were withdrawn at `now`."""
    pairs = list(dict.fromkeys(pairs))
    if pairs:
        for handler in _WITHDRAWAL_HANDLERS:
            handler(pairs, now=now)


# handler(pairs, now=...): (learner id, event id) enrolments whose step dates just moved.
_DATES_MOVED_HANDLERS: list[Handler] = []


def register_dates_moved_handler(handler: Handler) -> None:
    """Call `handler(pairs, now=...)` whenever a live event's new date moves enrolments (nudges
    cancels the planned nudges about their steps); meant for AppConfig.ready()."""
    if handler not in _DATES_MOVED_HANDLERS:
        _DATES_MOVED_HANDLERS.append(handler)


def journey_dates_moved(pairs: Iterable[tuple[int, int]], *, now: datetime.datetime) -> None:
    """These (learner id, event id) enrolments were re-anchored on a new date at `now`."""
    pairs = list(dict.fromkeys(pairs))
    if pairs:
        for handler in _DATES_MOVED_HANDLERS:
            handler(pairs, now=now)


# handler(learner_id, starts_at=..., ends_at=...): a pause was set, in the caller's transaction.
_PAUSE_HANDLERS: list[Handler] = []


def register_pause_handler(handler: Handler) -> None:
    """Call `handler(learner_id, starts_at=..., ends_at=...)` whenever a learner is paused (nudges
    suppresses what it planned for them in that time); meant for AppConfig.ready()."""
    if handler not in _PAUSE_HANDLERS:
        _PAUSE_HANDLERS.append(handler)


def learner_paused(
    learner_id: int, *, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> None:
    """This learner is away from `starts_at` until `ends_at` (UTC moments of their local days)."""
    for handler in _PAUSE_HANDLERS:
        handler(learner_id, starts_at=starts_at, ends_at=ends_at)
