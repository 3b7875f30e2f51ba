"""Who does what with content: Authors write modules, Reviewers approve them. Set up after every migrate.
The authors-only rule of the admin's analytics lives here too: the check, the view guard, the menu item.

Review is mandatory. Authors add and edit modules and submit them to the "Module review" workflow
on the library; a reviewer's approval publishes the module, or schedules it when the draft has a
go-live date in the future. Authors still publish job tasks and change events (snippets, which no
workflow covers). Wagtail's own Editors and Moderators groups and its "Moderators approval" workflow
on the root page are left alone: a workflow on the library wins over the root's for every module.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.views import View
from wagtail.admin.menu import MenuItem
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.models import ModuleIndexPage

AUTHORS = "Authors"
REVIEWERS = "Reviewers"
MODULE_REVIEW = "Module review"
CONTENT_REVIEW = "Content review"

AUTHOR_PAGE_PERMISSIONS = ("add_page", "change_page")
# Wagtail publishes an approved revision as the approving user, so approving needs publish_page.
# It also lets a reviewer withdraw (unpublish) a module or fix a typo without a second round.
REVIEWER_PAGE_PERMISSIONS = ("change_page", "publish_page")
SNIPPET_PERMISSIONS = {
    "jobtask": ("add", "change", "delete"),
    "changeevent": ("add", "change", "publish", "delete"),
}
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")


def ensure_authors_group() -> Group | None:
    """Create or complete the Authors group and the review that publishes their modules; idempotent.

    The two belong together: authors cannot publish modules, so without the review no module of
    theirs could go live. None before the library page exists.
    """
    library = ModuleIndexPage.objects.first()
    if library is None:
        return None
    group, _ = Group.objects.get_or_create(name=AUTHORS)
    codenames = ["access_admin"] + [
        f"{action}_{model}" for model, actions in SNIPPET_PERMISSIONS.items() for action in actions
    ]
    group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    _grant_page_permissions(group, library, AUTHOR_PAGE_PERMISSIONS)
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailimages", codename__in=IMAGE_PERMISSIONS
        ):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
    ensure_module_review(library)
    return group


def ensure_reviewers_group(library: Page) -> Group:
    """Create or complete the Reviewers group: the admin, and reading and publishing the library's pages."""
    group, _ = Group.objects.get_or_create(name=REVIEWERS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    _grant_page_permissions(group, library, REVIEWER_PAGE_PERMISSIONS)
    return group


def ensure_module_review(library: Page) -> Workflow | None:
    """Put the "Module review" workflow on the library the first time; afterwards it is the admins'.

    It is created only while no workflow of that name exists and none is assigned to the library,
    so an administrator who reassigns, changes or deactivates it keeps that choice across migrates.
    Returns the workflow the library's modules go through (None if none is active).
    """
    reviewers = ensure_reviewers_group(library)
    if (
        not Workflow.objects.filter(name=MODULE_REVIEW).exists()
        and not WorkflowPage.objects.filter(page=library).exists()
    ):
        task, created = GroupApprovalTask.objects.get_or_create(name=CONTENT_REVIEW)
        if created:
            task.groups.add(reviewers)
        workflow = Workflow.objects.create(name=MODULE_REVIEW)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(workflow=workflow, page=library)
    return Page.objects.get(pk=library.pk).get_workflow()


def _grant_page_permissions(group: Group, page: Page, codenames: tuple[str, ...]) -> None:
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=codenames
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


# --- The authors-only rule -----------------------------------------------------------------------

# Authoring is told by the permission every author has and nobody else needs.
_AUTHORING = ("cms", "add_jobtask")


def can_see_author_analytics(user) -> bool:
    """Who sees the authors' analytics (search gaps, module and nudge analytics, the push outbox):
    authors (who write modules and job tasks) and superusers. Aggregates only, never a learner's
    personal data."""
    app_label, codename = _AUTHORING
    return user.is_active and (user.is_superuser or user.has_perm(f"{app_label}.{codename}"))


def author_analytics_users() -> QuerySet:
    """The users `can_see_author_analytics` lets in, as one query (for Wagtail permission policies)."""
    _, codename = _AUTHORING
    may_author = Q(groups__permissions__codename=codename) | Q(user_permissions__codename=codename)
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | may_author, is_active=True)
        .distinct()
    )


class AuthorsOnlyMixin(View):
    """For an admin view of the authors' analytics; put it first among the bases.

    Anyone else is refused the way Wagtail refuses in its admin (and in the push outbox, whose
    permission policy says no): PermissionDenied, which Wagtail's admin turns into a redirect to
    the dashboard with "Sorry, you do not have permission…", or a 403 for a request from script.
    """

    def dispatch(self, request, *args, **kwargs):
        if not can_see_author_analytics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AuthorsMenuItem(MenuItem):
    """A menu item (under Reports, say) shown only to those who may open what it links to."""

    def is_shown(self, request):
        return can_see_author_analytics(request.user)
