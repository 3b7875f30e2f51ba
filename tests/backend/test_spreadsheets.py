"""CSV injection: every admin export writes text a spreadsheet would run as a formula with a leading
apostrophe (cms.spreadsheets), in CSV and in XLSX, and leaves numbers as numbers."""

import csv
import datetime
import decimal
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from cms.spreadsheets import SafeExportMixin, neutralise
from learning.people.roles import MANAGERS
from nudges.models import Nudge
from tests.factories import LearnerFactory, UserFactory, publish_module, token_client
from tests.nudges.sending_factories import NudgeFactory

HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULAS = [HYPERLINK, "+1+1", "@SUM(A1)", "-2+3"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Refunds = money back", "Refunds = money back"),  # only the first character counts
        ("", ""),
        (-3, -3),
        (-2.5, -2.5),
        (decimal.Decimal("-1"), decimal.Decimal("-1")),
        (None, None),
        (True, True),
        (datetime.date(2026, 1, 5), datetime.date(2026, 1, 5)),
    ],
)
def test_neutralise_prefixes_formula_text_and_leaves_everything_else(value, expected):
    assert neutralise(value) == expected
    assert type(neutralise(value)) is type(expected)


def _view_classes(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _view_classes(pattern.url_patterns)
        elif view_class := getattr(pattern.callback, "view_class", None):
            yield view_class


def test_every_export_of_ours_goes_through_the_safe_export_mixin():
    """A new report that forgets the mixin fails here, not in someone's spreadsheet."""
    ours = {
        view
        for view in _view_classes(get_resolver().url_patterns)
        if issubclass(view, SpreadsheetExportMixin)
        and view.__module__.split(".")[0] in {"backend", "cms", "learning", "nudges"}
    }
    assert {view.__name__ for view in ours} >= {
        "SearchGapsView",
        "TeamView",
        "ModuleAnalyticsView",
        "NudgeAnalyticsView",
        "OutboxIndexView",
    }
    assert [view.__name__ for view in ours if not issubclass(view, SafeExportMixin)] == []


# --- Through the admin, one export at a time -------------------------------------------------------


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def xlsx_cells(client, url) -> list[tuple]:
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows())


def assert_neutralised_in_csv(rows: list[list[str]], column: str, values: list[str]) -> None:
    index = rows[0].index(column)
    cells = [row[index] for row in rows[1:]]
    for value in values:
        assert "'" + value in cells, (value, cells)
        assert value not in cells


def assert_neutralised_in_xlsx(rows: list[tuple], column: str, values: list[str]) -> None:
    index = [cell.value for cell in rows[0]].index(column)
    cells = [row[index] for row in rows[1:]]
    for value in values:
        [cell] = [c for c in cells if c.value == "'" + value]
        assert cell.data_type == "s"  # text, not a formula ("f")
    assert not any(c.data_type == "f" for row in rows for c in row)


@pytest.mark.django_db
def test_search_gaps_export_neutralises_what_learners_searched_for(author_client):
    searcher = token_client(LearnerFactory(user__username="dana").user)
    for query in FORMULAS:
        assert searcher.get("/api/v1/search", {"q": query}).status_code == 200
    url = "/cms/analytics/search-gaps/"
    # The query log lower-cases what it stores.
    searched = [query.lower() for query in FORMULAS]

    rows = csv_rows(author_client, url)
    assert_neutralised_in_csv(rows, "Search", searched)
    assert {row[1] for row in rows[1:]} == {"1"}  # the counts are plain numbers

    cells = xlsx_cells(author_client, url)
    assert_neutralised_in_xlsx(cells, "Search", searched)
    assert {row[1].value for row in cells[1:]} == {1}


@pytest.mark.django_db
def test_team_export_neutralises_names_roles_and_teams(library):
    boss = UserFactory(username="boss")
    boss.groups.add(Group.objects.get(name=MANAGERS))
    for i, formula in enumerate(FORMULAS):
        LearnerFactory(
            user__username=f"report{i}",
            user__first_name=formula,
            user__last_name="",
            role=formula,
            team=formula,
            manager=boss,
        )
    client = Client()
    client.force_login(boss)
    url = "/cms/team/"

    rows = csv_rows(client, url)
    for column in ("Name", "Role", "Team"):
        assert_neutralised_in_csv(rows, column, FORMULAS)

    cells = xlsx_cells(client, url)
    for column in ("Name", "Role", "Team"):
        assert_neutralised_in_xlsx(cells, column, FORMULAS)
    minutes = [c.value for c in cells[0]].index("Formal (minutes)")
    assert {row[minutes].value for row in cells[1:]} == {0}  # numbers stay numbers


@pytest.mark.django_db
def test_module_analytics_export_neutralises_module_titles(author_client):
    for formula in FORMULAS:
        publish_module(title=formula)
    url = "/cms/analytics/modules/"

    assert_neutralised_in_csv(csv_rows(author_client, url), "Module", FORMULAS)
    cells = xlsx_cells(author_client, url)
    assert_neutralised_in_xlsx(cells, "Module", FORMULAS)
    estimated = [c.value for c in cells[0]].index("Estimated minutes")
    assert all(type(row[estimated].value) is int for row in cells[1:])


@pytest.mark.django_db
def test_nudge_analytics_export_neutralises_window_names(author_client):
    learner = LearnerFactory(user__username="lee")
    planned = timezone.now() - datetime.timedelta(hours=1)
    for formula in FORMULAS:
        NudgeFactory(
            learner=learner,
            window=formula,
            state=Nudge.State.SENT,
            planned_for=planned,
            sent_at=planned,
        )
    url = "/cms/analytics/nudges/"

    rows = csv_rows(author_client, url)
    assert_neutralised_in_csv(rows, "Kind or window", FORMULAS)
    assert rows[1][:3] == ["All", "All nudges", "0"]  # sent: no delivery was recorded

    cells = xlsx_cells(author_client, url)
    assert_neutralised_in_xlsx(cells, "Kind or window", FORMULAS)
