"""Version counters the database keeps itself, for caches keyed on them.

A cached view of a learner is keyed on two numbers read with the request's token: the published
content's version (one row, `ContentVersion`) and the learner's own (`Learner.view_version`).
Triggers move them on every write to a table the views read, whatever writes it: the ORM, a bulk
update, a raw statement, a migration. No code path can forget to announce a change, and the cache
needs no messages between processes (any cache backend is correct, a per-process one too).

PostgreSQL runs statement-level triggers (once per statement, the changed rows in transition
tables; the owners' rows are locked in id order so two writers cannot deadlock on them); SQLite,
which has only row-level triggers, bumps per row.

The triggers are (re)installed after every `migrate` (`install`, from the apps' ready()), for the
tables the models name then: a new table is covered without a migration, and SQLite's table
rebuilds (which drop a table's triggers) cannot lose them.
"""

# ruff: noqa: S608 -- DDL built from the models' own table and column names, never from input

from collections.abc import Callable, Sequence

from django.db import connection, transaction

Statements = tuple[list[str], list[str]]  # (create, drop)

CONTENT_TABLE = "cms_contentversion"


_CONTENT_BUMP = (
    f'INSERT INTO "{CONTENT_TABLE}" ("id", "version") VALUES (1, 1) '
    f'ON CONFLICT ("id") DO UPDATE SET "version" = "{CONTENT_TABLE}"."version" + 1'
)


def _bump_ids(owners: str, version: str) -> str:
    """PL/pgSQL: bump the owners in the array `ids`, locked in id order first."""
    return (
        "IF ids IS NOT NULL THEN "
        f'PERFORM 1 FROM "{owners}" WHERE "id" = ANY(ids) ORDER BY "id" FOR NO KEY UPDATE; '
        f'UPDATE "{owners}" SET "{version}" = "{version}" + 1 WHERE "id" = ANY(ids); '
        "END IF;"
    )


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def content_triggers(vendor: str, table: str) -> Statements:
    """(create, drop) statements: any write to `table` moves the content version."""
    name = f"{table}_content_changed"
    if vendor == "postgresql":
        return (
            [
                f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION cms_content_changed()"
            ],
            [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"'],
        )
    events = ("INSERT", "UPDATE", "DELETE")
    return (
        [
            f'CREATE TRIGGER "{name}_{event.lower()}" AFTER {event} ON "{table}" BEGIN {_CONTENT_BUMP}; END'
            for event in events
        ],
        [f'DROP TRIGGER IF EXISTS "{name}_{event.lower()}"' for event in events],
    )


def content_function(vendor: str) -> Statements:
    if vendor != "postgresql":
        return [], []
    return (
        [
            "CREATE OR REPLACE FUNCTION cms_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_CONTENT_BUMP}; RETURN NULL; END $$"
        ],
        ["DROP FUNCTION IF EXISTS cms_content_changed()"],
    )


def owner_function(vendor: str, *, column: str, owners: str, version: str) -> Statements:
    """PostgreSQL's function for `owned_triggers`: bump the owners (`column`) of the changed rows."""
    if vendor != "postgresql":
        return [], []

    def owners_in(*tables: str) -> str:
        rows = " UNION ".join(f'SELECT "{column}" FROM {table}' for table in tables)
        return f"SELECT array_agg(DISTINCT c) INTO ids FROM ({rows}) AS changed (c);"

    return (
        [
            f"CREATE OR REPLACE FUNCTION {_owner_function(column, owners, version)}() "
            "RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE ids bigint[]; BEGIN "
            f"IF TG_OP = 'INSERT' THEN {owners_in('new_rows')} "
            f"ELSIF TG_OP = 'DELETE' THEN {owners_in('old_rows')} "
            f"ELSE {owners_in('new_rows', 'old_rows')} END IF; "
            f"{_bump_ids(owners, version)} RETURN NULL; END $$"
        ],
        [f"DROP FUNCTION IF EXISTS {_owner_function(column, owners, version)}()"],
    )


def _owner_function(column: str, owners: str, version: str) -> str:
    return f"{owners}_{version}_by_{column}"


def owned_triggers(
    vendor: str, table: str, *, column: str, owners: str, version: str
) -> Statements:
    """(create, drop): a write to a row of `table` bumps `owners.version` of the row's owner (its
    `column`), before and after an update."""
    name = f"{table}_{version}"
    bump = f'UPDATE "{owners}" SET "{version}" = "{version}" + 1 WHERE "id" = '
    if vendor == "postgresql":
        function = _owner_function(column, owners, version)
        referencing = {
            "INSERT": "NEW TABLE AS new_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
        }
        return (
            [
                f'CREATE TRIGGER "{name}_{event.lower()}" AFTER {event} ON "{table}" '
                f"REFERENCING {rows} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                for event, rows in referencing.items()
            ],
            [
                f'DROP TRIGGER IF EXISTS "{name}_{event.lower()}" ON "{table}"'
                for event in referencing
            ],
        )
    bodies = {
        "INSERT": f'{bump}NEW."{column}";',
        "UPDATE": f'{bump}NEW."{column}"; {bump}OLD."{column}" AND OLD."{column}" IS NOT NEW."{column}";',
        "DELETE": f'{bump}OLD."{column}";',
    }
    return (
        [
            f'CREATE TRIGGER "{name}_{event.lower()}" AFTER {event} ON "{table}" BEGIN {body} END'
            for event, body in bodies.items()
        ],
        [f'DROP TRIGGER IF EXISTS "{name}_{event.lower()}"' for event in bodies],
    )


def own_row_triggers(
    vendor: str, table: str, *, version: str, columns: Sequence[str], ignored: Sequence[str]
) -> Statements:
    """(create, drop): an update of a row of `table` that changes anything but `ignored` columns
    (and the version) bumps its version. `columns` are the watched ones, for SQLite, which cannot
    compare whole rows; PostgreSQL compares every column but the ignored, so a column added later
    is watched too."""
    name = f"{table}_{version}_row"
    if vendor == "postgresql":
        minus = "".join(f" - '{column}'" for column in [*ignored, version])
        return (
            [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF to_jsonb(NEW){minus} IS DISTINCT FROM to_jsonb(OLD){minus} THEN "
                f'NEW."{version}" := OLD."{version}" + 1; END IF; RETURN NEW; END $$',
                f'CREATE TRIGGER "{name}" BEFORE UPDATE ON "{table}" FOR EACH ROW '
                f"EXECUTE FUNCTION {name}()",
            ],
            [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', f"DROP FUNCTION IF EXISTS {name}()"],
        )
    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in columns)
    return (
        [
            f'CREATE TRIGGER "{name}" AFTER UPDATE OF {_quoted(columns)} ON "{table}" '
            f'WHEN ({changed}) AND OLD."{version}" IS NEW."{version}" BEGIN '
            f'UPDATE "{table}" SET "{version}" = "{version}" + 1 WHERE "id" = NEW."id"; END'
        ],
        [f'DROP TRIGGER IF EXISTS "{name}"'],
    )


def related_triggers(
    vendor: str,
    table: str,
    *,
    columns: Sequence[str],
    owners: str,
    version: str,
    owners_of: str,
) -> Statements:
    """(create, drop): an update of `columns` of a row of `table` (a person's name) bumps the
    owners `owners_of` selects (SQL with one placeholder, `{id}`, for the row's id)."""
    name = f"{table}_{owners}_{version}"
    if vendor == "postgresql":
        differs = f"({_row('n', columns)}) IS DISTINCT FROM ({_row('o', columns)})"
        selected = owners_of.format(id="n.id")
        ids = (
            f"SELECT array_agg(DISTINCT owner) FROM new_rows n JOIN old_rows o ON o.id = n.id, "
            f"LATERAL ({selected}) AS owned (owner) WHERE {differs}"
        )
        return (
            [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"DECLARE ids bigint[]; BEGIN {ids} INTO ids; "
                f"{_bump_ids(owners, version)} RETURN NULL; END $$",
                f'CREATE TRIGGER "{name}" AFTER UPDATE ON "{table}" '
                "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ],
            [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', f"DROP FUNCTION IF EXISTS {name}()"],
        )
    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in columns)
    return (
        [
            f'CREATE TRIGGER "{name}" AFTER UPDATE OF {_quoted(columns)} ON "{table}" '
            f'WHEN {changed} BEGIN UPDATE "{owners}" SET "{version}" = "{version}" + 1 '
            f'WHERE "id" IN ({owners_of.format(id="NEW.id")}); END'
        ],
        [f'DROP TRIGGER IF EXISTS "{name}"'],
    )


def _row(alias: str, columns: Sequence[str]) -> str:
    return ", ".join(f'{alias}."{column}"' for column in columns)


def install(*sets: Callable[[str], Statements]) -> None:
    """Drop and create these sets of triggers again, in one transaction."""
    made = [statements(connection.vendor) for statements in sets]
    with transaction.atomic(), connection.cursor() as cursor:
        for _, drop in made:
            for statement in drop:
                cursor.execute(statement)
        for create, _ in made:
            for statement in create:
                cursor.execute(statement)


def content_statements(vendor: str) -> Statements:
    """The triggers on every table of published content: Wagtail's pages and cms's own, but the
    authors' search misses (written by learners' searches) and the version itself."""
    from django.apps import apps
    from wagtail.models import Page

    from cms.models import ContentVersion, SearchMiss

    tables = [Page._meta.db_table] + [
        model._meta.db_table
        for model in apps.get_app_config("cms").get_models(include_auto_created=True)
        if model not in (ContentVersion, SearchMiss)
    ]
    create, drop = content_function(vendor)
    for table in tables:
        more, less = content_triggers(vendor, table)
        create, drop = create + more, less + drop
    return create, drop


# Set on a user by the API's token read (backend.token_read), which reads it in the same statement.
_CONTENT_VERSION = "_micromoments_content_version"


def remember_content_version(user, version: int | None) -> None:
    setattr(user, _CONTENT_VERSION, version or 0)


def content_version(user) -> int:
    """The published content's version as this request's token read saw it (else read now)."""
    known = getattr(user, _CONTENT_VERSION, None)
    if known is not None:
        return known
    from cms.models import ContentVersion

    version = ContentVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    remember_content_version(user, version)
    return version or 0


def content_version_sql() -> str:
    """The version as a scalar subquery, for a statement that reads it beside other things."""
    return f'(SELECT "version" FROM "{CONTENT_TABLE}" WHERE "id" = 1)'
