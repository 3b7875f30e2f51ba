"""Demo accounts for the content side (later apps add learners and managers). Password: micromoments."""

from django.contrib.auth import get_user_model

from cms.roles import ensure_authors_group

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
    """`admin` (superuser) and `demo-author` (an L&D author: the Authors group)."""
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
    author.groups.add(ensure_authors_group())
    return admin, author
