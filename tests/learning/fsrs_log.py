"""A review log generated from memory that follows FSRS with known parameters (not the defaults).

Each card is studied once, then reviewed when a scheduler running on fsrs's default parameters
(as the product schedules before its first fit) says; whether it is recalled is drawn from the
true parameters' forgetting curve. A fit of this log should find parameters that predict held-out
reviews better than the defaults do.
"""

import datetime
import random

import fsrs_rs_python as fsrs_rs

from learning.practice.fitting import DEFAULT_PARAMETERS, History, retrievability

# fsrs's defaults with memory that fades faster at first, grows less with each recall and forgets
# along another curve: people for whom the defaults promise too much.
TRUE_PARAMETERS = list(DEFAULT_PARAMETERS)
TRUE_PARAMETERS[0:4] = [0.1, 0.4, 0.9, 3.0]  # initial stability by first rating
TRUE_PARAMETERS[8] = 1.2  # how much a recall grows stability
TRUE_PARAMETERS[20] = 0.4  # the forgetting curve's decay
START = datetime.date(2026, 1, 5)


def generated_histories(
    *, cards: int, days: int, seed: int, parameters=TRUE_PARAMETERS, retention: float = 0.9
) -> list[History]:
    rng = random.Random(seed)
    truth, schedule = fsrs_rs.FSRS(list(parameters)), fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    histories = []
    for _ in range(cards):
        day = rng.randrange(days // 2)
        rating = rng.choices([1, 2, 3, 4], weights=[2, 2, 5, 1])[0]
        true_state = getattr(truth.next_states(None, retention, 0), _NAMES[rating]).memory
        planned = getattr(schedule.next_states(None, retention, 0), _NAMES[rating])
        reviews = [(START + datetime.timedelta(days=day), rating)]
        while True:
            interval = max(1, round(planned.interval * rng.uniform(0.8, 1.2)))
            if day + interval >= days:
                break
            day += interval
            p = retrievability(parameters, stability=true_state.stability, days=interval)
            rating = rng.choices([2, 3, 4], weights=[1, 6, 1])[0] if rng.random() < p else 1
            reviews.append((START + datetime.timedelta(days=day), rating))
            true_state = getattr(
                truth.next_states(true_state, retention, interval), _NAMES[rating]
            ).memory
            planned = getattr(
                schedule.next_states(planned.memory, retention, interval), _NAMES[rating]
            )
        histories.append(History(reviews=tuple(reviews)))
    return histories


_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}
