"""The demo that `seed_demo` loads: content and accounts an evaluator can explore. Demo only.

cms knows no learners: apps above it add their part of the demo by registering a loader at start-up
(`register_loader`), and `seed_demo` runs them after the content, in registration order.
"""

import datetime
from collections.abc import Callable

Loader = Callable[..., str]  # loader(*, now) -> one line summarising what it did
_LOADERS: list[Loader] = []


def register_loader(loader: Loader) -> None:
    if loader not in _LOADERS:
        _LOADERS.append(loader)


def run_loaders(*, now: datetime.datetime) -> list[str]:
    return [loader(now=now) for loader in _LOADERS]
