import pytest
from django.conf import settings


def pytest_configure(config):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", (
        "The suite runs on PostgreSQL: run it with `make test` (or set DATABASE_URL)."
    )
    assert settings.REDIS_URL, "The suite runs on Redis: run it with `make test` (or set REDIS_URL)."


@pytest.fixture
def library(db):
    from cms.models import ModuleIndexPage

    return ModuleIndexPage.objects.get()
