"""AnyOf: one array literal instead of a placeholder per value, same rows as Django's IN."""

import pytest
from django.db import connection
from django.db.models import F

from learning.models import Learner
from nudges.lookups import AnyOf, array_literal
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

AWKWARD = ["plain", 'with "quotes"', "back\\slash", "comma, brace}{", "NULL", "", "ünïcode ✓"]


def test_array_literal_of_ids_and_of_strings():
    assert array_literal([3, 1, 2]) == ("{3,1,2}", "bigint[]")
    assert array_literal([]) == ("{}", "bigint[]")
    assert array_literal(["a", None]) == ('{"a",NULL}', "text[]")


def test_strings_that_need_escaping_come_back_unchanged():
    literal, sql_type = array_literal(AWKWARD)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unnest(%s::{sql_type})", [literal])
        assert [row[0] for row in cursor.fetchall()] == AWKWARD


def test_filters_the_same_rows_as_in_whatever_the_size(django_assert_num_queries):
    learners = LearnerFactory.create_batch(5)
    wanted = [learners[0].pk, learners[3].pk, 10**12]
    with django_assert_num_queries(1) as context:
        found = set(Learner.objects.filter(AnyOf(F("id"), wanted)).values_list("pk", flat=True))
    assert found == {learners[0].pk, learners[3].pk}
    assert "ANY(" in context.captured_queries[0]["sql"]
    by_team = Learner.objects.filter(AnyOf(F("team"), [learners[1].team, 'no "such" team']))
    assert list(by_team) == list(Learner.objects.filter(team=learners[1].team))
    assert not Learner.objects.filter(AnyOf(F("id"), [])).exists()
