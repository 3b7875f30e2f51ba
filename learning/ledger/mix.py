"""The 70:20:10 mix: how a learner's (or a team's) learning splits across experience, social and formal.

A description beside the 70/20/10 reference shape, never a quota to hit.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Sum

from learning.models import Activity, Category

REFERENCE = {Category.EXPERIENCE: 0.70, Category.SOCIAL: 0.20, Category.FORMAL: 0.10}


@dataclass(frozen=True)
class Share:
    category: str
    minutes: int
    count: int
    share: float  # of all counted minutes, 0..1
    reference: float  # the 70/20/10 shape, for comparison only


@dataclass(frozen=True)
class Mix:
    minutes: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes.values())

    @property
    def shares(self) -> list[Share]:
        total = self.total_minutes
        return [
            Share(
                category=category.value,
                minutes=self.minutes.get(category, 0),
                count=self.counts.get(category, 0),
                share=round(self.minutes.get(category, 0) / total, 3) if total else 0.0,
                reference=REFERENCE[category],
            )
            for category in (Category.EXPERIENCE, Category.SOCIAL, Category.FORMAL)
        ]


def mixes_for(learner_ids: list[int]) -> dict[int, Mix]:
    """Each learner's mix, in one grouped query whatever the number of learners or activities."""
    rows = (
        Activity.objects.counted()
        .filter(learner_id__in=learner_ids)
        .values("learner_id", "category")
        .annotate(minutes=Sum("minutes"), count=Count("pk"))
        .order_by()
    )
    minutes: dict[int, dict[str, int]] = {pk: {} for pk in learner_ids}
    counts: dict[int, dict[str, int]] = {pk: {} for pk in learner_ids}
    for row in rows:
        minutes[row["learner_id"]][row["category"]] = row["minutes"] or 0
        counts[row["learner_id"]][row["category"]] = row["count"]
    return {pk: Mix(minutes=minutes[pk], counts=counts[pk]) for pk in learner_ids}
