"""`manage.py import_learners FILE.csv`: read the HR export and hand its rows to learning.people.hr_import.

Then, with --invite, invite the people it created (learning.people.invitations).
"""

import csv
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from learning.people import hr_import


class Command(BaseCommand):
    help = (
        "Create or update learners from an HR export (CSV with the columns "
        + ", ".join(hr_import.COLUMNS)
        + "; optionally active: true/false, yes/no, 1/0, and buddy_email: who confirms a "
        "newcomer's buddy steps), matched by email. A row that would "
        "change a staff or superuser account, or make managers a loop, is invalid. Nothing is "
        "written if a row is invalid, unless --skip-invalid. See docs/hr-sync.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, header on line 1).")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the invalid ones instead of importing nothing.",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file is the whole workforce: active learners missing from it are "
            "deactivated (never staff or superusers, nor managers the file names).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what the import would do, who would be deactivated included; write nothing.",
        )
        parser.add_argument(
            "--allow-mass-deactivation",
            action="store_true",
            help="Deactivate even when more than HR_MAX_DEACTIVATE_SHARE of the active learners "
            "would go (refused otherwise, so a truncated export cannot empty the company).",
        )
        parser.add_argument(
            "--invite",
            action="store_true",
            help="After the import, email each person it created an invitation to set a password.",
        )

    def handle(
        self,
        *args,
        file: Path,
        skip_invalid: bool,
        full: bool = False,
        dry_run: bool = False,
        allow_mass_deactivation: bool = False,
        invite: bool = False,
        **options,
    ):
        rows = read_rows(file)
        now = timezone.now()
        out = getattr(self.stdout, "_out", self.stdout)
        with tqdm(
            desc="Importing", unit=" records", file=out, disable=not self.stdout.isatty()
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            result = hr_import.import_people(
                rows,
                now=now,
                today=timezone.localdate(now),
                skip_invalid=skip_invalid,
                full=full,
                dry_run=dry_run,
                allow_mass_deactivation=allow_mass_deactivation,
                progress=progress,
            )
        for error in result.errors:
            self.stderr.write(str(error))
        if result.refused:
            if dry_run:
                self._people("Would deactivate", result.deactivated)
            raise CommandError(
                f"{result.refused} Nothing was imported. If they really all left, pass "
                "--allow-mass-deactivation."
            )
        if result.errors and not skip_invalid:
            raise CommandError(
                f"{len(result.errors)} invalid row(s) in {file}; nothing was imported. "
                "Fix them, or pass --skip-invalid to import the other rows."
            )
        would = "Would deactivate" if dry_run else "Deactivated"
        self._people(would, result.deactivated)
        self._people("Would reactivate" if dry_run else "Reactivated", result.reactivated)
        summary = (
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
        if result.deactivated or result.reactivated or full:
            summary += (
                f", {len(result.deactivated)} deactivated, {len(result.reactivated)} reactivated"
            )
        if result.withdrawn:
            summary += f", {result.withdrawn} enrolment(s) withdrawn"
        if result.buddies_set:
            summary += f", {result.buddies_set} onboarding buddy(ies) set"
        if result.errors:
            summary += f", {len(result.errors)} invalid row(s) skipped"
        if dry_run:
            self.stdout.write(f"Dry run, nothing was written. The import would do: {summary}")
            if invite:
                self.stdout.write(f"and invite the {result.created} new people it creates.")
            return
        self.stdout.write(self.style.SUCCESS(summary))
        if invite:
            self._invite(result.new_user_ids, now=now)

    def _people(self, verb: str, people: list[hr_import.Person]) -> None:
        for person in people:
            where = f"line {person.line}" if person.line else "missing from the file"
            self.stdout.write(f"{verb}: {person.email} ({where})")

    def _invite(self, user_ids: list[int], *, now) -> None:
        from learning.people.invitations import send_invitations

        users = get_user_model().objects.filter(pk__in=user_ids).order_by("pk")
        report = send_invitations(users, now=now)
        for user, reason in report.skipped:
            self.stderr.write(f"Not invited: {user.email or user.get_username()} ({reason})")
        self.stdout.write(
            self.style.SUCCESS(
                f"Invitations: {len(report.sent)} sent, {len(report.skipped)} skipped"
            )
        )


def read_rows(path: Path) -> list[hr_import.PersonRow]:
    """The file's records as rows, each with the line it starts on (the header is line 1)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [name.strip().lower() for name in next(reader, [])]
            if not any(header):
                raise CommandError(f"{path} is empty: expected a header line on line 1.")
            if missing := hr_import.missing_columns(header):
                raise CommandError(f"{path}: missing column(s): {', '.join(missing)}")
            twice = sorted({name for name in header if name and header.count(name) > 1})
            if twice:
                raise CommandError(f"{path}: column(s) appear twice: {', '.join(twice)}")
            position = {
                name: header.index(name)
                for name in (*hr_import.COLUMNS, *hr_import.OPTIONAL_COLUMNS)
                if name in header
            }
            rows = []
            line = reader.line_num + 1
            for record in reader:
                # A quoted value may span lines: a record starts where the previous one ended.
                start, line = line, reader.line_num + 1
                if not any(cell.strip() for cell in record):
                    continue
                problem = ""
                if len(record) != len(header):
                    problem = f"expected {len(header)} fields, found {len(record)}"
                    record = record + [""] * (len(header) - len(record))
                values = {name: record[i] for name, i in position.items()}
                rows.append(hr_import.PersonRow(line=start, parse_error=problem, **values))
            return rows
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text ({error.reason}).") from None
    except csv.Error as error:
        raise CommandError(f"{path}, line {reader.line_num}: {error}") from None
