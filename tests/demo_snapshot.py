"""seed_demo run once per test run: its rows are kept and copied into each test that wants the demo.

A real `seed_demo` on a freshly migrated database costs ~10-20 s; a copy of what it left costs well
under a second, so the tests that need the demo load the copy, and only the idempotence checks (the
second run over a seeded database) run the command itself.
"""

import io
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

FORCE = "--i-know-this-creates-known-passwords"


@dataclass(frozen=True)
class Snapshot:
    output: str  # what the first seed_demo printed
    tables: dict[str, bytes]  # every table's rows after it, as COPY writes them


class _Discard(Exception):
    pass


_snapshot: Snapshot | None = None


def _tables() -> list[str]:
    # Every table of the schema, not only Django's models: the search index and m2m tables too.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'django_migrations' ORDER BY tablename"
        )
        return [name for (name,) in cursor.fetchall()]


def _take() -> Snapshot:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from cms.models import ModuleIndexPage

    # A copy taken on other rows would hand them to every test that loads it.
    if not ModuleIndexPage.objects.exists() or get_user_model().objects.exists():
        raise RuntimeError(
            "The demo snapshot is taken on the database as migrations leave it, before any test's "
            "rows (a flushed --reuse-db database lacks them: run with --create-db)."
        )
    out = io.StringIO()
    tables: dict[str, bytes] = {}
    # Its own cache namespace, as every test has (tests/conftest.py): nothing it caches outlives it.
    caches = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "test-demo-snapshot"}}
    try:
        with override_settings(CACHES=caches), transaction.atomic():
            call_command("seed_demo", FORCE, stdout=out)
            with connection.cursor() as cursor:
                for table in _tables():
                    buffer = bytearray()
                    with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                        for chunk in copy:
                            buffer += chunk
                    # Empty tables are only emptied when loading.
                    tables[table] = bytes(buffer) if cursor.rowcount else b""
            # Rolled back: the database stays as migrations left it, for every other test.
            raise _Discard
    except _Discard:
        pass
    return Snapshot(output=out.getvalue(), tables=tables)


def snapshot() -> Snapshot:
    """The demo as seed_demo leaves it on a migrated database, taken the first time it is asked for.

    Taken inside the asking test (after its set-up, so after serialized_rollback's restore in a
    transactional one), in a transaction rolled back after.
    """
    global _snapshot
    if _snapshot is None:
        _snapshot = _take()
    return _snapshot


def load_demo() -> str:
    """Make the database hold exactly what seed_demo leaves on a migrated one; returns its output.

    Inside a test's transaction the copy is rolled back with the test; in a transactional test
    (live_server) it is committed, and the test's flush removes it as it would seed_demo's rows.
    Sequences are not touched: they are past every id in the copy already (the seed drew them).
    """
    taken = snapshot()
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are checked at the end of the transaction, whatever order the tables load in.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Nor do triggers run: the copy holds the version counters as seed_demo left them
        # (cms.versions), which a trigger would move while the copy lands.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in taken.tables))
        for table, rows in taken.tables.items():
            if rows:
                with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(rows)
    return taken.output
