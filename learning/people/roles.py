"""The Managers group: people who follow their direct reports in the admin. Set up after every migrate.

The group only opens the admin (the team view and its home-page panel); what a manager sees there
is decided by who reports to them (`Learner.manager`), not by the group. So the people importer
stays out of it: someone imported with reports needs to be added to Managers (or be a superuser)
to sign in to the admin, and sees exactly their reports, as in the manager API.
"""

from django.contrib.auth.models import Group, Permission

MANAGERS = "Managers"


def ensure_managers_group() -> Group:
    """Create the Managers group with admin access and nothing else; idempotent.

    Permissions an administrator added to the group by hand are left alone.
    """
    group, _ = Group.objects.get_or_create(name=MANAGERS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return group
