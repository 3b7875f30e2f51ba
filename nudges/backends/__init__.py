"""Push backends, chosen by settings.NUDGES_PUSH_BACKEND (a dotted path), as EMAIL_BACKEND is."""

import os

from django.conf import settings
from django.utils.module_loading import import_string

from nudges.backends.base import Outcome, Push, PushBackend, Status

CONSOLE_BACKEND = "nudges.backends.console.ConsoleBackend"
FCM_BACKEND = "nudges.backends.fcm.FCMBackend"

__all__ = ["Outcome", "Push", "PushBackend", "Status", "backend_path", "get_backend"]


def backend_path() -> str:
    """The configured backend; without a setting, FCM when Firebase credentials are configured."""
    configured = getattr(settings, "NUDGES_PUSH_BACKEND", None)
    if configured:
        return configured
    has_credentials = getattr(settings, "FIREBASE_CREDENTIALS_FILE", "") or os.environ.get(
        "GOOGLE_APPLICATION_CREDENTIALS"
    )
    return FCM_BACKEND if has_credentials else CONSOLE_BACKEND


def get_backend(path: str | None = None, **kwargs) -> PushBackend:
    return import_string(path or backend_path())(**kwargs)
