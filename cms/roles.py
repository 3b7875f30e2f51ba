"""The Authors group: what L&D authors may do in the admin. Set up after every migrate.

Wagtail's own Editors group cannot publish; authors write, publish and schedule modules, and keep
job tasks and change events up to date.
"""

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from cms.models import ModuleIndexPage

AUTHORS = "Authors"
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
SNIPPET_PERMISSIONS = {
    "jobtask": ("add", "change", "delete"),
    "changeevent": ("add", "change", "publish", "delete"),
}
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")


def ensure_authors_group() -> Group | None:
    """Create or complete the Authors group; idempotent. None before the library page exists."""
    library = ModuleIndexPage.objects.first()
    if library is None:
        return None
    group, _ = Group.objects.get_or_create(name=AUTHORS)
    codenames = ["access_admin"] + [
        f"{action}_{model}" for model, actions in SNIPPET_PERMISSIONS.items() for action in actions
    ]
    group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=library, permission=permission)
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailimages", codename__in=IMAGE_PERMISSIONS
        ):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
    return group
