"""Firebase Cloud Messaging through firebase-admin (HTTP v1), on a named App of our own.

Credentials: settings.FIREBASE_CREDENTIALS_FILE (a service-account JSON) or, without it, Google's
application default credentials (GOOGLE_APPLICATION_CREDENTIALS, or the metadata server on GCP).
The service account's own `token_uri` decides where OAuth tokens come from.

settings.NUDGES_FCM_BASE_URL (default https://fcm.googleapis.com) moves the messages endpoint, for
a loopback stand-in in tests and staging; `_route()` is the only place that applies it.
"""

import datetime
import email.utils
import hashlib
import threading
import warnings
from collections.abc import Sequence

import firebase_admin
from django.conf import settings
from firebase_admin import credentials, exceptions, messaging
from google.auth.exceptions import GoogleAuthError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from cms.metrics import FCM_SECONDS
from nudges.backends.base import (
    Outcome,
    Push,
    PushBackend,
    Status,
    apns_headers,
    webpush_headers,
)

HTTP_TIMEOUT_SECONDS = 20
# At most this long a worker thread sleeps on a 503's Retry-After inside one request; a longer
# wait is the sender's business (it reschedules the nudge).
INLINE_RETRY_AFTER_MAX = 30

_RETRYABLE = (
    messaging.QuotaExceededError,
    exceptions.ResourceExhaustedError,
    exceptions.UnavailableError,
    exceptions.InternalError,
    exceptions.DeadlineExceededError,
    exceptions.UnknownError,
)
_ADDRESS_FIELDS = {"message.token", "message.fid"}

_apps: dict[tuple, firebase_admin.App] = {}
_apps_lock = threading.Lock()
_token_lock = threading.Lock()


class _TransportRetry(Retry):
    """firebase-admin's retry policy, except that a 429 is not slept on inside the request.

    urllib3 honours a 429's Retry-After by sleeping (up to 6 hours by default) in the worker;
    QUOTA_EXCEEDED is instead handed back at once, and the sender reschedules the nudge for after
    Retry-After. 500 and 503 are retried in-request as the library does.
    """

    RETRY_AFTER_STATUS_CODES = frozenset({503})


def _transport_retry(status_retries: int) -> Retry:
    return _TransportRetry(
        connect=1,
        read=1,
        status=status_retries,
        status_forcelist=[500, 503],
        backoff_factor=0.5,
        raise_on_status=False,
        allowed_methods=None,  # POST too: an FCM send is idempotent enough for a lost answer
        retry_after_max=INLINE_RETRY_AFTER_MAX,
    )


class FCMBackend(PushBackend):
    max_batch = 500  # send_each's limit

    def __init__(
        self,
        *,
        credentials_file: str | None = None,
        base_url: str | None = None,
        http_retries: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.credentials_file = credentials_file or settings.FIREBASE_CREDENTIALS_FILE
        self.base_url = (base_url or settings.NUDGES_FCM_BASE_URL).rstrip("/")
        self.http_retries = (
            http_retries if http_retries is not None else settings.NUDGES_FCM_HTTP_RETRIES
        )
        self.app = _app(self.credentials_file, self.base_url, self.http_retries)

    def send(self, pushes: Sequence[Push], *, now: datetime.datetime) -> list[Outcome]:
        if not pushes:  # send_each([]) fails
            return []
        if len(pushes) > self.max_batch:
            raise ValueError(f"At most {self.max_batch} pushes per call, got {len(pushes)}.")
        messages = [message(push, now=now) for push in pushes]
        try:
            _fresh_token(self.app)
        except GoogleAuthError as exc:
            outcome = Outcome(Status.RETRYABLE, error_code="AUTH_ERROR", detail=str(exc)[:200])
            return [outcome] * len(pushes)
        try:
            with FCM_SECONDS.time():
                batch = messaging.send_each(messages, app=self.app)
        except exceptions.FirebaseError as exc:
            # The call as a whole failed (e.g. no OAuth token could be had): nothing was sent.
            outcome = Outcome(Status.RETRYABLE, error_code=exc.code, detail=str(exc)[:200])
            return [outcome] * len(pushes)
        return [_outcome(response, now=now) for response in batch.responses]


def _fresh_token(app: firebase_admin.App) -> None:
    """Refresh the OAuth token once, before the batch: send_each's threads would otherwise each
    find it missing and ask the token endpoint at the same moment (up to 500 times)."""
    if app.credential.get_credential().valid:
        return
    with _token_lock:
        if not app.credential.get_credential().valid:
            app.credential.get_access_token()


def message(push: Push, *, now: datetime.datetime) -> messaging.Message:
    """The push as a firebase-admin Message, addressed the way the device registered."""
    fields = {
        "notification": messaging.Notification(title=push.title, body=push.body),
        "data": push.data,
        "android": messaging.AndroidConfig(
            collapse_key=push.kind,
            priority="high",
            ttl=datetime.timedelta(seconds=push.ttl_seconds(now)),
            notification=messaging.AndroidNotification(tag=push.tag),
        ),
        "apns": messaging.APNSConfig(headers=apns_headers(push)),
        "webpush": messaging.WebpushConfig(
            headers=webpush_headers(push, now=now),
            notification=messaging.WebpushNotification(tag=push.tag),
        ),
    }
    if push.fid:
        return messaging.Message(fid=push.fid, **fields)
    with warnings.catch_warnings():
        # Message.token is deprecated in favour of fid, but older apps only have a token.
        warnings.simplefilter("ignore", DeprecationWarning)
        return messaging.Message(token=push.token, **fields)


def _outcome(response: messaging.SendResponse, *, now: datetime.datetime) -> Outcome:
    if response.success:
        return Outcome.sent(response.message_id)
    exc: exceptions.FirebaseError = response.exception
    fcm_code, status_message, fields = _error_details(exc)
    detail = (status_message or str(exc))[:200]
    if isinstance(exc, messaging.UnregisteredError):
        return Outcome(Status.UNREGISTERED, error_code="UNREGISTERED", detail=detail)
    if isinstance(exc, exceptions.InvalidArgumentError) and (
        fields & _ADDRESS_FIELDS or "registration token" in detail.lower()
    ):
        return Outcome(Status.INVALID_TOKEN, error_code="INVALID_ARGUMENT", detail=detail)
    if isinstance(exc, _RETRYABLE):
        if exc.http_response is None:
            code = "DEADLINE_EXCEEDED" if exc.code == exceptions.DEADLINE_EXCEEDED else ""
            return Outcome(
                Status.RETRYABLE, error_code=code or "CONNECTION_ERROR", detail=str(exc)[:200]
            )
        return Outcome(
            Status.RETRYABLE,
            error_code=fcm_code or exc.code,
            detail=detail,
            retry_after=_retry_after(exc.http_response.headers.get("Retry-After"), now=now),
        )
    return Outcome(Status.FAILED, error_code=fcm_code or exc.code, detail=detail)


def _error_details(exc: exceptions.FirebaseError) -> tuple[str, str, set[str]]:
    """FCM's errorCode, its message and the fields a BadRequest names, from the error body."""
    if exc.http_response is None:
        return "", "", set()
    try:
        error = exc.http_response.json().get("error", {})
    except ValueError:
        return "", "", set()
    fcm_code, fields = "", set()
    for detail in error.get("details", []):
        kind = detail.get("@type", "")
        if kind.endswith("google.firebase.fcm.v1.FcmError"):
            fcm_code = detail.get("errorCode", "")
        elif kind.endswith("google.rpc.BadRequest"):
            fields |= {v.get("field", "") for v in detail.get("fieldViolations", [])}
    return fcm_code, error.get("message", ""), fields


def _retry_after(value: str | None, *, now: datetime.datetime) -> float | None:
    """Retry-After in seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - now).total_seconds())


def _app(credentials_file: str, base_url: str, http_retries: int) -> firebase_admin.App:
    """Our own named firebase_admin App per configuration (never the default app: others may
    use it), created once per process."""
    key = (credentials_file, base_url, http_retries)
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            credential = (
                credentials.Certificate(credentials_file)
                if credentials_file
                else credentials.ApplicationDefault()
            )
            name = "micromoments-nudges-" + hashlib.sha256(repr(key).encode()).hexdigest()[:12]
            app = firebase_admin.initialize_app(
                credential, {"httpTimeout": HTTP_TIMEOUT_SECONDS}, name=name
            )
            _route(app, base_url=base_url, http_retries=http_retries)
            _apps[key] = app
        return app


def _route(app: firebase_admin.App, *, base_url: str, http_retries: int) -> None:
    """Point the App's messaging service at `base_url`, with a connection pool and retry policy.

    firebase-admin fixes the endpoint (_MessagingService.FCM_URL) and mounts its pooled adapter
    on https://fcm.googleapis.com only: this is the one place that reaches into it. The pool is
    as large as send_each's thread pool (one thread per message, up to 500), so connections are
    kept between calls instead of being opened and discarded.
    """
    service = messaging._get_messaging_service(app)
    service._fcm_url = f"{base_url}/v1/projects/{app.project_id}/messages:send"
    adapter = HTTPAdapter(
        pool_connections=1,
        pool_maxsize=FCMBackend.max_batch,
        max_retries=_transport_retry(http_retries),
    )
    service._client.session.mount(base_url, adapter)


def close_apps() -> None:
    """Delete our Apps (tests point each at a new stand-in; a worker never needs this)."""
    with _apps_lock:
        for app in _apps.values():
            messaging._get_messaging_service(app)._client.session.close()
            firebase_admin.delete_app(app)
        _apps.clear()
