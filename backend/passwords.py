"""Password links over the API: set a password from a link's uid and token, and ask for a link.

Asking answers 202 with the same body whatever the address, and the email goes out from the
worker, so neither the answer nor its timing tells whether an account exists. The asking is
throttled per client address and per email address asked for, every request counting.
"""

from typing import TYPE_CHECKING, Annotated, TypeAlias

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, StrictStr
from pydantic_core import PydanticCustomError

from backend.signin import FailedSignInThrottle, refuse_when_throttled
from cms.errors import error_responses
from cms.fields import Text, without_controls
from cms.handoff import after_commit
from learning import tasks
from learning.people.invitations import set_password_from_link


def _email_address(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise PydanticCustomError("email", "is not an email address") from None
    return value


if TYPE_CHECKING:
    # mypy reads no call in an annotation; to it each of these is the str it validates to.
    _LinkPart: TypeAlias = str
    _Email: TypeAlias = str
else:
    _LinkPart = Text(max_length=128)
    _Email = Annotated[Text(max_length=254), AfterValidator(_email_address)]

# Any character but controls (NUL among them) may be in a new password, spaces kept as typed.
_Password = Annotated[StrictStr, Field(min_length=1, max_length=1024), without_controls()]


class PasswordSetIn(Schema):
    model_config = {"extra": "forbid"}

    uid: _LinkPart = Field(description="The link's `uid` query parameter.")
    token: _LinkPart = Field(description="The link's `token` query parameter.")
    password: _Password = Field(description="The new password.")


class PasswordSetOut(Schema):
    username: str = Field(description="The account's username, to sign in with (POST /auth/token).")


class PasswordResetIn(Schema):
    model_config = {"extra": "forbid"}

    email: _Email = Field(examples=["dana@example.com"])


class PasswordResetOut(Schema):
    detail: str


RESET_ANSWER = (
    "If an active account has this email address, a link to set its password is on its way."
)


def password_reset_throttles() -> list[FailedSignInThrottle]:
    """Requests for password links per email address asked for and per client address, every
    request counting, in histories apart from the sign-in's."""
    return [
        FailedSignInThrottle(
            settings.API_PASSWORD_RESET_PER_EMAIL, per="username", scope="password_reset"
        ),
        FailedSignInThrottle(
            settings.API_PASSWORD_RESET_PER_ADDRESS, per="address", scope="password_reset"
        ),
    ]


router = Router(tags=["auth"])


@router.post(
    "/auth/password/set",
    auth=None,
    response={200: PasswordSetOut, **error_responses(422)},
    summary="Set a password from a link",
    operation_id="set_password",
)
def set_password(request: HttpRequest, payload: PasswordSetIn):
    """Set the password with the `uid` and `token` of an invitation or password link.

    The link works once and expires (7 days unless configured otherwise); a spent, expired or
    garbled link is 422 naming `token` (or `uid`), a password Django's validators refuse is 422
    naming `password` with their messages. Setting it signs the app out on every device; sign
    in again with POST /auth/token.
    """
    user = set_password_from_link(payload.uid, payload.token, payload.password, now=timezone.now())
    return {"username": user.get_username()}


@router.post(
    "/auth/password/reset",
    auth=None,
    response={202: PasswordResetOut, **error_responses(422, 429)},
    summary="Ask for a password link",
    operation_id="request_password_reset",
)
def request_password_reset(request: HttpRequest, payload: PasswordResetIn):
    """Email a link to set a new password to every active account with this address.

    Always the same 202 answer, whether or not such an account exists. Throttled per client
    address and per email address: 429 with Retry-After past the limit.
    """
    request._signin_username = payload.email.lower()  # type: ignore[attr-defined]  # the throttles' key
    throttles = password_reset_throttles()
    refuse_when_throttled(request, throttles, attempts="password requests")
    for throttle in throttles:
        throttle.record_failure(request)
    email = payload.email
    # The broker down: the email is sent from here, rather than lost.
    after_commit(tasks.send_password_link, email, if_broker_down="inline")
    return Status(202, {"detail": RESET_ANSWER})
