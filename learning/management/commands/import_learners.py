"""`manage.py import_learners FILE.csv`: read the HR export and hand its rows to learning.people.hr_import."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from learning.people import hr_import


class Command(BaseCommand):
    help = (
        "Create or update learners from an HR export (CSV with the columns "
        + ", ".join(hr_import.COLUMNS)
        + "), matched by email. A row that would change a staff or superuser account, or make "
        "managers a loop, is invalid. Nothing is written if a row is invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, header on line 1).")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the invalid ones instead of importing nothing.",
        )

    def handle(self, *args, file: Path, skip_invalid: bool, **options):
        rows = read_rows(file)
        out = getattr(self.stdout, "_out", self.stdout)
        with tqdm(
            desc="Importing", unit=" records", file=out, disable=not self.stdout.isatty()
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            result = hr_import.import_people(
                rows, today=timezone.localdate(), skip_invalid=skip_invalid, progress=progress
            )
        for error in result.errors:
            self.stderr.write(str(error))
        if not result.written:
            raise CommandError(
                f"{len(result.errors)} invalid row(s) in {file}; nothing was imported. "
                "Fix them, or pass --skip-invalid to import the other rows."
            )
        summary = (
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
        if result.errors:
            summary += f", {len(result.errors)} invalid row(s) skipped"
        self.stdout.write(self.style.SUCCESS(summary))


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
            position = {name: header.index(name) for name in hr_import.COLUMNS}
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
