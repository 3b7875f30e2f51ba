"""A person's data under their control: everything the product holds about a learner, as JSON.

`GET /api/v1/me/export` gives it to the learner; `/django-admin/privacy/export/<learner id>/`
gives the same file to an administrator answering a data request (the Learner's change page links
to it); `erase` (the erase_person command) removes what identifies them. Both span every app
(profile, nudge preferences, devices, enrolments, the activity ledger, practice cards and reviews,
pauses, celebrations, nudges), so they live in nudges, the app above the others.

What it leaves out, on purpose: push addresses and API tokens (secrets, not data about the person:
a device is listed by platform, version and dates), other people's data beyond a display name
(a manager, a buddy, who confirmed or set something), and derived scheduler internals beyond a
card's due date, stability and state.
"""

import datetime
import json
import logging
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import CharField, F, Q, TextField, Value
from django.db.models.functions import Cast, Concat, Replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from ninja import Router, Schema

from cms.errors import error_responses
from learning.learners import learner_for
from learning.models import (
    Activity,
    Card,
    Celebration,
    Enrollment,
    Erasure,
    Learner,
    Pause,
    Review,
    display_name,
)
from learning.people import accounts
from nudges.models import Device, Nudge, NudgePreferences, OutboxMessage

logger = logging.getLogger(__name__)

router = Router(tags=["learners"])


class ProfileOut(Schema):
    username: str
    first_name: str
    last_name: str
    email: str
    date_joined: datetime.datetime
    last_login: datetime.datetime | None
    role: str
    team: str
    manager: str | None
    start_date: datetime.date | None
    timezone: str
    locale: str


class PreferencesOut(Schema):
    nudges_enabled: bool
    quiet_start: datetime.time
    quiet_end: datetime.time
    windows: list
    daily_cap: int
    weekends: bool


class DeviceOut(Schema):
    platform: str
    app_version: str
    locale: str
    active: bool
    deactivated_reason: str
    created_at: datetime.datetime
    last_seen_at: datetime.datetime


class EnrollmentOut(Schema):
    event: str
    anchor_date: datetime.date
    enrolled_at: datetime.datetime
    ended_at: datetime.datetime | None
    end_reason: str
    buddy: str | None


class ActivityOut(Schema):
    verb: str
    category: str | None
    minutes: int
    title: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    source: str
    module: str | None
    rating: int | None
    comment: str
    confirmation: str
    confirmed_by: str | None
    confirmed_at: datetime.datetime | None


class CardOut(Schema):
    module: str
    question_id: str
    state: int
    due: datetime.datetime
    stability: float | None
    last_review: datetime.datetime | None
    active: bool


class ReviewOut(Schema):
    module: str
    question_id: str
    answered_at: datetime.datetime
    rating: int
    correct: bool | None
    response_ms: int


class PauseOut(Schema):
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str
    set_by: str | None
    ended_early_at: datetime.datetime | None


class CelebrationOut(Schema):
    kind: str
    title: str
    detail: str
    achieved_at: datetime.datetime


class NudgeOut(Schema):
    kind: str
    title: str
    body: str
    state: str
    planned_for: datetime.datetime
    sent_at: datetime.datetime | None
    opened_at: datetime.datetime | None


class PersonalDataOut(Schema):
    exported_at: datetime.datetime
    profile: ProfileOut
    nudge_preferences: PreferencesOut | None
    devices: list[DeviceOut]
    enrollments: list[EnrollmentOut]
    activities: list[ActivityOut]
    practice_cards: list[CardOut]
    practice_reviews: list[ReviewOut]
    pauses: list[PauseOut]
    celebrations: list[CelebrationOut]
    nudges: list[NudgeOut]


def _name(user) -> str | None:
    return display_name(user) if user is not None else None


def personal_data(learner: Learner, *, now: datetime.datetime) -> dict:
    """Everything held about the learner, in one dict of JSON-able values (a query per part)."""
    user = learner.user
    preferences = NudgePreferences.objects.filter(learner=learner).first()
    return {
        "exported_at": now,
        "profile": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "role": learner.role,
            "team": learner.team,
            "manager": _name(learner.manager),
            "start_date": learner.start_date,
            "timezone": learner.timezone,
            "locale": learner.locale,
        },
        "nudge_preferences": None
        if preferences is None
        else {
            "nudges_enabled": preferences.nudges_enabled,
            "quiet_start": preferences.quiet_start,
            "quiet_end": preferences.quiet_end,
            "windows": preferences.windows if isinstance(preferences.windows, list) else [],
            "daily_cap": preferences.daily_cap,
            "weekends": preferences.weekends,
        },
        "devices": [
            {
                "platform": d.platform,
                "app_version": d.app_version,
                "locale": d.locale,
                "active": d.active,
                "deactivated_reason": d.deactivated_reason,
                "created_at": d.created_at,
                "last_seen_at": d.last_seen_at,
            }
            for d in Device.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "enrollments": [
            {
                "event": e.event.name,
                "anchor_date": e.anchor_date,
                "enrolled_at": e.enrolled_at,
                "ended_at": e.ended_at,
                "end_reason": e.end_reason,
                "buddy": _name(e.buddy),
            }
            for e in Enrollment.objects.filter(learner=learner)
            .select_related("event", "buddy")
            .order_by("enrolled_at", "pk")
        ],
        "activities": [
            {
                "verb": a.verb,
                "category": a.category,
                "minutes": a.minutes,
                "title": a.title,
                "occurred_at": a.occurred_at,
                "recorded_at": a.recorded_at,
                "source": a.source,
                "module": a.module.title if a.module else None,
                "rating": a.rating,
                "comment": a.comment,
                "confirmation": a.confirmation,
                "confirmed_by": _name(a.confirmed_by),
                "confirmed_at": a.confirmed_at,
            }
            for a in Activity.objects.filter(learner=learner)
            .select_related("module", "confirmed_by")
            .order_by("occurred_at", "pk")
            .iterator(chunk_size=2000)
        ],
        "practice_cards": [
            {
                "module": c.module.title,
                "question_id": c.block_id,
                "state": c.state,
                "due": c.due,
                "stability": c.stability,
                "last_review": c.last_review,
                "active": c.active,
            }
            for c in Card.objects.filter(learner=learner).select_related("module").order_by("pk")
        ],
        "practice_reviews": [
            {
                "module": r.card.module.title,
                "question_id": r.card.block_id,
                "answered_at": r.answered_at,
                "rating": r.rating,
                "correct": r.correct,
                "response_ms": r.response_ms,
            }
            for r in Review.objects.filter(learner=learner)
            .select_related("card__module")
            .order_by("answered_at", "pk")
            .iterator(chunk_size=2000)
        ],
        "pauses": [
            {
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "reason": p.reason,
                "set_by": _name(p.set_by),
                "ended_early_at": p.ended_early_at,
            }
            for p in Pause.objects.filter(learner=learner)
            .select_related("set_by")
            .order_by("starts_on", "pk")
        ],
        "celebrations": [
            {"kind": c.kind, "title": c.title, "detail": c.detail, "achieved_at": c.achieved_at}
            for c in Celebration.objects.filter(learner=learner).order_by("achieved_at", "pk")
        ],
        "nudges": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "state": n.state,
                "planned_for": n.planned_for,
                "sent_at": n.sent_at,
                "opened_at": n.opened_at,
            }
            for n in Nudge.objects.filter(learner=learner).order_by("planned_for", "pk")
        ],
    }


@router.get(
    "/me/export",
    response={200: PersonalDataOut, **error_responses(404)},
    summary="Everything held about me",
)
def export_me(request: HttpRequest):
    """Your profile, nudge preferences, devices (without their push addresses), enrolments, the
    activity ledger, practice cards and answers, pauses, celebrations and the nudges planned or
    sent to you, as one JSON document."""
    learner = learner_for(request)
    return personal_data(
        Learner.objects.select_related("user", "manager").get(pk=learner.pk), now=timezone.now()
    )


@staff_member_required
def admin_export(request: HttpRequest, learner_id: int) -> HttpResponse:
    """The same document, as a download, for an administrator answering a data request."""
    if not request.user.has_perm("learning.view_learner"):
        raise PermissionDenied
    learner = get_object_or_404(Learner.objects.select_related("user", "manager"), pk=learner_id)
    body = json.dumps(
        personal_data(learner, now=timezone.now()),
        cls=DjangoJSONEncoder,
        indent=2,
        ensure_ascii=False,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="personal-data-{learner.user.username}.json"'
    )
    return response


# --- Erasure ---------------------------------------------------------------------------------------

ERASED_NAME = "a former colleague"


@dataclass(frozen=True)
class ErasureReport:
    learner_id: int
    counts: dict[str, int]


def erase(learner: Learner, *, by: str, now: datetime.datetime) -> ErasureReport:
    """Erase what identifies the person, in one transaction, and leave an audit entry.

    Gone: their name, email and username (the account stays, anonymous and inactive, so that the
    ledger, answers and nudges it owns still count in analytics), their password, API tokens,
    devices' push addresses, the comments they wrote, pause reasons, celebrations, the words of
    nudges sent to them and every outbox payload to them, their failed sign-ins, and their name
    in other people's nudges (a manager's or buddy's "… is waiting for you"), in outbox payloads
    and in admin history. Kept, anonymous: enrolments, the activity ledger (times, minutes,
    categories, ratings), practice cards and answers, nudge states and times.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry
    from wagtail.models import APIToken

    user = learner.user
    name = display_name(user)
    # In texts, their name and email (a username alone may be a common word: "sam"); in sign-in
    # records, what they typed: their username or email.
    in_texts = {v for v in (name, user.email) if v}
    signed_in_as = {v for v in (user.username, user.email) if v}
    with transaction.atomic():
        # Everything deactivation does (enrolments end, planned nudges suppressed, devices off).
        accounts.deactivate([user.pk], now=now, reason=f"erasure of learner {learner.pk}")
        devices = Device.objects.filter(user=user)
        counts = {
            "outbox messages": OutboxMessage.objects.filter(
                Q(device__in=devices) | Q(nudge__learner=learner)
            ).delete()[0],
            "api tokens": APIToken.objects.filter(user=user).delete()[0],
            "celebrations": Celebration.objects.filter(learner=learner).delete()[0],
            "comments": Activity.objects.filter(learner=learner)
            .exclude(comment="")
            .update(comment=""),
            "pause reasons": Pause.objects.filter(learner=learner)
            .exclude(reason="")
            .update(reason=""),
            "nudge texts": Nudge.objects.filter(learner=learner).update(
                title="", body="", last_error=""
            ),
            # The row stays (its deliveries count in analytics) with a placeholder address, off.
            "push addresses": devices.update(
                token=Concat(Value("erased-"), Cast("pk", CharField())),
                fid=None,
                app_version="",
                active=False,
                deactivated_reason="erased",
            ),
            "failed sign-ins": sum(
                model.objects.filter(username__in=signed_in_as).delete()[0]
                for model in (AccessAttempt, AccessLog, AccessFailureLog)
            ),
        }
        counts["name elsewhere"] = _scrub(in_texts, learner=learner)
        history = Q(object_repr__in=signed_in_as)
        for text in in_texts:
            history |= Q(object_repr__contains=text)
        counts["admin history"] = LogEntry.objects.filter(history).update(object_repr=ERASED_NAME)
        user.username = f"erased-{learner.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.is_active = user.is_staff = user.is_superuser = False  # as deactivate stored it
        user.last_login = None
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        Learner.objects.filter(pk=learner.pk).update(manager=None)
        Erasure.objects.create(learner_id=learner.pk, erased_at=now, erased_by=by, counts=counts)
    logger.info("Erased learner %d on request of %s: %s", learner.pk, by, counts)
    return ErasureReport(learner.pk, counts)


def _scrub(texts: set[str], *, learner: Learner) -> int:
    """Their name in nudges sent to others becomes ERASED_NAME; outbox payloads naming them go."""
    scrubbed = 0
    for text in sorted(texts, key=len, reverse=True):  # the full name before any part of it
        naming = Nudge.objects.exclude(learner=learner).filter(
            Q(title__contains=text) | Q(body__contains=text)
        )
        scrubbed += naming.update(
            title=Replace(F("title"), Value(text), Value(ERASED_NAME)),
            body=Replace(F("body"), Value(text), Value(ERASED_NAME)),
        )
        # A payload is JSON: the text as stored, raw or escaped (SQLite keeps \u escapes).
        forms = {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
        payloads = OutboxMessage.objects.annotate(text=Cast("payload", TextField()))
        for form in forms:
            scrubbed += payloads.filter(text__contains=form).delete()[0]
    return scrubbed


@staff_member_required
def admin_erase(request: HttpRequest, learner_id: int) -> HttpResponse:
    """The erasure from the Django admin: a page that says what will go, then a POST that does it.
    Only for those who may delete learners."""
    if not request.user.has_perm("learning.delete_learner"):
        raise PermissionDenied
    learner = get_object_or_404(Learner.objects.select_related("user"), pk=learner_id)
    if learner.user.username.startswith("erased-") and not learner.user.email:
        messages.info(request, "This person was erased already.")
        return redirect("admin:learning_learner_change", learner.pk)
    if request.method == "POST":
        report = erase(learner, by=request.user.get_username(), now=timezone.now())
        figures = ", ".join(f"{n} {kind}" for kind, n in report.counts.items() if n)
        messages.success(request, f"Learner {report.learner_id} was erased ({figures}).")
        return redirect("admin:learning_learner_change", learner.pk)
    context = {
        **admin.site.each_context(request),
        "title": "Erase this person?",
        "learner": learner,
        "opts": Learner._meta,
    }
    return TemplateResponse(request, "nudges/privacy/erase_confirm.html", context)
