"""`manage.py import_learners` on a 100,000-row HR export: a first import (everyone new), the same file
again (everyone unchanged), and a file where everyone moved team (everyone updated).

Every tenth person manages the nine before them and appears after their reports in the file, and a
live event for one role makes the import enrol people as it would in production.
"""

import csv
import io
import tempfile
from pathlib import Path

from benchmarks._django import bench_database, timed

ROWS = 100_000
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore", "UTC"]
ROLES = ["Support agent", "Sales rep", "Engineer", "Team lead"]


def write_export(path: Path, *, team_suffix: str = "") -> None:
    from learning.people.hr_import import COLUMNS  # after django.setup()

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for i in range(ROWS):
            lead = i % 10 == 9
            writer.writerow(
                [
                    f"Person.{i}@Example.com",
                    "Person",
                    str(i),
                    "Team lead" if lead else ROLES[i % 3],
                    f"Team {i // 10}{team_suffix}",
                    "" if lead else f"person.{i - i % 10 + 9}@example.com",
                    f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    ZONES[i % len(ZONES)],
                ]
            )


def run(path: Path, label: str) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    with timed() as t:
        call_command("import_learners", str(path), stdout=out, stderr=out)
    seconds = t[0]
    print(
        f"{label:<28} {ROWS:,} rows in {seconds:6.2f} s = {ROWS / seconds:9,.0f} rows/s"
        f"   ({out.getvalue().strip()})",
        flush=True,
    )


def main() -> None:
    with bench_database(), tempfile.TemporaryDirectory() as tmp:
        from django.utils import timezone

        from cms.models import ChangeEvent, EventAudience
        from learning.models import Enrollment, Learner

        # Live without the publish signal: the benchmark measures the import, not a Celery round trip.
        event = ChangeEvent.objects.create(
            name="Refunds 2.0", kind="product_launch", date=timezone.localdate(), live=True
        )
        EventAudience.objects.create(event=event, role="Support agent")

        first, moved = Path(tmp) / "people.csv", Path(tmp) / "people-moved.csv"
        with timed() as t:
            write_export(first)
            write_export(moved, team_suffix=" (new)")
        print(f"(two {ROWS:,}-row files written in {t[0]:.1f} s)", flush=True)

        run(first, "first import (all new)")
        run(first, "same file (all unchanged)")
        run(moved, "everyone moved (all updated)")
        print(
            f"learners: {Learner.objects.count():,}, enrolled in the launch: "
            f"{Enrollment.objects.filter(event=event).count():,}",
            flush=True,
        )


if __name__ == "__main__":
    main()
