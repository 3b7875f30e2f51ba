"""Which of a learner's free windows a nudge goes in, learned from which windows get opened.

Thompson sampling, one Beta-Bernoulli arm per window label (its local time of day, "08:00-08:40",
whatever weekdays it runs on: routines are about the hour, and pooling the weekdays learns five
times faster). A trial is a nudge sent in that window within the last LOOKBACK_DAYS; a success is
one that was opened. A nudge sent less than OPEN_GRACE ago and not yet opened is no trial yet:
unopened for ten minutes is not ignored.

The prior comes from the whole population, so a new learner starts from what works for everyone:

    overall  = (opened + 1) / (sent + 2)                         over all labels
    rate(w)  = (opened(w) + S · overall) / (sent(w) + S)        shrunk towards overall
    prior(w) = Beta(1 + S · rate(w), 1 + S · (1 − rate(w)))
    learner's posterior(w) = Beta(α₀ + opened by them in w, β₀ + ignored by them in w)

S (NUDGES_BANDIT_PRIOR_STRENGTH, default 10) is how many of the learner's own nudges the
population's view is worth. The population figures come from one grouped query, made once per
planning run; the learner figures from one grouped query per chunk. To choose, draw one sample from
each candidate window's posterior and take the largest (ties: the earlier window). Seed the
random.Random for repeatable choices in tests.
"""

import datetime
import functools
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q

from nudges.lookups import AnyOf
from nudges.models import Nudge
from nudges.windows import Slot

LOOKBACK_DAYS = 90
OPEN_GRACE = datetime.timedelta(hours=12)


@dataclass(frozen=True)
class Arm:
    sent: int = 0
    opened: int = 0


@dataclass(frozen=True)
class PopulationPrior:  # not slotted: `overall` is cached on the instance
    by_label: dict[str, Arm]
    strength: float

    @functools.cached_property
    def overall(self) -> float:
        sent = sum(a.sent for a in self.by_label.values())
        opened = sum(a.opened for a in self.by_label.values())
        return (opened + 1) / (sent + 2)

    def beta(self, label: str) -> tuple[float, float]:
        arm, overall = self.by_label.get(label, Arm()), self.overall
        rate = (arm.opened + self.strength * overall) / (arm.sent + self.strength)
        return 1 + self.strength * rate, 1 + self.strength * (1 - rate)


def _trials(now: datetime.datetime):
    """Sent nudges in a window that count as trials at `now`."""
    return (
        Nudge.objects.filter(
            state=Nudge.State.SENT,
            sent_at__gte=now - datetime.timedelta(days=LOOKBACK_DAYS),
        )
        .exclude(window="")
        .filter(Q(opened_at__isnull=False) | Q(sent_at__lte=now - OPEN_GRACE))
    )


_COUNTS = {"sent": Count("pk"), "opened": Count("pk", filter=Q(opened_at__isnull=False))}


def population_prior(*, now: datetime.datetime) -> PopulationPrior:
    """Everyone's open rate per window label (one grouped query)."""
    rows = _trials(now).values("window").annotate(**_COUNTS).order_by()
    return PopulationPrior(
        by_label={r["window"]: Arm(r["sent"], r["opened"]) for r in rows},
        strength=float(settings.NUDGES_BANDIT_PRIOR_STRENGTH),
    )


def learner_arms(
    learner_ids: Iterable[int], *, now: datetime.datetime
) -> dict[int, dict[str, Arm]]:
    """Each learner's own trials per window label (one grouped query)."""
    rows = (
        _trials(now)
        .filter(AnyOf(F("learner_id"), list(learner_ids)))
        .values("learner_id", "window")
        .annotate(**_COUNTS)
        .order_by()
        .values_list("learner_id", "window", "sent", "opened")
    )
    arms: dict[int, dict[str, Arm]] = defaultdict(dict)
    for learner_id, window, sent, opened in rows:
        arms[learner_id][window] = Arm(sent, opened)
    return arms


@dataclass
class WindowChooser:
    prior: PopulationPrior
    arms: dict[int, dict[str, Arm]]
    rng: random.Random = field(default_factory=random.Random)
    _prior_betas: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)

    def posterior(self, learner_id: int, label: str) -> tuple[float, float]:
        alpha, beta = self._prior_beta(label)
        own = self.arms.get(learner_id, {}).get(label)
        if own is None:
            return alpha, beta
        return alpha + own.opened, beta + (own.sent - own.opened)

    def _prior_beta(self, label: str) -> tuple[float, float]:
        if label not in self._prior_betas:
            self._prior_betas[label] = self.prior.beta(label)
        return self._prior_betas[label]

    def choose(self, learner_id: int, slots: Sequence[Slot]) -> Slot:
        """Thompson sampling: the slot whose window's sampled open rate is highest."""
        best, best_draw = slots[0], -1.0
        for slot in slots:
            draw = self.rng.betavariate(*self.posterior(learner_id, slot.label))
            if draw > best_draw:
                best, best_draw = slot, draw
        return best
