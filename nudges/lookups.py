"""`AnyOf`: `column = ANY(%s)` with the whole list as one array literal, for set-based batches.

Django's `__in=ids` prepares each value and writes one placeholder per value, and psycopg's
client-side binding then parses and quotes a query with thousands of them: for a 1,000-learner
chunk that costs more than running the query. Here the list becomes one PostgreSQL array literal
(built with a join, quoted once), and the SQL text stays the same whatever the batch size. For ids
and plain strings: `.filter(AnyOf(F("learner_id"), ids))`. Other databases (the quick-start's
SQLite) get Django's ordinary IN.
"""

from collections.abc import Iterable

from django.db.models.lookups import In


def array_literal(values: Iterable[int | str | None]) -> tuple[str, str]:
    """A PostgreSQL array literal of ints or strings and its type: ("{1,2}", "bigint[]")."""
    values = list(values)
    if all(isinstance(v, int) for v in values):
        return "{" + ",".join(map(str, values)) + "}", "bigint[]"
    items = (
        "NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
        for v in values
    )
    return "{" + ",".join(items) + "}", "text[]"


class AnyOf(In):
    def get_prep_lookup(self):
        # Plain values (ids, keys), used as given: no per-value preparation.
        return list(self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        literal, sql_type = array_literal(self.rhs)
        return f"{lhs} = ANY(%s::{sql_type})", (*lhs_params, literal)
