import uuid

import pytest
from django.conf import settings

from tests.factories import LearnerFactory, token_client


def pytest_configure(config):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", (
        "The suite runs on PostgreSQL: run it with `make test` (or set DATABASE_URL)."
    )
    assert settings.REDIS_URL, (
        "The suite runs on Redis: run it with `make test` (or set REDIS_URL)."
    )
    # Tests sign people in by the hundred; the production hasher costs up to a second each on a
    # busy 2-core machine, and no test is about the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    # Throttle histories live in the Redis cache: each test gets its own key prefix, so tests start
    # clean without flushing a Redis database that other runs (or the broker) share.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
    }


@pytest.fixture(autouse=True)
def _no_fuzzing(settings):
    # fsrs fuzzing on in production, off in tests: exact due dates.
    settings.PRACTICE_FUZZING = False


@pytest.fixture
def library(db):
    from cms.models import ModuleIndexPage

    return ModuleIndexPage.objects.get()


@pytest.fixture
def learner(db):
    return LearnerFactory(user__username="dana")


@pytest.fixture
def api_client(learner):
    """The API as the signed-in learner `dana` sees it."""
    return token_client(learner.user)


@pytest.fixture
def author_client(client, library):
    """The Django test client signed in as an L&D author (the Authors group)."""
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    author = UserFactory(username="author")
    author.groups.add(Group.objects.get(name="Authors"))
    client.force_login(author)
    return client


@pytest.fixture
def demo(db):
    """seed_demo's content, people and history in this test's transaction; returns its output.

    A copy of the run's one seed_demo (tests/demo_snapshot.py): ask for it before fixtures that
    write rows, as the first test to ask takes the copy.
    """
    from tests.demo_snapshot import load_demo

    return load_demo()
