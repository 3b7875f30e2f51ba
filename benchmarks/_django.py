"""Benchmark set-up: Django on a throwaway PostgreSQL database (Django's own test-database machinery)."""

import contextlib
import os
import time
from collections.abc import Iterator


@contextlib.contextmanager
def bench_database() -> Iterator[None]:
    """Create and migrate `test_<name>` (as the test suite does), yield, then drop it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    setup_test_environment()
    started = time.perf_counter()
    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    print(f"(database created and migrated in {time.perf_counter() - started:.1f} s)", flush=True)
    try:
        yield
    finally:
        teardown_databases(config, verbosity=0)
        # Undone, so the next benchmark of the same `make bench` can set it up again (it crashed
        # with "setup_test_environment() was already called").
        teardown_test_environment()


@contextlib.contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as t: ...` then t[0] is the elapsed seconds."""
    result: list[float] = []
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.append(time.perf_counter() - started)


def publish_modules(titles: range, tasks: list) -> list:
    """Publish one short module per number in `titles` (\"Module {i}\"), each tied to two of `tasks`,
    through Wagtail's own path (add_child, a revision, publish), as an author's would be."""
    from cms.models import MicroModule, ModuleIndexPage

    library = ModuleIndexPage.objects.get()
    modules = []
    for i in titles:
        module = MicroModule(
            title=f"Module {i}",
            summary="What you can do after.",
            body=[("text", "<p>A short explanation of the task.</p>")],
            minutes_override=1 + i % 8,
        )
        library.add_child(instance=module)
        module.job_tasks.set([tasks[i % len(tasks)], tasks[(i * 7) % len(tasks)]])
        module.save_revision().publish()
        modules.append(module)
    return modules
