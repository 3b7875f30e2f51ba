import uuid

import pytest
from django.conf import settings

from tests.factories import LearnerFactory, token_client
from tests.migrated_state import migrated_state_key

# The `smtp_server` fixture: a real SMTP server on loopback, for every test that sends email.
pytest_plugins = ["tests.smtp_server"]


def pytest_configure(config):
    assert settings.DATABASE_ENGINE == "django.db.backends.postgresql", (
        "The suite runs on PostgreSQL: run it with `make test` (or set DATABASE_URL)."
    )
    assert settings.REDIS_URL, (
        "The suite runs on Redis: run it with `make test` (or set REDIS_URL)."
    )
    # Tests sign people in by the hundred; the production hasher costs up to a second each on a
    # busy 2-core machine, and no test is about the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _template_prefix(test_name: str) -> str:
    return f"{test_name[:40]}_tmpl_"


def _databases_named(cursor, prefix: str) -> set[str]:
    cursor.execute("SELECT datname FROM pg_database")
    return {name for (name,) in cursor.fetchall() if name.startswith(prefix)}


@pytest.fixture(scope="session")
def _migrated_template(request, django_db_modify_db_settings, django_db_blocker):
    """Migrations cost ~25-60 s per run: the first run keeps a PostgreSQL template of the migrated
    test database (named after what the migrations depend on), later runs copy it in well under a
    second and let pytest-django's --reuse-db path migrate nothing and serialize as usual.

    Yields (template name, whether the test database was copied from it). Left alone with
    --reuse-db (the user keeps their own database) or --no-migrations; --create-db rebuilds it.
    """
    from django.db import connection

    if request.config.getvalue("reuse_db") or request.config.getvalue("nomigrations"):
        yield None, False
        return
    test_name = connection.creation._get_test_db_name()
    template = _template_prefix(test_name) + migrated_state_key()
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        templates = _databases_named(cursor, _template_prefix(test_name))
        if request.config.getvalue("create_db"):
            for name in templates:
                cursor.execute(f'DROP DATABASE "{name}"')
            templates = set()
        copied = template in templates
        if copied:
            cursor.execute(f'DROP DATABASE IF EXISTS "{test_name}"')
            cursor.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
    yield template, copied


@pytest.fixture(scope="session")
def django_db_keepdb(request, _migrated_template) -> bool:
    # A database copied from the template is kept as --reuse-db keeps one (the next run replaces it).
    return bool(request.config.getvalue("reuse_db")) or _migrated_template[1]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, _migrated_template, django_db_blocker):
    """pytest-django's set-up; then, on a run that migrated, the template for the next runs."""
    from django.db import connection, connections

    template, copied = _migrated_template
    if template and not copied:
        with django_db_blocker.unblock():
            test_name = connection.settings_dict["NAME"]
            connections.close_all()  # a template is copied only while nobody is connected to it
            with connection._nodb_cursor() as cursor:
                for stale in _databases_named(cursor, _template_prefix(test_name)):
                    cursor.execute(f'DROP DATABASE "{stale}"')  # an older state's
                cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{test_name}"')


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


@pytest.fixture(autouse=True)
def _roomy_practice_budget(settings):
    # A budget no test meets unless it is about the budget (tests/learning/test_practice_budget.py
    # sets its own); the process's memo of it is forgotten on both sides of every test.
    from learning.practice import budget

    settings.PRACTICE_DAILY_BUDGET_MINUTES = 120
    budget.forget()
    yield
    budget.forget()


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live_server, a real worker) ends by flushing its database, migrations'
    rows too (the module library, the groups, Wagtail's root page). Run alone, pytest-django puts those
    tests last; under pytest-xdist a worker takes whole files in turn, so the rows are put back here,
    once the test's fixtures (and so the flush) are torn down, for the tests that follow.
    """
    result = yield
    marker = item.get_closest_marker("django_db")
    # After the last test the test database is gone already (and nothing follows).
    if nextitem is not None and marker is not None and marker.kwargs.get("transaction"):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        serialized = getattr(connection, "_test_serialized_contents", None)
        if serialized:
            with item.config.stash[blocking_manager_key].unblock():
                connection.creation.deserialize_db_from_string(serialized)
    return result


# Files whose fixtures run a minute or more of subprocesses (a fresh SQLite file migrated, real
# workers): handed out first, so that the run does not end waiting on one of them.
SLOW_FILES_FIRST = (
    "tests/test_quickstart_sqlite.py",
    "tests/fuzz/test_api_fuzz.py",
    "tests/cms/test_search_sqlite.py",
    "tests/nudges/test_pipeline_e2e.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Whole files in the order pytest-xdist hands them out (with --no-loadscope-reorder): the slow
    starters, then the files with the most tests. Within a file, tests keep their order. And one
    node id per fuzzed operation."""
    for item in items:
        # schemathesis gives each operation's test its own name ("…[GET /api/v1/me]") but, on
        # pytest 9, the function's node id: pytest-xdist, which hands out tests by node id, would
        # run one of them. (pytest's NodeId is private; the lock file pins pytest.)
        if getattr(item, "operation_label", None) and item.name not in item.nodeid:
            from _pytest.nodeid import NodeId

            item._id = NodeId.parse(f"{item.parent.nodeid}::{item.name}")
    counts: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        counts[path] = counts.get(path, 0) + 1

    def rank(item) -> tuple:
        path = item.nodeid.split("::", 1)[0]
        first = SLOW_FILES_FIRST.index(path) if path in SLOW_FILES_FIRST else len(SLOW_FILES_FIRST)
        return (first, -counts[path], path)

    items.sort(key=rank)
