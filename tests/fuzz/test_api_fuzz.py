"""A schema-driven fuzzer over every operation of /api/v1/: no server error, whatever arrives, and
every answer as the OpenAPI declares it (status code, content type, body schema).

Examples are bounded and derandomised, so a run is stable; `make fuzz` runs more of them
(FUZZ_EXAMPLES). Requests go through the whole WSGI stack, middleware included.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from backend.auth import issue_token
from tests.factories import LearnerFactory, publish_module, question

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def _keep_test_connection():
    # As Django's test client does: the WSGI handler would close the connection that holds the
    # test's transaction at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def people(db, _keep_test_connection):
    """A learner with a module to look at, and a manager with that learner as a report."""
    manager = LearnerFactory(user__username="fuzz-manager")
    learner = LearnerFactory(user__username="fuzz-learner", manager=manager.user)
    publish_module(title="Refunds", body=[question()])
    return {"learner": learner.user, "manager": manager.user}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_fails_or_strays_from_its_schema(case, people):
    who = "manager" if case.path.startswith("/manager/") else "learner"
    # A fresh token each call: a fuzzed sign-out revokes the one it was sent with.
    token = issue_token(people[who], device_name=f"fuzz-{who}", now=timezone.now()).token
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
