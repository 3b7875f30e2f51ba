"""Where enrolment depends on the database: a learner-id list as one array parameter on PostgreSQL.

Django's `__in=ids` writes one placeholder per id, which psycopg's client-side binding parses and
quotes one by one: seconds per query for the 100,000 people an HR import may move. Here the ids
travel as one `bigint[]` literal and the SQL text stays the same whatever their number; other
databases (the quick-start's SQLite, whose callers slice under its parameter cap) get the plain IN.
"""

from django.db.models.lookups import In


class IdIn(In):
    """`.filter(IdIn(F("learner_id"), ids))`: ints only."""

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        literal = "{" + ",".join(map(str, self.rhs)) + "}"
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, literal)
