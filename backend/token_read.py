"""The one read of every authenticated API request: a live token with its user, the user's learner
profile and that learner's manager, whether the user manages anyone and the published content's
version (what the learner's cached views are keyed on, with the learner's own), in one indexed
statement.

Through the ORM the same read (select_related over four tables) cost more to compile than to run,
on every request: its SQL is built here once per process from the models' own fields, and each
row is turned into model instances as the ORM does (from_db, with the database's converters, so
SQLite's text datetimes and integer booleans arrive as Python values). A field added to any of
these models is read without a change here.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, Field, Model, OuterRef
from wagtail.models import APIToken

from cms.versions import content_version_sql, remember_content_version
from learning.learners import remember_manages_anyone
from learning.models import Learner

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Table:
    model: type[Model]
    alias: str

    @property
    def fields(self) -> list:
        return list(self.model._meta.concrete_fields)

    def columns(self) -> list[str]:
        quote = connection.ops.quote_name
        return [f"{self.alias}.{quote(field.column)}" for field in self.fields]

    def converters(self) -> list[list[tuple[Converter, Any]]]:
        result = []
        for field in self.fields:
            column = field.get_col(self.alias)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            result.append([(converter, column) for converter in found])
        return result


@dataclass(frozen=True)
class _Read:
    sql: str
    params: tuple[Any, ...]  # the manages-anyone subquery's, before the digests
    tables: tuple[_Table, ...]
    converters: tuple[list[list[tuple[Converter, Any]]], ...]
    attnames: tuple[list[str], ...]


def _manages_anyone() -> tuple[str, tuple[Any, ...]]:
    """learning's rule for whether the token's user has a report (Learner.objects.reports_of), as
    the ORM compiles it inside a query on the token table (which the read leaves unaliased)."""
    query = APIToken.objects.annotate(
        manages_anyone=Exists(Learner.objects.reports_of(OuterRef("user_id")))
    ).query
    sql, params = query.get_compiler(connection=connection).compile(
        query.annotations["manages_anyone"]
    )
    return sql, tuple(params)


@cache
def _read(candidates: int, vendor: str) -> _Read:
    User = get_user_model()
    quote = connection.ops.quote_name
    token, user, learner, manager = (
        _Table(APIToken, quote(APIToken._meta.db_table)),
        _Table(User, "u"),
        _Table(Learner, "l"),
        _Table(User, "m"),
    )
    t = token.alias

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return quote(field.column)

    select = ", ".join(token.columns() + user.columns() + learner.columns() + manager.columns())
    manages_anyone, manages_params = _manages_anyone()
    placeholders = ", ".join(["%s"] * candidates)
    # Names from the models' own metadata, quoted; the digests are parameters.
    sql = (
        f"SELECT {select}, {manages_anyone}, {content_version_sql()} FROM {t} "  # noqa: S608
        f"INNER JOIN {table(User)} u ON u.{quote(User._meta.pk.column)} = {t}.{column(APIToken, 'user')} "
        f"LEFT JOIN {table(Learner)} l ON l.{column(Learner, 'user')} = u.{quote(User._meta.pk.column)} "
        f"LEFT JOIN {table(User)} m ON m.{quote(User._meta.pk.column)} = l.{column(Learner, 'manager')} "
        f"WHERE {t}.{column(APIToken, 'key_hash')} IN ({placeholders}) "
        f"AND {t}.{column(APIToken, 'revoked_at')} IS NULL LIMIT 1"
    )
    tables = (token, user, learner, manager)
    return _Read(
        sql=sql,
        params=manages_params,
        tables=tables,
        converters=tuple(t.converters() for t in tables),
        attnames=tuple([f.attname for f in t.fields] for t in tables),
    )


def _instance(read: _Read, index: int, values: Sequence[Any]) -> Model | None:
    model = read.tables[index].model
    converted = []
    for value, converters in zip(values, read.converters[index], strict=True):
        for converter, expression in converters:
            value = converter(value, expression, connection)
        converted.append(value)
    if converted[0] is None:  # an outer join that found nothing
        return None
    return model.from_db(connection.alias, read.attnames[index], converted)


def live_token(candidate_hashes: list[str]) -> APIToken | None:
    """The unrevoked token with one of these digests, its user, learner profile and manager
    loaded as select_related would (token.user.learner raises DoesNotExist when there is none)."""
    read = _read(len(candidate_hashes), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(read.sql, [*read.params, *candidate_hashes])
        row = cursor.fetchone()
    if row is None:
        return None
    instances = []
    start = 0
    for index, attnames in enumerate(read.attnames):
        instances.append(_instance(read, index, row[start : start + len(attnames)]))
        start += len(attnames)
    token, user, learner, manager = instances
    assert isinstance(token, APIToken)
    assert user is not None
    remember_manages_anyone(user, bool(row[start]))
    remember_content_version(user, row[start + 1])
    token_user_field = APIToken._meta.get_field("user")
    token_user_field.set_cached_value(token, user)
    # The reverse one-to-one, cached as select_related caches it (None: no profile).
    User = type(user)
    User.learner.related.set_cached_value(user, learner)  # type: ignore[attr-defined]
    if learner is not None:
        Learner._meta.get_field("user").set_cached_value(learner, user)
        Learner._meta.get_field("manager").set_cached_value(learner, manager)
    return token
