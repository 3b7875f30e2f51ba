"""Module review: authors submit modules, a reviewer's approval publishes them (issue 6)."""

import datetime
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    PageLogEntry,
    Revision,
    Task,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.signals import published
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import MicroModule
from cms.roles import ensure_authors_group
from cms.tasks import publish_scheduled_pages
from tests.demo_snapshot import load_demo
from tests.factories import UserFactory, publish_module

pytestmark = pytest.mark.django_db

SLUG = "refund-in-three-steps"


@pytest.fixture
def author(library):
    user = UserFactory(username="author")
    user.groups.add(Group.objects.get(name="Authors"))
    return user


@pytest.fixture
def reviewer(library):
    user = UserFactory(username="reviewer")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def published_signals():
    """The modules Wagtail's `published` signal was sent for (what learning's card sync listens to)."""
    sent = []

    def receiver(sender, instance, revision, **kwargs):
        if isinstance(instance, MicroModule):
            sent.append((instance.pk, revision.pk))

    published.connect(receiver, dispatch_uid="test_moderation")
    yield sent
    published.disconnect(dispatch_uid="test_moderation")


def form_data(*, title="Refunds in three steps", go_live_at: datetime.datetime | None = None):
    data = nested_form_data(
        {
            "title": title,
            "slug": SLUG,
            "summary": "Refund a duplicate payment.",
            "body": streamfield([("text", rich_text("<p>Check, refund, confirm.</p>"))]),
        }
    )
    if go_live_at is not None:
        data["go_live_at"] = timezone.localtime(go_live_at).strftime("%Y-%m-%d %H:%M")
    return data


def add_module(client, user, library, *, action: str, **fields):
    client.force_login(user)
    data = {**form_data(**fields), action: "1"}
    response = client.post(f"/cms/pages/add/cms/micromodule/{library.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return MicroModule.objects.get(slug=SLUG)


def act(client, user, module, action: str, *, comment: str = "", follow: bool = False):
    """What the reviewer's Approve / Request changes buttons post (the dashboard's or the editor's)."""
    client.force_login(user)
    task_state = module.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(module.pk, action, task_state.pk))
    return client.post(url, {"comment": comment}, follow=follow)


def test_migrate_puts_the_module_review_on_the_library(library):
    workflow = Workflow.objects.get(name="Module review")
    assert workflow.active
    [task] = [task.specific for task in workflow.tasks.all()]
    assert isinstance(task, GroupApprovalTask)
    assert task.name == "Content review"
    assert [group.name for group in task.groups.all()] == ["Reviewers"]
    assert WorkflowPage.objects.get(page=library).workflow == workflow
    # Every module goes through it, not through Wagtail's "Moderators approval" on the root.
    module = publish_module(title="Any module")
    assert module.get_workflow() == workflow


def test_authors_write_and_reviewers_publish(library):
    def page_permissions(name):
        rows = GroupPagePermission.objects.filter(group__name=name, page=library)
        return set(rows.values_list("permission__codename", flat=True))

    assert page_permissions("Authors") == {"add_page", "change_page"}
    assert page_permissions("Reviewers") == {"change_page", "publish_page"}
    reviewers = Group.objects.get(name="Reviewers")
    assert reviewers.permissions.filter(codename="access_admin").exists()


def test_upgrading_takes_publishing_modules_away_from_authors_once(library):
    # Databases set up before the review gave Authors publish_page on the library.
    authors = Group.objects.get(name="Authors")
    publish_page = Permission.objects.get(
        content_type__app_label="wagtailcore", codename="publish_page"
    )
    GroupPagePermission.objects.create(group=authors, page=library, permission=publish_page)
    migration = importlib.import_module("cms.migrations.0004_authors_submit_modules_for_review")

    migration.authors_stop_publishing_modules(django_apps, schema_editor=None)

    assert not GroupPagePermission.objects.filter(group=authors, permission=publish_page).exists()
    assert GroupPagePermission.objects.filter(
        group__name="Reviewers", permission=publish_page
    ).exists()


def test_seed_demo_adds_the_reviewer_and_running_it_again_creates_nothing(library):
    models = [Group, GroupPagePermission, Workflow, WorkflowTask, WorkflowPage, Task]
    before_seed = {model: model.objects.count() for model in models}
    load_demo()  # what the run's one seed_demo left on the migrated database
    assert {model: model.objects.count() for model in models} == before_seed  # made at migrate

    reviewer = authenticate(username="demo-reviewer", password="micromoments")
    assert reviewer is not None
    assert list(reviewer.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert not reviewer.is_superuser
    # The demo's modules were published by the reviewer, as an approval leaves them.
    module = MicroModule.objects.live().first()
    assert module.live_revision.user.username == "demo-author"
    publish = PageLogEntry.objects.get(page=module, action="wagtail.publish")
    assert publish.user == reviewer

    models.append(get_user_model())
    before_second = {model: model.objects.count() for model in models}
    out = io.StringIO()
    call_command("seed_demo", "--i-know-this-creates-known-passwords", stdout=out)
    assert {model: model.objects.count() for model in models} == before_second
    assert "demo-reviewer" in out.getvalue()


def test_an_administrators_choice_of_workflow_survives_the_next_migrate(library):
    module_review = Workflow.objects.get(name="Module review")
    moderators = Workflow.objects.get(name="Moderators approval")
    WorkflowPage.objects.filter(page=library).update(workflow=moderators)

    ensure_authors_group()  # what runs after every migrate

    assert WorkflowPage.objects.get(page=library).workflow == moderators
    module_review.deactivate()
    WorkflowPage.objects.filter(page=library).delete()

    ensure_authors_group()

    assert not WorkflowPage.objects.filter(page=library).exists()
    assert Workflow.objects.filter(name="Module review").count() == 1
    assert not Workflow.objects.get(name="Module review").active


def test_an_author_cannot_publish_a_module(client, author, library, api_client):
    module = add_module(client, author, library, action="action-publish")
    assert not module.live
    assert module.current_workflow_state is None  # not even submitted: saved as a draft

    response = client.post(
        f"/cms/pages/{module.pk}/edit/", {**form_data(), "action-publish": "1"}, follow=True
    )
    assert response.status_code == 200
    module.refresh_from_db()
    assert not module.live
    assert api_client.get(f"/api/v1/modules/{module.pk}").status_code == 404


def test_a_submitted_module_goes_live_when_a_reviewer_approves_it(
    client, author, reviewer, library, api_client, published_signals
):
    module = add_module(client, author, library, action="action-submit")
    state = module.current_workflow_state
    assert state.workflow.name == "Module review"
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == author
    assert not module.live
    assert api_client.get(f"/api/v1/modules/{module.pk}").status_code == 404
    submitted = module.latest_revision

    response = act(client, reviewer, module, "approve")

    assert response.status_code == 302
    module.refresh_from_db()
    assert module.live
    assert module.live_revision == submitted
    assert published_signals == [(module.pk, submitted.pk)]
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    task_state = TaskState.objects.get(workflow_state=state)
    assert (task_state.status, task_state.finished_by) == (TaskState.STATUS_APPROVED, reviewer)
    assert api_client.get(f"/api/v1/modules/{module.pk}").status_code == 200
    assert module.pk in [m["id"] for m in api_client.get("/api/v1/modules").json()["items"]]


def test_a_reviewer_who_requests_changes_leaves_the_module_a_draft_with_the_comment(
    client, author, reviewer, library, api_client, published_signals
):
    module = add_module(client, author, library, action="action-submit")
    comment = "Step two needs the refund reason code."

    act(client, reviewer, module, "reject", comment=comment)

    module.refresh_from_db()
    assert not module.live
    state = module.workflow_states.get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    task_state = TaskState.objects.get(workflow_state=state)
    assert (task_state.status, task_state.comment) == (TaskState.STATUS_REJECTED, comment)
    assert published_signals == []
    assert api_client.get(f"/api/v1/modules/{module.pk}").status_code == 404


def test_only_reviewers_can_approve(client, author, library, published_signals):
    module = add_module(client, author, library, action="action-submit")
    another_author = UserFactory(username="another-author")
    another_author.groups.add(Group.objects.get(name="Authors"))

    for user in (author, another_author):
        response = act(client, user, module, "approve", follow=True)
        messages = [str(m).strip() for m in response.context["messages"]]
        assert messages[-1] == "Sorry, you do not have permission to access this area."

    module.refresh_from_db()
    assert not module.live
    assert module.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert published_signals == []


def test_an_approved_module_with_a_go_live_date_waits_for_it(
    client, author, reviewer, library, api_client
):
    go_live_at = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    module = add_module(client, author, library, action="action-submit", go_live_at=go_live_at)

    act(client, reviewer, module, "approve")

    module.refresh_from_db()
    assert not module.live
    scheduled = Revision.objects.get(pk=module.latest_revision_id)
    assert scheduled.approved_go_live_at == go_live_at
    publish_scheduled_pages.apply()
    assert not MicroModule.objects.get(pk=module.pk).live

    # The launch date arrives: move the schedule (and the revision's own date) into the past.
    arrived = timezone.now() - datetime.timedelta(minutes=1)
    scheduled.content["go_live_at"] = arrived.isoformat()
    scheduled.approved_go_live_at = arrived
    scheduled.save()
    publish_scheduled_pages.apply()

    module.refresh_from_db()
    assert module.live
    assert module.live_revision == scheduled
    assert api_client.get(f"/api/v1/modules/{module.pk}").status_code == 200
