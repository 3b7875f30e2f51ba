"""The push backend and FCM's address are chosen once, in settings, from the environment."""

import runpy

import pytest

import backend.settings
from nudges.backends.fcm import FCMBackend

CONSOLE = "nudges.backends.console.ConsoleBackend"
FCM = "nudges.backends.fcm.FCMBackend"
_ENV = (
    "NUDGES_PUSH_BACKEND",
    "NUDGES_FCM_BASE_URL",
    "FIREBASE_CREDENTIALS_FILE",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


def settings_with(monkeypatch, **env: str) -> dict:
    """backend/settings.py read afresh with only `env` of the push variables set."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(backend.settings.__file__)


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, CONSOLE),
        ({"NUDGES_PUSH_BACKEND": ""}, CONSOLE),
        ({"FIREBASE_CREDENTIALS_FILE": "/secrets/firebase.json"}, FCM),
        ({"GOOGLE_APPLICATION_CREDENTIALS": "/secrets/firebase.json"}, FCM),
        (
            {
                "GOOGLE_APPLICATION_CREDENTIALS": "/secrets/firebase.json",
                "NUDGES_PUSH_BACKEND": CONSOLE,
            },
            CONSOLE,
        ),
    ],
)
def test_fcm_is_chosen_only_when_credentials_are_configured_unless_a_backend_is_named(
    monkeypatch, env, backend
):
    assert settings_with(monkeypatch, **env)["NUDGES_PUSH_BACKEND"] == backend


@pytest.mark.parametrize("env", [{}, {"NUDGES_FCM_BASE_URL": ""}])
def test_without_a_base_url_the_backend_sends_to_google(fcm, settings, monkeypatch, env):
    settings.NUDGES_FCM_BASE_URL = settings_with(monkeypatch, **env)["NUDGES_FCM_BASE_URL"]
    assert FCMBackend().base_url == "https://fcm.googleapis.com"
    settings.NUDGES_FCM_BASE_URL = "http://127.0.0.1:9/"
    assert FCMBackend().base_url == "http://127.0.0.1:9"
