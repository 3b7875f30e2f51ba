"""POST /auth/password/set and /auth/password/reset, and the web page a link opens: followed from
the email a real SMTP server on loopback received, then signed in with through POST /auth/token."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from backend.celery import app as celery_app
from learning.people.invitations import send_invitations
from tests.factories import UserFactory, newcomer
from tests.smtp_server import body, link_params, links

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kettle-harbour-violet-29"


@pytest.fixture
def eager_celery():
    """The reset's email task runs in-process when enqueued: the real task, no broker round trip."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def invited_link(mailbox, user) -> str:
    send_invitations([user], now=timezone.now())
    return links(mailbox.to(user.email)[-1])[1]  # the web page's


def sign_in(client, username, password):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, "device_name": "Dana's phone"},
        content_type="application/json",
    )


# --- The web page ----------------------------------------------------------------------------------


def test_the_web_page_from_the_email_sets_the_password_and_the_app_signs_in_with_it(smtp_server):
    dana = newcomer()
    link = invited_link(smtp_server, dana)
    browser = Client(enforce_csrf_checks=True)
    path = link.removeprefix("http://127.0.0.1:8000")

    page = browser.get(path)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Set your password" in html
    assert "Open in the app" in html
    params = link_params(link)
    assert (
        f'href="micromoments://set-password?uid={params["uid"]}&amp;token={params["token"]}"'
        in html
    )
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    done = browser.post(
        path,
        {"csrfmiddlewaretoken": csrf, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 200, done.content.decode()[:2000]
    assert "Your password is set" in done.content.decode()
    assert sign_in(Client(), "dana", NEW_PASSWORD).status_code == 200
    dana.refresh_from_db()
    assert dana.last_login is not None
    # Spent: the page says so, and the form is gone.
    again = browser.get(path)
    assert again.status_code == 410
    assert "This link has expired or has already been used" in again.content.decode()
    assert "<form" not in again.content.decode()


def test_the_page_refuses_a_weak_or_mismatched_password_and_keeps_the_link(smtp_server):
    dana = newcomer()
    path = invited_link(smtp_server, dana).removeprefix("http://127.0.0.1:8000")
    browser = Client()

    weak = browser.post(path, {"new_password1": "dana", "new_password2": "dana"})
    differ = browser.post(path, {"new_password1": NEW_PASSWORD, "new_password2": "other-29-x"})

    assert weak.status_code == 200
    assert "This password is too short" in weak.content.decode()
    assert "The two passwords differ." in differ.content.decode()
    dana.refresh_from_db()
    assert not dana.has_usable_password()
    assert browser.get(path).status_code == 200


def test_the_page_without_csrf_is_refused(smtp_server):
    dana = newcomer()
    path = invited_link(smtp_server, dana).removeprefix("http://127.0.0.1:8000")

    response = Client(enforce_csrf_checks=True).post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 403
    dana.refresh_from_db()
    assert not dana.has_usable_password()


@pytest.mark.parametrize(
    "query", ["", "?uid=&token=", "?uid=MQ&token=nope", "?uid=%00&token=%00", "?uid=" + "A" * 5000]
)
def test_the_page_for_a_garbled_link_says_it_is_spent(client, query):
    response = client.get("/set-password/" + query)
    assert response.status_code == 410
    assert "This link has expired or has already been used" in response.content.decode()


# --- POST /auth/password/set -----------------------------------------------------------------------


def set_password(client, **payload):
    return client.post("/api/v1/auth/password/set", payload, content_type="application/json")


def test_the_app_link_sets_the_password_once_and_signs_in(client, smtp_server):
    dana = newcomer()
    send_invitations([dana], now=timezone.now())
    app_link = links(smtp_server.messages[0])[0]
    assert app_link.startswith("micromoments://set-password?")

    response = set_password(client, **link_params(app_link), password=NEW_PASSWORD)

    assert response.status_code == 200
    assert response.json() == {"username": "dana"}
    assert sign_in(client, "dana", NEW_PASSWORD).status_code == 200
    again = set_password(client, **link_params(app_link), password="another-" + NEW_PASSWORD)
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {
            "field": "token",
            "message": "This link has expired or has already been used: ask for a new one.",
        }
    ]
    assert sign_in(client, "dana", NEW_PASSWORD).status_code == 200


def test_an_expired_link_is_refused(client, smtp_server, settings):
    settings.PASSWORD_RESET_TIMEOUT = 1
    dana = newcomer()
    send_invitations([dana], now=timezone.now())
    params = link_params(links(smtp_server.messages[0])[0])
    import time

    time.sleep(2.1)  # Django's tokens count whole seconds

    response = set_password(client, **params, password=NEW_PASSWORD)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "token"


def test_a_password_the_validators_refuse_is_422_naming_password(client, smtp_server):
    dana = newcomer()
    send_invitations([dana], now=timezone.now())
    params = link_params(links(smtp_server.messages[0])[0])

    response = set_password(client, **params, password="12345678")

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"password"}
    assert "This password is too common." in [e["message"] for e in errors]
    assert "password" in response.json()["detail"]
    # The link is still good for a better password.
    assert set_password(client, **params, password=NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"uid": "MQ", "token": "a-b", "password": "x\x00y" + NEW_PASSWORD}, "password"),
        ({"uid": "M\x00Q", "token": "a-b", "password": NEW_PASSWORD}, "uid"),
        ({"uid": "MQ", "token": "a\nb", "password": NEW_PASSWORD}, "token"),
        ({"uid": "MQ", "token": "a-b", "password": "x" * 1025}, "password"),
        ({"uid": "A" * 65, "token": "a-b", "password": NEW_PASSWORD}, "uid"),
        ({"uid": "MQ", "token": "t" * 129, "password": NEW_PASSWORD}, "token"),
        ({"uid": "   ", "token": "a-b", "password": NEW_PASSWORD}, "uid"),
        ({"uid": "MQ", "token": "a-b", "password": ""}, "password"),
        ({"uid": "MQ", "token": 5, "password": NEW_PASSWORD}, "token"),
        ({"uid": "OTIyMzM3MjAzNjg1NDc3NTgwOA", "token": "a-b", "password": NEW_PASSWORD}, "uid"),
        ({"uid": "_-_-", "token": "a-b", "password": NEW_PASSWORD}, "uid"),
    ],
)
def test_hostile_input_to_set_is_422_naming_the_field(client, payload, field):
    response = set_password(client, **payload)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]


# --- POST /auth/password/reset ---------------------------------------------------------------------


def reset(client, email, **extra):
    return client.post(
        "/api/v1/auth/password/reset",
        {"email": email},
        content_type="application/json",
        **extra,
    )


def test_reset_answers_alike_for_a_known_an_unknown_and_an_inactive_address(
    client, smtp_server, eager_celery, django_capture_on_commit_callbacks
):
    UserFactory(username="sam", email="sam@brightwave.example")
    UserFactory(username="gone", email="gone@brightwave.example", is_active=False)

    answers = {}
    for email in ["nobody@brightwave.example", "gone@brightwave.example", "SAM@brightwave.example"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = reset(client, email)
        answers[email] = (response.status_code, response.json(), sorted(response.headers))

    assert len(set(map(repr, answers.values()))) == 1
    status, answer, _ = answers["nobody@brightwave.example"]
    assert status == 202
    assert answer == {
        "detail": "If an active account has this email address, "
        "a link to set its password is on its way."
    }
    assert [m["To"] for m in smtp_server.messages] == ["sam@brightwave.example"]


def test_the_reset_link_sets_a_new_password_that_signs_in(
    client, smtp_server, eager_celery, django_capture_on_commit_callbacks
):
    UserFactory(username="sam", email="sam@brightwave.example")
    with django_capture_on_commit_callbacks(execute=True):
        reset(client, "sam@brightwave.example")
    [message] = smtp_server.messages
    assert "asked for a new password" in body(message, "plain")
    assert "asked for a new password" in body(message, "html")

    response = set_password(client, **link_params(links(message)[0]), password=NEW_PASSWORD)

    assert response.status_code == 200
    assert sign_in(client, "sam", NEW_PASSWORD).status_code == 200
    assert sign_in(client, "sam", "pw-for-tests").status_code == 401


def test_reset_is_throttled_per_email_address_whoever_asks(client, settings):
    settings.API_PASSWORD_RESET_PER_EMAIL = "3/h"
    for n in range(3):
        assert (
            reset(client, "Sam@brightwave.example", REMOTE_ADDR=f"203.0.113.{n}").status_code == 202
        )
    refused = reset(client, "sam@BRIGHTWAVE.example", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"].startswith("Too many password requests")
    assert reset(client, "lee@brightwave.example", REMOTE_ADDR="203.0.113.9").status_code == 202


def test_reset_is_throttled_per_client_address_whatever_it_asks(client, settings):
    settings.API_PASSWORD_RESET_PER_ADDRESS = "10/h"
    for n in range(10):
        assert (
            reset(client, f"p{n}@brightwave.example", REMOTE_ADDR="198.51.100.7").status_code == 202
        )
    assert reset(client, "p99@brightwave.example", REMOTE_ADDR="198.51.100.7").status_code == 429
    assert reset(client, "p99@brightwave.example", REMOTE_ADDR="198.51.100.8").status_code == 202


def test_reset_does_not_count_towards_sign_in_failures(client, settings):
    # Both keep a history per address: under keys of their own.
    UserFactory(username="dana", email="dana@brightwave.example")
    for n in range(10):
        reset(client, f"p{n}@brightwave.example", REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "dana", "pw-for-tests").status_code == 200


@pytest.mark.parametrize(
    "email",
    [
        "",
        "   ",
        "not-an-address",
        "a\x00@brightwave.example",
        "a@b.example\n",
        "x" * 300 + "@b.example",
        7,
    ],
)
def test_hostile_input_to_reset_is_422_naming_email(client, email):
    response = reset(client, email)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["email"]


def test_the_openapi_declares_both_operations_with_their_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    set_op = paths["/api/v1/auth/password/set"]["post"]
    reset_op = paths["/api/v1/auth/password/reset"]["post"]
    assert set_op["operationId"] == "set_password"
    assert reset_op["operationId"] == "request_password_reset"
    assert "security" not in set_op
    assert "security" not in reset_op
    assert {"200", "422", "429"} <= set(set_op["responses"])
    assert {"202", "422", "429"} <= set(reset_op["responses"])
    error = {"$ref": "#/components/schemas/ErrorOut"}
    assert set_op["responses"]["422"]["content"]["application/json"]["schema"] == error
    assert reset_op["responses"]["429"]["content"]["application/json"]["schema"] == error
