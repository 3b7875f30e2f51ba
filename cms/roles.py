"""Who does what with content: Authors write modules, Reviewers approve them. Set up after every migrate.

Review is mandatory. Authors add and edit modules and submit them to the "Module review" workflow
on the library; a reviewer's approval publishes the module, or schedules it when the draft has a
go-live date in the future. Authors still publish job tasks and change events (snippets, which no
workflow covers). Wagtail's own Editors and Moderators groups and its "Moderators approval" workflow
on the root page are left alone: a workflow on the library wins over the root's for every module.
"""

from django.contrib.auth.models import Group, Permission
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


def can_see_author_analytics(user) -> bool:
    """Who sees the authors' analytics (search gaps, module and nudge analytics): authors (who
    write modules and job tasks) and superusers. Aggregates only, never a learner's personal data."""
    return user.is_active and (user.is_superuser or user.has_perm("cms.add_jobtask"))
