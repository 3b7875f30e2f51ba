"""Predicted retention: what fsrs expects each learner to recall now and in a few days, per module.

The "knowledge map" managers coach with; read for many learners in one query.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from learning.models import Card
from learning.practice.scheduling import retrievability


class _Predicted:
    """Predicted recall now and in a week, read from `predicted` (days from now → mean
    retrievability, None when nothing was reviewed)."""

    predicted: dict[int, float | None]

    @property
    def now(self) -> float | None:
        return self.predicted.get(0)

    @property
    def in_7_days(self) -> float | None:
        return self.predicted.get(7)


@dataclass(frozen=True)
class ModuleRetention(_Predicted):
    module_id: int
    title: str
    cards: int  # active cards of this module
    reviewed: int  # of which reviewed at least once: only these have a prediction
    predicted: dict[int, float | None]


@dataclass(frozen=True)
class LearnerRetention(_Predicted):
    learner_id: int
    cards: int
    reviewed: int
    predicted: dict[int, float | None]
    modules: list[ModuleRetention]


def retention(
    learner_ids: Iterable[int], *, now: datetime.datetime, days: Sequence[int] = (0, 7)
) -> dict[int, LearnerRetention]:
    """Predicted recall (fsrs retrievability) per learner and module, now and `days` ahead.

    The mean over a learner's (or a module's) active cards that have been reviewed; cards never
    reviewed have no prediction yet and are only counted. One query for all the learners; every
    learner asked about has an entry.
    """
    learner_ids = list(dict.fromkeys(learner_ids))
    rows = (
        Card.objects.filter(learner_id__in=learner_ids, active=True)
        .order_by("learner_id", "module_id")
        .values_list("learner_id", "module_id", "module__title", "stability", "last_review")
    )
    moments = {d: now + datetime.timedelta(days=d) for d in days}
    # learner → module → [title, cards, reviewed, {day: [sum of retrievability]}]
    totals: dict[int, dict[int, list]] = defaultdict(dict)
    for learner_id, module_id, title, stability, last_review in rows:
        entry = totals[learner_id].setdefault(module_id, [title, 0, 0, dict.fromkeys(days, 0.0)])
        entry[1] += 1
        if last_review is None or stability is None:
            continue
        entry[2] += 1
        for d, moment in moments.items():
            entry[3][d] += retrievability(stability=stability, last_review=last_review, at=moment)

    def mean(sums: dict[int, float], n: int) -> dict[int, float | None]:
        return {d: (round(s / n, 3) if n else None) for d, s in sums.items()}

    result = {}
    for learner_id in learner_ids:
        modules = [
            ModuleRetention(
                module_id=module_id,
                title=title,
                cards=cards,
                reviewed=reviewed,
                predicted=mean(sums, reviewed),
            )
            for module_id, (title, cards, reviewed, sums) in totals.get(learner_id, {}).items()
        ]
        reviewed = sum(m.reviewed for m in modules)
        sums = {d: sum(totals[learner_id][m.module_id][3][d] for m in modules) for d in days}
        result[learner_id] = LearnerRetention(
            learner_id=learner_id,
            cards=sum(m.cards for m in modules),
            reviewed=reviewed,
            predicted=mean(sums, reviewed),
            modules=modules,
        )
    return result
