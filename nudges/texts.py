"""What a nudge says: short, specific, in the learner's language, with a deep link into the app.

The nudge's id is not part of the text: the sender adds it to the data payload, so the app can
report the open.
"""

import contextlib
import functools
from dataclasses import dataclass
from typing import cast

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learning.practice import budget
from nudges.models import Nudge

# Both are CharFields, so their max_length is set.
TITLE_MAX = cast(int, Nudge._meta.get_field("title").max_length)
BODY_MAX = cast(int, Nudge._meta.get_field("body").max_length)

PRACTICE_LINK = "micromoments://practice"
TODAY_LINK = "micromoments://today"
TEAM_LINK = "micromoments://team"
CONFIRMATIONS_LINK = "micromoments://confirmations"


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    deep_link: str


def _language(locale: str):
    """Translate into `locale`; a no-op when it is already active (the planner groups by locale)."""
    if locale == translation.get_language():
        return contextlib.nullcontext()
    return translation.override(locale)


def step_link(journey_id: int, step_id: int) -> str:
    return f"micromoments://journeys/{journey_id}/steps/{step_id}"


def _fit(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _text(title: str, body: str, link: str) -> Text:
    return Text(_fit(title, TITLE_MAX), _fit(body, BODY_MAX), link)


def _short(name: str, limit: int = 60) -> str:
    return _fit(name, limit)


def practice_minutes(questions: int) -> int:
    return budget.minutes_for(questions)  # the budget's half a minute a question


@functools.lru_cache(maxsize=4096)  # pure; many learners get the same words
def practice_due(*, questions: int, topic: str, other_topics: int, locale: str) -> Text:
    """ "2 questions on Refunds — 1 minute"."""
    with _language(locale):
        minutes = ngettext("%(n)d minute", "%(n)d minutes", practice_minutes(questions)) % {
            "n": practice_minutes(questions)
        }
        if other_topics:
            title = ngettext(
                "%(count)d question to practise — %(minutes)s",
                "%(count)d questions to practise — %(minutes)s",
                questions,
            ) % {"count": questions, "minutes": minutes}
            body = ngettext(
                "On %(topic)s and %(others)d more topic.",
                "On %(topic)s and %(others)d more topics.",
                other_topics,
            ) % {"topic": _short(topic), "others": other_topics}
        else:
            title = ngettext(
                "%(count)d question on %(topic)s — %(minutes)s",
                "%(count)d questions on %(topic)s — %(minutes)s",
                questions,
            ) % {"count": questions, "topic": _short(topic), "minutes": minutes}
            body = _("A quick review now keeps it fresh.")
        return _text(title, body, PRACTICE_LINK)


def _step_of(event: str, position: int, total: int) -> str:
    return _("Step %(position)d of %(total)d in %(event)s") % {
        "position": position,
        "total": total,
        "event": _short(event),
    }


@functools.lru_cache(maxsize=4096)  # pure; many learners get the same words
def step_unlocked(
    *,
    step: str,
    event: str,
    position: int,
    total: int,
    minutes: int | None,
    journey_id: int,
    step_id: int,
    locale: str,
) -> Text:
    """ "New step: Shadow a refund call" / "Step 2 of 6 in Onboarding — 3 minutes"."""
    with _language(locale):
        title = _("New step: %(step)s") % {"step": _short(step, 90)}
        body = _step_of(event, position, total)
        if minutes:
            body = _("%(where)s — %(minutes)s") % {
                "where": body,
                "minutes": ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes},
            }
        return _text(title, body, step_link(journey_id, step_id))


@functools.lru_cache(maxsize=4096)  # pure; many learners get the same words
def deadline(
    *,
    step: str,
    event: str,
    position: int,
    total: int,
    due_today: bool,
    journey_id: int,
    step_id: int,
    locale: str,
) -> Text:
    """ "Due tomorrow: Shadow a refund call" / "Step 2 of 6 in Onboarding"."""
    with _language(locale):
        values = {"step": _short(step, 90)}
        title = (
            _("Due today: %(step)s") % values if due_today else _("Due tomorrow: %(step)s") % values
        )
        return _text(title, _step_of(event, position, total), step_link(journey_id, step_id))


@functools.lru_cache(maxsize=4096)  # pure; many learners get the same words
def reengage(*, open_steps: int, event: str, journey_id: int, step_id: int, locale: str) -> Text:
    """ "Pick up where you left off" / "3 steps waiting in Onboarding"."""
    with _language(locale):
        body = ngettext(
            "%(count)d step waiting for you in %(event)s.",
            "%(count)d steps waiting for you in %(event)s.",
            open_steps,
        ) % {"count": open_steps, "event": _short(event)}
        return _text(_("Pick up where you left off"), body, step_link(journey_id, step_id))


@functools.lru_cache(maxsize=4096)  # pure; many learners get the same words
def weekly_digest(*, reports: int, drifting: int, overdue_steps: int, locale: str) -> Text:
    """ "Your team this week" / "5 people · 1 drifting · 4 steps overdue"."""
    with _language(locale):
        parts = [
            ngettext("%(n)d person", "%(n)d people", reports) % {"n": reports},
            ngettext("%(n)d drifting", "%(n)d drifting", drifting) % {"n": drifting},
            ngettext("%(n)d step overdue", "%(n)d steps overdue", overdue_steps)
            % {"n": overdue_steps},
        ]
        return _text(_("Your team this week"), " · ".join(parts), TEAM_LINK)


def confirmation_waiting(*, count: int, learner: str, step: str, locale: str) -> Text:
    """ "Sam is waiting for you" / "Confirm “Shadow a call” when you have a minute." """
    with _language(locale):
        if count == 1:
            title = _("%(name)s is waiting for you") % {"name": _short(learner, 40)}
            body = _("Confirm “%(step)s” when you have a minute.") % {"step": _short(step)}
        else:
            title = ngettext(
                "%(n)d step waits for your confirmation",
                "%(n)d steps wait for your confirmation",
                count,
            ) % {"n": count}
            body = _("The newest: %(name)s, “%(step)s”.") % {
                "name": _short(learner, 40),
                "step": _short(step),
            }
        return _text(title, body, CONFIRMATIONS_LINK)


def celebration(*, title: str, detail: str, locale: str) -> Text:
    """ "Customer support onboarding: journey complete" / "All 24 steps done." (the moment's own
    words, written when it happened)."""
    with _language(locale):
        return _text(title, detail, TODAY_LINK)
