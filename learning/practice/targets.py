"""What an event's target retention costs its learners a day, for the author choosing it.

The event's practice is the questions of its steps' live modules, met over the days its module
steps span; the scheduler is the one in force for the event (its own fitted set, else the
workforce's, else fsrs's defaults). learning.practice.budget simulates each target with
fsrs-rs-python and suggests the highest within the organisation's daily budget; fsrs's own
`optimal_retention` (the least practice per question remembered) is shown beside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import fsrs_rs_python as fsrs_rs

from cms.models import ChangeEvent
from learning.practice import budget, calibration
from learning.practice.cards import questions_of
from learning.practice.fitting import DEFAULT_PARAMETERS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TargetCosts:
    questions: int
    learn_days: int
    budget_minutes: int
    fitted: bool  # a fitted set schedules this event, not fsrs's defaults
    costs: list[budget.Cost]
    suggested: float | None
    most_efficient: float | None


def target_costs(event: ChangeEvent) -> TargetCosts:
    """For a saved or unsaved event (its steps as the editor holds them)."""
    steps = [s for s in event.steps.all() if s.module_id is not None]
    modules = {s.module_id: s.module for s in steps if s.module is not None and s.module.live}
    questions = sum(len(questions_of(m)) for m in modules.values())
    offsets = [s.day_offset for s in steps if s.module_id in modules]
    learn_days = (max(offsets) - min(offsets) + 1) if offsets else 1
    parameters = calibration.parameters_of(calibration.in_force(event.pk))
    minutes = budget.daily_minutes()
    found = budget.costs(
        questions=questions, learn_days=learn_days, parameters=parameters, budget_minutes=minutes
    )
    return TargetCosts(
        questions=questions,
        learn_days=learn_days,
        budget_minutes=minutes,
        fitted=parameters is not None,
        costs=found,
        suggested=budget.suggested(found),
        most_efficient=_most_efficient(questions, learn_days, parameters) if questions else None,
    )


def _most_efficient(questions: int, learn_days: int, parameters) -> float | None:
    config = budget.simulator_config(questions=questions, learn_days=learn_days)
    w = list(parameters) if parameters is not None else list(DEFAULT_PARAMETERS)
    try:
        return round(fsrs_rs.optimal_retention(config, w), 2)
    except (ValueError, RuntimeError):  # fsrs-rs refuses a configuration it cannot search
        logger.warning("optimal_retention failed for %d questions", questions, exc_info=True)
        return None
