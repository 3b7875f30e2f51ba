"""Demo accounts for the content side (later apps add learners and managers). Password: micromoments."""

from django.contrib.auth import get_user_model

from cms.models import ModuleIndexPage
from cms.roles import ensure_authors_group, ensure_reviewers_group

DEMO_PASSWORD = "micromoments"  # noqa: S105 (demo only, named in the README)


def ensure_user(username: str, *, email: str, first_name: str, last_name: str, **flags):
    """Create the account if it is missing; leave an existing one (and its password) untouched."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": email, "first_name": first_name, "last_name": last_name, **flags},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def ensure_content_accounts():
    """`admin` (superuser), `demo-author` (an L&D author: Authors) and `demo-reviewer` (Reviewers).

    The author writes modules and submits them; the reviewer approves them, which publishes them.
    """
    admin = ensure_user(
        "admin",
        email="admin@example.com",
        first_name="Ada",
        last_name="Admin",
        is_staff=True,
        is_superuser=True,
    )
    author = ensure_user(
        "demo-author", email="author@example.com", first_name="Dana", last_name="Author"
    )
    author.groups.add(ensure_authors_group())  # also sets up the review, if it is missing
    reviewer = ensure_user(
        "demo-reviewer", email="reviewer@example.com", first_name="Rhea", last_name="Reviewer"
    )
    reviewer.groups.add(ensure_reviewers_group(ModuleIndexPage.objects.get()))
    return admin, author, reviewer
