"""The API's edge: one error shape for everything under /api/, declared in the OpenAPI, and a 4xx
(never a 500) for ids beyond 64 bits, NUL bytes, bad JSON and oversized bodies."""

import json
import time

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.utils import timezone
from wagtail.models import APIToken

from backend.auth import issue_token
from tests.factories import LearnerFactory, token_client

TOO_BIG = "9223372036854775808"  # 2**63: one past PostgreSQL's bigint


def assert_error_shape(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
    return body


# --- Anything under /api/ is JSON -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/"),
        ("get", "/api/v2/modules"),
        ("get", "/api/v1/no-such-thing"),
        ("get", "/api/v1/me/"),  # a slash too many: no redirect
        ("post", "/api/v1/events/"),  # APPEND_SLASH used to 500 on a POST
        ("post", "/api/v1/devices/abc"),
        ("delete", "/api/v1/devices/-1"),
    ],
)
def test_an_unknown_api_path_is_a_json_404(db, method, path):
    body = assert_error_shape(getattr(Client(), method)(path), 404)
    assert path in body["detail"]


def test_a_known_path_with_the_wrong_method_is_a_json_405_with_allow(api_client):
    response = api_client.put("/api/v1/me")
    assert_error_shape(response, 405)
    assert response["Allow"] == "GET"


# --- Bad bodies ------------------------------------------------------------------------------------


def test_invalid_json_is_422_on_body(api_client):
    response = api_client.post("/api/v1/events", '{"events": [', content_type="application/json")
    body = assert_error_shape(response, 422)
    assert body["errors"][0]["field"] == "body"


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "text/plain", ""])
def test_a_body_that_is_not_json_is_415(api_client, content_type):
    response = api_client.post(
        "/api/v1/devices", '{"fid": "abc", "platform": "ios"}', content_type=content_type
    )
    assert_error_shape(response, 415)


def test_sign_in_with_a_form_body_is_415_not_a_500(db):
    # django-axes read such a body as a broken multipart form after a failed sign-in.
    response = Client().post(
        "/api/v1/auth/token",
        '{"username": "0", "password": "x", "device_name": "0"}',
        content_type="multipart/form-data",
    )
    assert_error_shape(response, 415)


def test_a_body_over_the_limit_is_413(api_client, settings):
    settings.API_MAX_BODY_BYTES = 1000
    events = [{"id": "x" * 100}] * 20
    response = api_client.post(
        "/api/v1/events", {"events": events}, content_type="application/json"
    )
    assert_error_shape(response, 413)


def test_a_nul_in_a_body_is_422_naming_its_field(api_client):
    response = api_client.post(
        "/api/v1/devices",
        json.dumps({"fid": "abc\u0000def", "platform": "ios"}),
        content_type="application/json",
    )
    body = assert_error_shape(response, 422)
    assert body["errors"][0]["field"] == "fid"


def test_a_nul_in_a_query_is_422_naming_the_parameter(api_client):
    body = assert_error_shape(api_client.get("/api/v1/me/today?minutes=5%00"), 422)
    assert body["errors"][0]["field"] == "minutes"


@pytest.mark.parametrize("field", ["token", "fid"])
@pytest.mark.parametrize("value", ["", "   ", "\t", "ab\u0007cd", "ab\ncd"])
def test_a_blank_or_control_character_push_address_is_422(api_client, field, value):
    response = api_client.post(
        "/api/v1/devices", {field: value, "platform": "android"}, content_type="application/json"
    )
    body = assert_error_shape(response, 422)
    assert body["errors"][0]["field"] == field


def test_preferences_refuse_null_as_the_schema_says(api_client):
    response = api_client.patch(
        "/api/v1/me/preferences", {"daily_cap": None}, content_type="application/json"
    )
    body = assert_error_shape(response, 422)
    assert body["errors"][0]["field"] == "daily_cap"
    schema = Client().get("/api/v1/openapi.json").json()
    daily_cap = schema["components"]["schemas"]["PreferencesPatch"]["properties"]["daily_cap"]
    assert daily_cap == {
        "type": "integer",
        "minimum": 0,
        "maximum": 10,
        "title": "Daily Cap",
        "description": "Nudges a day at most, 0–10.",
    }


# --- Ids and pages beyond 64 bits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", f"/api/v1/journeys/{TOO_BIG}", "journey_id"),
        ("get", f"/api/v1/journeys?page={TOO_BIG}", "page"),
        ("get", f"/api/v1/manager/team?page={TOO_BIG}", "page"),
        ("get", f"/api/v1/manager/team?page_size={TOO_BIG}", "page_size"),
        ("get", f"/api/v1/manager/learners/{TOO_BIG}", "learner_id"),
        ("post", f"/api/v1/manager/activities/{TOO_BIG}/confirm", "activity_id"),
        ("delete", f"/api/v1/devices/{TOO_BIG}", "device_id"),
        ("get", f"/api/v1/journeys/{TOO_BIG}0000000000000000000", "journey_id"),
    ],
)
def test_an_id_beyond_64_bits_is_422_naming_it(api_client, method, path, field):
    body = assert_error_shape(getattr(api_client, method)(path), 422)
    assert body["errors"][0]["field"] == field


def test_the_largest_id_is_simply_not_found(api_client):
    assert_error_shape(api_client.get("/api/v1/journeys/9223372036854775807"), 404)


def test_a_page_past_the_end_is_empty_not_an_error(api_client):
    response = api_client.get("/api/v1/journeys?page=1000000")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_not_found_names_no_model(api_client):
    body = assert_error_shape(api_client.get("/api/v1/journeys/12345"), 404)
    assert "Enrollment" not in body["detail"]
    assert "matches the given query" not in body["detail"]


def test_a_user_without_a_learner_profile_gets_404_in_the_one_shape(db):
    from tests.factories import UserFactory

    author = token_client(UserFactory(username="author"))
    assert_error_shape(author.get("/api/v1/me"), 404)


# --- Throttling --------------------------------------------------------------------------------------


def _request_with_token(user, device_name="Phone"):
    issued = issue_token(user, device_name=device_name, now=timezone.now())
    request = RequestFactory().get("/api/v1/me")
    request.auth = APIToken.objects.get(prefix=issued.token[:16])
    return request


def test_each_token_has_its_own_request_rate(db):
    from backend.api import TokenRateThrottle

    throttle = TokenRateThrottle("3/min")
    # Same device name, different people: ninja's own AuthRateThrottle would share one bucket.
    dana, lee = (
        _request_with_token(LearnerFactory().user),
        _request_with_token(LearnerFactory().user),
    )
    assert [throttle.allow_request(dana) for _ in range(4)] == [True, True, True, False]
    assert throttle.allow_request(lee)


def test_a_throttled_request_is_429_with_retry_after(api_client, settings):
    from backend.api import api

    (throttle,) = [t for t in api.throttle if t.__class__.__name__ == "TokenRateThrottle"]
    request = api_client.get("/api/v1/me").wsgi_request
    # A burst of requests that uses up the rest of the window.
    while throttle.allow_request(request):
        pass
    response = api_client.get("/api/v1/me")
    assert_error_shape(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.parametrize("store", ["redis", "django cache"])
def test_the_window_slides_and_a_refused_request_is_not_counted(db, settings, store):
    from backend.throttles import TokenRateThrottle

    if store == "django cache":
        settings.REDIS_URL = ""  # the quick-start's path: Django's cache API
    throttle = TokenRateThrottle("10/min")
    start = 60 * (int(time.time()) // 60 + 1000)  # a window start no earlier run has used
    throttle.timer = lambda: start + 1
    request = _request_with_token(LearnerFactory().user)
    assert [throttle.allow_request(request) for _ in range(11)] == [True] * 10 + [False]
    # This window's ten fade only as the next one goes on: 10 x (1 - t/60) <= 9 from t = 6 s.
    assert throttle.wait() == 65
    # Half way through the next window the last one's ten weigh five: five more fit.
    throttle.timer = lambda: start + 90
    assert [throttle.allow_request(request) for _ in range(6)] == [True] * 5 + [False]
    # 10 x (1 - t/60) + 5 <= 9 from t = 36 s into this window: 6 s from now.
    assert throttle.wait() == 6
    throttle.timer = lambda: start + 96
    assert throttle.allow_request(request)  # the refused ones were not counted


# --- The OpenAPI ------------------------------------------------------------------------------------


@pytest.fixture
def openapi(db):
    return Client().get("/api/v1/openapi.json").json()


def _operations(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_declares_its_errors_with_the_one_schema(openapi):
    assert openapi["components"]["schemas"]["ErrorOut"]["required"] == ["detail", "errors"]
    for path, method, operation in _operations(openapi):
        responses = operation["responses"]
        assert "429" in responses, (method, path)
        if operation.get("security"):
            assert "401" in responses, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, (method, path)
        if operation.get("requestBody"):
            assert "413" in responses, (method, path)
            assert "415" in responses, (method, path)
        for status, response in responses.items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
                assert response["description"] != "OK"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/journeys/{journey_id}", "404"),
        ("get", "/api/v1/manager/learners/{learner_id}", "404"),
        ("post", "/api/v1/manager/activities/{activity_id}/confirm", "409"),
        ("delete", "/api/v1/devices/{device_id}", "404"),
        ("post", "/api/v1/auth/token", "401"),
    ],
)
def test_domain_errors_are_declared_where_they_happen(openapi, method, path, status):
    assert status in openapi["paths"][path][method]["responses"]


def test_no_operation_carries_a_tag_twice(openapi):
    # A router mounted inside another one with the same tag was listed twice under it in the docs.
    for path, method, operation in _operations(openapi):
        assert len(operation["tags"]) == len(set(operation["tags"])), (method, path)
    assert openapi["paths"]["/api/v1/devices"]["post"]["tags"] == ["nudges"]


def test_ids_are_bounded_in_the_schema(openapi):
    parameters = openapi["paths"]["/api/v1/journeys/{journey_id}"]["get"]["parameters"]
    (journey_id,) = [p for p in parameters if p["name"] == "journey_id"]
    assert journey_id["schema"]["maximum"] == 2**63 - 1
    assert journey_id["schema"]["minimum"] == 1


def test_the_docs_need_no_internet(db):
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    # Served from our static files (collectstatic in the image, finders in development).
    assert finders.find("ninja/swagger-ui-bundle.js")
