"""The dedupe-key grammar: each nudge's key, unique in the table, so that whichever planner (or
run) gets there first, a nudge is planned once. Every key is built here; nothing parses them.

    practice:<learner>:<local date>        practice due, at most one a day
    step:<learner>:<step>                  a journey step unlocked
    deadline:<learner>:<step>              a step due tomorrow (or today)
    reengage:<learner>:<ISO week>          a drifting learner, at most once a week
    digest:<manager learner>:<ISO week>    a manager's weekly digest about their team
    confirm:<buddy learner>:<activity>     steps wait for a buddy, up to this newest one
    celebrate:<learner>:<celebration>      a moment of glory (learning.models.Celebration)
    demo:<username>:<local date>:<window>  the demo's history (nudges.demo)

Dates and weeks are the learner's local ones.
"""

import datetime


def practice(learner_id: int, day: datetime.date) -> str:
    return f"practice:{learner_id}:{day.isoformat()}"


def step_unlocked(learner_id: int, step_id: int) -> str:
    return f"step:{learner_id}:{step_id}"


def deadline(learner_id: int, step_id: int) -> str:
    return f"deadline:{learner_id}:{step_id}"


def reengage(learner_id: int, day: datetime.date) -> str:
    return f"reengage:{learner_id}:{_iso_week(day)}"


def digest(learner_id: int, day: datetime.date) -> str:
    return f"digest:{learner_id}:{_iso_week(day)}"


def confirmation(learner_id: int, activity_id: int) -> str:
    return f"confirm:{learner_id}:{activity_id}"


def celebration(learner_id: int, celebration_id: int) -> str:
    return f"celebrate:{learner_id}:{celebration_id}"


def demo(username: str, day: datetime.date, window: str) -> str:
    return f"demo:{username}:{day.isoformat()}:{window}"


def _iso_week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
