"""The authors' panel on the admin's home page (/cms/): the moments of pain, this week's searches that
found nothing and the modules in review, each linking to its full report. Managers do not get it."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query

from cms.models import SearchMiss
from learning.ledger import events
from learning.models import Learner
from tests.factories import LearnerFactory, UserFactory, publish_module

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def rate(module, *ratings):
    for rating in ratings:
        learner = LearnerFactory(user__password=None)
        [result] = events.record_events(
            learner,
            [
                {
                    "id": str(uuid.uuid4()),
                    "type": "feedback",
                    "occurred_at": (NOW - datetime.timedelta(hours=1)).isoformat(),
                    "module_id": module.pk,
                    "rating": rating,
                }
            ],
            now=NOW,
        ).results
        assert result.status == events.ACCEPTED, result


def miss(query_string, *, days_ago, count=1):
    date = timezone.localdate() - datetime.timedelta(days=days_ago)
    SearchMiss.objects.update_or_create(
        query=Query.get(query_string), date=date, defaults={"misses": count}
    )


def submit_for_review(module, user):
    module.get_workflow().start(module, user)


@pytest.fixture
def author(library):
    user = UserFactory(username="author", first_name="Alex", last_name="Author", password=None)
    user.groups.add(Group.objects.get(name="Authors"))
    return user


@pytest.fixture
def week(library, author):
    hurts = publish_module(title="Refunds that hurt")
    rate(hurts, 1, 2, 1)  # an average of 1.3 on 3 ratings: a low-rating moment of pain
    miss("heat pump grant", days_ago=1, count=4)
    miss("fax machine", days_ago=20, count=50)  # older than a week: in the report, not the panel
    draft = publish_module(title="Escalation, second draft", live=False)
    submit_for_review(draft, author)
    return hurts, draft


def panel_names(response):
    return [panel.name for panel in response.context["panels"]]


def test_an_author_sees_the_pain_the_gaps_and_the_modules_in_review(client, author, week):
    hurts, draft = week
    client.force_login(author)
    response = client.get("/cms/")
    assert response.status_code == 200
    assert "author_home" in panel_names(response)
    html = response.content.decode()
    assert "Your modules: what needs attention" in html
    # Moments of pain, as the module-analytics report words them, with the way to the report.
    assert "Moments of pain" in html
    assert "Refunds that hurt" in html
    assert "Rated 1.3 of 5 on average (3 ratings)." in html
    assert f'href="/cms/analytics/modules/{hurts.pk}/"' in html
    assert 'href="/cms/analytics/modules/"' in html
    # The week's searches that found nothing.
    assert "4×</span>“heat pump grant”" in html
    assert "fax machine" not in html
    assert 'href="/cms/analytics/search-gaps/"' in html
    # The module waiting for its reviewer.
    assert "Modules in review (1)" in html
    assert f'<a href="/cms/pages/{draft.pk}/edit/">Escalation, second draft</a>' in html
    assert "waiting for Content review" in html
    assert "sent by Alex Author" in html
    assert 'href="/cms/reports/workflow/"' in html


def test_a_module_sent_back_says_changes_requested(client, author, week):
    _, draft = week
    reviewer = UserFactory(username="reviewer", password=None)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    state = draft.current_workflow_state
    state.current_task_state.task.specific.on_action(state.current_task_state, reviewer, "reject")
    client.force_login(author)
    html = client.get("/cms/").content.decode()
    assert "changes requested" in html


def test_a_quiet_week_says_so(client, author):
    client.force_login(author)
    html = client.get("/cms/").content.decode()
    assert "Nothing stands out yet" in html
    assert "Every search of the last 7 days found something." in html
    assert "No module is waiting for review." in html


def test_a_manager_does_not_get_the_authors_panel(client, week):
    manager = UserFactory(username="manager", password=None)
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    Learner.objects.update(manager=manager)  # someone with reports, who does not write modules
    client.force_login(manager)
    response = client.get("/cms/")
    assert response.status_code == 200
    names = panel_names(response)
    assert "team" in names
    assert "author_home" not in names
    html = response.content.decode()
    assert "heat pump grant" not in html
    assert "Refunds that hurt" not in html


def test_a_superuser_gets_it_too(client, week):
    admin = UserFactory(username="root", password=None, is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert "author_home" in panel_names(client.get("/cms/"))


def test_the_panel_runs_a_fixed_number_of_queries(
    client, author, week, django_assert_max_num_queries
):
    client.force_login(author)
    client.get("/cms/")  # warm the content-type and site caches
    with CaptureQueriesContext(connection) as few:
        client.get("/cms/")
    for n in range(6):
        module = publish_module(title=f"Also hurts {n}")
        rate(module, 1, 1, 2)
        miss(f"missing thing {n}", days_ago=n % 7, count=n + 1)
        submit_for_review(publish_module(title=f"Draft {n}", live=False), author)
    with django_assert_max_num_queries(len(few)):
        response = client.get("/cms/")
    html = response.content.decode()
    assert "Modules in review (7)" in html
    assert "And 2 more in the report." in html  # 7 moments of pain, 5 shown
