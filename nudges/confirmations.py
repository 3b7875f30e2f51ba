"""A step done that waits for a buddy: their planner looks again, so the nudge goes out in their
next window rather than at their next routine check."""

from learning.journeys.confirmations import buddies_of
from learning.models import Activity, Confirmation, Learner
from nudges.plan_data import wake_planner


def on_steps_done(activities: list[Activity]) -> None:
    """For the `step_done` rows a batch accepted (all one learner's): wake their buddies."""
    pending = [a for a in activities if a.confirmation == Confirmation.PENDING and a.step_id]
    if not pending:
        return
    buddies = buddies_of(pending[0].learner_id, {a.step_id for a in pending if a.step_id})
    if buddies:
        wake_planner(list(Learner.objects.filter(user_id__in=buddies).values_list("pk", flat=True)))
