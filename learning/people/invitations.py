"""Ways in by email: invitations for new people, password links on request, and setting the
password from such a link.

Every link carries Django's password-reset token (`default_token_generator`): it hashes the
password and last_login, so setting the password spends it, and it expires after
PASSWORD_RESET_TIMEOUT. The email holds the app's link and the web page as its fallback.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext, gettext_noop, ngettext

from cms.errors import FieldError, Invalid
from cms.fields import MAX_ID
from learning.models import Learner

logger = logging.getLogger(__name__)

# Kept untranslated in the report (the importer prints them, tests compare them); shown translated.
SKIP_NO_EMAIL = gettext_noop("no email address")
SKIP_INACTIVE = gettext_noop("inactive")
SKIP_NOT_SENT = gettext_noop("could not be sent")

LINK_SPENT = "This link has expired or has already been used: ask for a new one."


@dataclass(frozen=True)
class InvitationReport:
    """Who was sent an invitation, and who was not and why (SKIP_* reasons)."""

    sent: list[User] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)

    def sent_message(self) -> str:
        count = len(self.sent)
        return ngettext(
            "Invitation sent to %(count)d person.", "Invitations sent to %(count)d people.", count
        ) % {"count": count}

    def skipped_message(self) -> str | None:
        """Who was not invited and why, for the admin's warning; None when nobody was skipped."""
        if not self.skipped:
            return None
        by_reason: dict[str, list[str]] = {}
        for user, reason in self.skipped:
            by_reason.setdefault(reason, []).append(user.get_username())
        parts = [f"{', '.join(names)} ({gettext(reason)})" for reason, names in by_reason.items()]
        return ngettext(
            "Not sent to %(count)d person: %(who)s.",
            "Not sent to %(count)d people: %(who)s.",
            len(self.skipped),
        ) % {"count": len(self.skipped), "who": "; ".join(parts)}


@dataclass(frozen=True)
class PasswordLinks:
    app: str
    web: str


def password_links(user: User) -> PasswordLinks:
    """New one-time links that let this user set a password, as of their current password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return links_for(uid, default_token_generator.make_token(user))


def links_for(uid: str, token: str) -> PasswordLinks:
    """The app's link and the web page's for a uid and token (a page passes its own on)."""
    query = urlencode({"uid": uid, "token": token})
    return PasswordLinks(
        app=f"{settings.APP_SET_PASSWORD_URL}?{query}",
        web=f"{settings.PUBLIC_BASE_URL}/set-password/?{query}",
    )


def send_invitations(users: Iterable[User], *, now: datetime.datetime) -> InvitationReport:
    """Email each of `users` an invitation to set their password, over one connection.

    An admin's or the importer's explicit choice: someone who already has a password or has
    signed in is invited all the same (the link replaces their password when used). Only those
    the email cannot reach or who cannot sign in are skipped: no email address, inactive.
    """
    report = InvitationReport()
    chosen: list[User] = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if not user.is_active:
            report.skipped.append((user, SKIP_INACTIVE))
        elif not (user.email or "").strip():
            report.skipped.append((user, SKIP_NO_EMAIL))
        else:
            chosen.append(user)
    _send(chosen, kind="invitation", now=now, report=report)
    return report


def send_password_reset(email: str, *, now: datetime.datetime) -> None:
    """Email a password link to each active account with this address (case-insensitive).

    Several accounts may share one address: each gets its own link. The link goes to the address
    as stored, never to the one asked for (Unicode case folding can make two differ). An address
    nobody has sends nothing, and says nothing: the caller answers the same either way.
    """
    email = email.strip()
    if not email:
        return
    users = list(User.objects.filter(email__iexact=email, is_active=True).order_by("pk"))
    report = InvitationReport()
    _send(users, kind="password_reset", now=now, report=report)
    for user, reason in report.skipped:
        logger.warning("Password link for user %s %s.", user.pk, reason)


def set_password_from_link(uid: str, token: str, password: str, *, now: datetime.datetime) -> User:
    """Set the password of the link's user, spending the link; their first sign-in is recorded.

    The link is judged before the password, so the validators (which compare with the user's
    name and email) tell nothing about an account to someone without a valid link. Django's
    validators run with the user; saving calls every validator's password_changed(), which
    signs the app out on every device (backend.auth.SignOutOnPasswordChange).
    """
    with transaction.atomic():
        # Locked, so two requests with the same link cannot both pass the check.
        user = link_user(uid, token, lock=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            errors = [FieldError("password", message) for message in error.messages]
            raise Invalid("Invalid input — password: " + " ".join(error.messages), errors) from None
        user.set_password(password)
        user.last_login = now
        user.save()
    return user


def link_user(uid: str, token: str, *, lock: bool = False) -> User:
    """The active user a link is for, if it is still good; else Invalid naming `uid` or `token`."""
    users = User.objects.filter(pk=_user_pk(uid), is_active=True)
    user = (users.select_for_update() if lock else users).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise Invalid.field("token", LINK_SPENT)
    return user


def _user_pk(uid: str) -> int:
    try:
        decoded = urlsafe_base64_decode(uid).decode()
    except (ValueError, UnicodeDecodeError):
        decoded = ""
    if not decoded.isascii() or not decoded.isdigit() or not 1 <= int(decoded) <= MAX_ID:
        raise Invalid.field("uid", "This link is not valid: open it again from the email.")
    return int(decoded)


def _send(
    users: list[User], *, kind: str, now: datetime.datetime, report: InvitationReport
) -> None:
    """Render and send one email per user over a single connection; failures become skips."""
    if not users:
        return
    locales = dict(
        Learner.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", "locale")
    )
    messages = []
    for user in users:
        with translation.override(locales.get(user.pk, settings.LANGUAGE_CODE)):
            messages.append((user, _message(user, kind=kind, now=now)))
    try:
        with get_connection() as connection:
            for user, message in messages:
                message.connection = connection
                try:
                    message.send()
                except Exception:  # a refused recipient must not stop the rest of the batch
                    logger.exception("Could not send the %s email to user %s.", kind, user.pk)
                    report.skipped.append((user, SKIP_NOT_SENT))
                else:
                    report.sent.append(user)
    except Exception:  # the mail server is unreachable: nobody got one, and the report says so
        logger.exception("Could not connect to send %s emails.", kind)
        done = {u.pk for u in report.sent} | {u.pk for u, _ in report.skipped}
        report.skipped.extend((u, SKIP_NOT_SENT) for u, _ in messages if u.pk not in done)


def _message(user: User, *, kind: str, now: datetime.datetime) -> EmailMultiAlternatives:
    links = password_links(user)
    context = {
        "user": user,
        "name": user.get_short_name() or user.get_username(),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "app_link": links.app,
        "web_link": links.web,
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "expires_at": now + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    }
    base = f"learning/email/{kind}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{base}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message
