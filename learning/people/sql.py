"""Where the HR import depends on the database: finding the file's accounts and updating rows in
bulk, each one statement on PostgreSQL and Django's portable form on the quick-start's SQLite.
"""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q
from django.db.models.functions import Lower


class _AnyOf(Func):
    """`expression = ANY(%s)`, the values one array parameter (PostgreSQL).

    `__in` renders a placeholder per value, and psycopg's client-side binding parses every one of
    them: seconds for the 100,000 emails of a large export, against milliseconds for one array.
    """

    output_field = BooleanField()

    def __init__(self, expression, values: list[str]):
        super().__init__(expression)
        self.values = values

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{sql} = ANY(%s)", (*params, self.values)


def email_or_username_in(keys: list[str]) -> list[Q]:
    """Conditions on users annotated with `email_key=Lower("email")` that together match those
    whose lower-cased email or username is one of `keys`: one query per condition.

    One condition on PostgreSQL (an array parameter each); one per `max_query_params` keys where a
    database caps query parameters (SQLite).
    """
    if connection.vendor == "postgresql":
        return [Q(_AnyOf(Lower("email"), keys)) | Q(_AnyOf(F("username"), keys))]
    chunk = max((connection.features.max_query_params or 2 * len(keys) + 2) // 2, 1)
    return [
        Q(email_key__in=part) | Q(username__in=part)
        for part in (keys[i : i + chunk] for i in range(0, len(keys), chunk))
    ]


def update_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Set `fields` to each row's values, rows being (pk, *values): one statement per call.

    QuerySet.bulk_update writes a CASE WHEN per field with one branch per row, which PostgreSQL
    evaluates row by row: quadratic in the batch (minutes for 100,000 rows). There an
    UPDATE … FROM unnest(one array per column) join does the same in a second, with a handful of
    query parameters however many rows; other databases keep bulk_update.
    """
    if connection.vendor != "postgresql":
        objs = [model(pk=pk, **dict(zip(fields, values, strict=True))) for pk, *values in rows]
        model.objects.bulk_update(objs, [f.removesuffix("_id") for f in fields])
        return
    meta, qn = model._meta, connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns)
    names = ", ".join(qn(f.column) for f in columns)
    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in columns[1:])
    # Identifiers come from the model's metadata, quoted; the values are one array per column.
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET {assignments} "  # noqa: S608
        f"FROM unnest({arrays}) AS v ({names}) "
        f"WHERE t.{qn(meta.pk.column)} = v.{qn(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
