"""/cms/analytics/search-gaps/: the searches that found nothing in the last 30 days, for authors."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query

from cms.models import SearchMiss
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/cms/analytics/search-gaps/"


def miss(query_string, *, days_ago, count):
    query = Query.get(query_string)
    date = timezone.localdate() - datetime.timedelta(days=days_ago)
    SearchMiss.objects.update_or_create(query=query, date=date, defaults={"misses": count})


@pytest.fixture
def gaps():
    miss("heat pump grant", days_ago=0, count=3)
    miss("heat pump grant", days_ago=10, count=4)  # 7 in all
    miss("smart meter offline", days_ago=2, count=5)
    miss("fax machine", days_ago=45, count=50)  # older than 30 days: not a current gap


def test_authors_see_the_most_frequent_gaps_of_the_last_30_days(author_client, gaps, library):
    response = author_client.get(URL)
    assert response.status_code == 200
    rows = [(q.query_string, q.misses_total) for q in response.context["object_list"]]
    assert rows == [("heat pump grant", 7), ("smart meter offline", 5)]
    html = response.content.decode()
    assert f"/cms/pages/add/cms/micromodule/{library.pk}/?title=heat+pump+grant" in html
    assert "/cms/searchpicks/add/?query_string=heat+pump+grant" in html
    assert "fax machine" not in html


def test_the_report_exports_to_csv(author_client, gaps):
    response = author_client.get(URL, {"export": "csv"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "Search,Found nothing (30 days),Last time"
    assert lines[1].startswith("heat pump grant,7,")


def test_someone_who_is_not_an_author_is_refused_as_wagtail_refuses(client, library, gaps):
    manager = UserFactory(username="manager")
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(manager)
    # The authors-only guard of every analytics report: the dashboard with Wagtail's message.
    response = client.get(URL, follow=True)
    assert response.redirect_chain == [("/cms/", 302)]
    messages = [str(m).strip() for m in response.context["messages"]]
    assert messages == ["Sorry, you do not have permission to access this area."]
    assert "heat pump grant" not in response.content.decode()
    assert client.get(URL, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    assert client.get(URL, {"export": "csv"}).status_code == 302


def test_the_reports_menu_offers_it_to_authors_only(author_client, client, library):
    assert URL in author_client.get("/cms/").content.decode()
    manager = UserFactory(username="manager")
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(manager)
    assert URL not in client.get("/cms/").content.decode()


def test_the_authors_group_made_at_migrate_has_its_snippet_permissions(library):
    authors = Group.objects.get(name="Authors")
    codenames = set(authors.permissions.values_list("codename", flat=True))
    assert {"access_admin", "add_jobtask", "change_changeevent", "publish_changeevent"} <= codenames
