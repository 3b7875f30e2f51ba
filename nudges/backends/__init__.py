"""Push backends, chosen by settings.NUDGES_PUSH_BACKEND (a dotted path), as EMAIL_BACKEND is.

Settings decide the default (FCM when Firebase credentials are configured, else the console).
"""

from django.conf import settings
from django.utils.module_loading import import_string

from nudges.backends.base import Outcome, Push, PushBackend, Status

__all__ = ["Outcome", "Push", "PushBackend", "Status", "get_backend"]


def get_backend(path: str | None = None, **kwargs) -> PushBackend:
    return import_string(path or settings.NUDGES_PUSH_BACKEND)(**kwargs)
