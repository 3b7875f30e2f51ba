"""The managers' team view in the Wagtail admin: /cms/team/ (a report with CSV/XLSX export), one
report's timeline at /cms/team/<id>/, and confirming their on-the-job steps.

Every figure comes from learning.team.reports (the same functions the manager API calls); these views
only arrange it. A manager sees only their direct reports: anyone else's page is 404.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn, StatusFlagColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from cms.errors import ApiError, Invalid
from cms.spreadsheets import SafeExportMixin
from learning.journeys import buddies, confirmations, pauses
from learning.learners import report_of
from learning.ledger.mix import REFERENCE, Mix
from learning.models import Activity, Category, Learner, display_name
from learning.people.roles import MANAGERS
from learning.practice.readiness import team_readiness
from learning.team import reports

CATEGORIES = (Category.EXPERIENCE, Category.SOCIAL, Category.FORMAL)


def has_reports(request) -> bool:
    """Whether the signed-in user manages anyone; asked once per request (menu, panel, views)."""
    if not hasattr(request, "_has_reports"):
        user = request.user
        request._has_reports = user.is_authenticated and Learner.objects.reports_of(user).exists()
    return request._has_reports


def can_see_team(request) -> bool:
    """Managers (the group), superusers and anyone with direct reports; each sees only their own.

    Authors and other admin users without reports are refused: the view is learners' personal
    data. Someone in Managers with no reports (yet) gets an empty team, as in the manager API.
    """
    user = request.user
    return user.is_active and (
        user.is_superuser or has_reports(request) or user.groups.filter(name=MANAGERS).exists()
    )


def mix_segments(mix: Mix) -> list[tuple[str, int]]:
    """A mix as the stacked bar's segments: minutes per category, in the 70/20/10 order."""
    return [(category.label, mix.minutes.get(category, 0)) for category in CATEGORIES]


TARGET_SEGMENTS = [(category.label, REFERENCE[category] * 100) for category in CATEGORIES]


@dataclass(frozen=True)
class TeamRow:
    """One report as a table row and a spreadsheet row: ReportSummary's figures under flat names."""

    summary: reports.ReportSummary
    id: int
    name: str
    email: str
    role: str
    team: str
    start_date: datetime.date | None
    onboarding_completion: float | None
    onboarding_steps_done: int
    onboarding_steps_total: int
    onboarding_overdue: int
    overdue_steps: int
    awaiting_confirmation: int
    last_active: datetime.datetime | None
    last_login: datetime.datetime | None
    never_signed_in: bool
    drifting: bool
    paused_until: datetime.date | None
    retention_now: float | None
    retention_in_7_days: float | None
    readiness_event: str
    readiness_date: datetime.date | None
    readiness_if_kept: float | None
    readiness_if_stopped: float | None
    minutes_experience: int
    minutes_social: int
    minutes_formal: int

    @classmethod
    def of(cls, summary: reports.ReportSummary) -> "TeamRow":
        learner, minutes = summary.learner, summary.mix.minutes
        return cls(
            summary=summary,
            id=learner.pk,
            name=str(learner),
            email=learner.user.email,
            role=learner.role,
            team=learner.team,
            start_date=learner.start_date,
            onboarding_completion=summary.onboarding_completion,
            onboarding_steps_done=summary.onboarding_steps_done,
            onboarding_steps_total=summary.onboarding_steps_total,
            onboarding_overdue=summary.onboarding_overdue,
            overdue_steps=summary.overdue_steps,
            awaiting_confirmation=summary.awaiting_confirmation,
            last_active=summary.last_active,
            last_login=summary.last_login,
            never_signed_in=summary.never_signed_in,
            drifting=summary.drifting,
            paused_until=summary.paused_until,
            retention_now=summary.retention.now,
            retention_in_7_days=summary.retention.in_7_days,
            readiness_event=summary.readiness.event_name if summary.readiness else "",
            readiness_date=summary.readiness.date if summary.readiness else None,
            readiness_if_kept=summary.readiness.if_kept if summary.readiness else None,
            readiness_if_stopped=summary.readiness.if_stopped if summary.readiness else None,
            minutes_experience=minutes.get(Category.EXPERIENCE, 0),
            minutes_social=minutes.get(Category.SOCIAL, 0),
            minutes_formal=minutes.get(Category.FORMAL, 0),
        )

    @property
    def mix_segments(self) -> list[tuple[str, int]]:
        return mix_segments(self.summary.mix)


class OnboardingColumn(Column):
    cell_template_name = "learning/team/cells/onboarding.html"


class RetentionColumn(Column):
    cell_template_name = "learning/team/cells/retention.html"


class ReadinessColumn(Column):
    cell_template_name = "learning/team/cells/readiness.html"


class MixColumn(Column):
    cell_template_name = "learning/team/cells/mix.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["target"] = TARGET_SEGMENTS
        return context


def _sort_key(attribute: str):
    # Empty figures (nobody onboarding, never active) sort after every value, either way round.
    def key(row: TeamRow):
        value = getattr(row, attribute)
        return (value is None, value if value is not None else 0)

    return key


class TeamView(SafeExportMixin, ReportView):
    """Direct reports at a glance, sortable, exported with every figure as its own column."""

    page_title = "My team"
    header_icon = "group"
    template_name = "learning/team/team.html"
    index_url_name = "learning_team"
    index_results_url_name = "learning_team_results"
    default_ordering = "name"
    no_results_message = "Nobody reports to you yet."
    export_filename = "my-team"
    columns = [
        TitleColumn(
            "name",
            label="Name",
            get_url=lambda row: reverse("learning_team_member", args=[row.id]),
            sort_key="name",
        ),
        OnboardingColumn("onboarding", label="Onboarding", sort_key="onboarding_completion"),
        NumberColumn("overdue_steps", label="Overdue", sort_key="overdue_steps"),
        NumberColumn("awaiting_confirmation", label="To confirm", sort_key="awaiting_confirmation"),
        DateColumn("last_active", label="Last active", sort_key="last_active"),
        StatusFlagColumn(
            "never_signed_in",
            label="Signed in",
            true_label="Never signed in",
            sort_key="never_signed_in",
        ),
        StatusFlagColumn("drifting", label="Drifting", true_label="Drifting", sort_key="drifting"),
        DateColumn("paused_until", label="Paused until", sort_key="paused_until"),
        RetentionColumn("retention", label="Recall now → in 7 days"),
        ReadinessColumn("readiness", label="Ready on the day", sort_key="readiness_if_kept"),
        MixColumn("mix", label="70:20:10 mix", width="22%"),
    ]
    list_export = [
        "name",
        "email",
        "role",
        "team",
        "start_date",
        "onboarding_steps_done",
        "onboarding_steps_total",
        "overdue_steps",
        "awaiting_confirmation",
        "last_active",
        "last_login",
        "drifting",
        "paused_until",
        "retention_now",
        "retention_in_7_days",
        "readiness_event",
        "readiness_date",
        "readiness_if_kept",
        "readiness_if_stopped",
        "minutes_experience",
        "minutes_social",
        "minutes_formal",
    ]
    export_headings = {
        "name": "Name",
        "email": "Email",
        "role": "Role",
        "team": "Team",
        "start_date": "Start date",
        "onboarding_steps_done": "Onboarding steps done",
        "onboarding_steps_total": "Onboarding steps",
        "overdue_steps": "Overdue steps",
        "awaiting_confirmation": "Awaiting confirmation",
        "last_active": "Last active",
        "last_login": "Last signed in",
        "drifting": "Drifting",
        "paused_until": "Paused until",
        "retention_now": "Predicted recall now",
        "retention_in_7_days": "Predicted recall in 7 days",
        "readiness_event": "Next dated event",
        "readiness_date": "Its date",
        "readiness_if_kept": "Recall on the day if they keep up",
        "readiness_if_stopped": "Recall on the day if they stop today",
        "minutes_experience": "On the job (minutes)",
        "minutes_social": "With others (minutes)",
        "minutes_formal": "Formal (minutes)",
    }
    custom_field_preprocess = {
        "drifting": {ReportView.FORMAT_CSV: lambda value: "yes" if value else "no"},
        "last_active": {
            ReportView.FORMAT_CSV: lambda value: (
                value.isoformat(timespec="minutes") if value else ""
            )
        },
        "last_login": {
            ReportView.FORMAT_CSV: lambda value: (
                value.isoformat(timespec="minutes") if value else "never"
            )
        },
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_see_team(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["target"] = TARGET_SEGMENTS
        summaries = getattr(self, "summaries", [])
        context["team_readiness"] = team_readiness(s.readiness for s in summaries if s.readiness)
        return context

    def get_queryset(self):
        # A list, not a queryset: team_overview computes every report's figures in a fixed number
        # of queries, and Django's paginator and Wagtail's export both take a list.
        self.summaries = reports.team_overview(self.request.user, now=timezone.now())
        rows = [TeamRow.of(s) for s in self.summaries]
        ordering = self.ordering or self.default_ordering
        attribute = ordering.lstrip("-")
        if attribute != "name":  # team_overview's order is by name already
            rows.sort(key=_sort_key(attribute))
        if ordering.startswith("-"):
            rows.reverse()
        return rows


class TeamMemberView(WagtailAdminTemplateMixin, TemplateView):
    """One report: figures, steps waiting for this manager, each journey's steps, recent activity."""

    template_name = "learning/team/member.html"
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_team(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, learner_id: int):
        self.now = timezone.now()
        self.detail = reports.report_detail(request.user, learner_id, now=self.now)
        return super().get(request, learner_id=learner_id)

    def get_page_title(self):
        return str(self.detail.summary.learner)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("learning_team"), "label": "My team"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = self.detail.summary
        context.update(
            detail=self.detail,
            summary=summary,
            pause=pauses.open_pause(summary.learner, today=summary.learner.local_date(self.now)),
            learner=summary.learner,
            mix=mix_segments(summary.mix),
            target=TARGET_SEGMENTS,
            retention_rows=[
                (m.title, round(100 * now))
                for m in summary.retention.modules
                if (now := m.predicted.get(0)) is not None
            ],
        )
        return context


class ConfirmView(View):
    """POST only: confirm a report's on-the-job step and go back to their page."""

    http_method_names = ["post"]

    def post(self, request, learner_id: int, activity_id: int):
        if not can_see_team(request):
            raise PermissionDenied
        # The activity must be on the page the button was on; confirm_activity then checks that
        # the page is one of this manager's reports (404 otherwise, like the page itself).
        if not Activity.objects.filter(pk=activity_id, learner_id=learner_id).exists():
            raise Http404("No such activity on this page.")
        back = reverse("learning_team_member", args=[learner_id])
        try:
            activity = reports.confirm_activity(request.user, activity_id, now=timezone.now())
        except confirmations.ConfirmationConflict as exc:
            messages.error(request, str(exc))
            return redirect(back)
        when = timezone.localtime(activity.occurred_at)
        messages.success(
            request,
            f"Confirmed “{activity.title}” ({when:%d %b %Y}): the step now counts as done.",
        )
        return redirect(back)


class BuddyView(View):
    """POST only: set (or clear) the buddy of one of a report's journeys and go back to their page."""

    http_method_names = ["post"]

    def post(self, request, learner_id: int, journey_id: int):
        if not can_see_team(request):
            raise PermissionDenied
        back = reverse("learning_team_member", args=[learner_id])
        try:
            result = buddies.set_buddy(
                request.user,
                learner_id,
                email=request.POST.get("email", ""),
                journey_id=journey_id,
                now=timezone.now(),
            )
        except Invalid as exc:
            messages.error(request, "; ".join(e.message for e in exc.errors) or str(exc))
            return redirect(back)
        if result.buddy is None:
            messages.success(request, "No buddy now: you confirm the buddy steps.")
        else:
            name = display_name(result.buddy)
            messages.success(request, f"{name} is now the buddy: they confirm the buddy steps.")
        return redirect(back)


class PauseView(View):
    """POST only: pause a report (from, until, reason) or end their pause; back to their page."""

    http_method_names = ["post"]

    def post(self, request, learner_id: int):
        if not can_see_team(request):
            raise PermissionDenied
        learner = report_of(request.user, learner_id)  # 404 for anyone else
        back = reverse("learning_team_member", args=[learner_id])
        now = timezone.now()
        try:
            if request.POST.get("action") == "end":
                pauses.end_pause(learner, now=now)
                messages.success(request, f"{learner} is back: the pause has ended.")
                return redirect(back)
            pause = pauses.start_pause(
                learner,
                starts_on=_date(request.POST, "from"),
                ends_on=_date(request.POST, "until"),
                reason=request.POST.get("reason", "").strip()[:200],
                set_by=request.user,
                now=now,
            )
        except ApiError as exc:
            messages.error(request, "; ".join(e.message for e in exc.errors) or exc.detail)
            return redirect(back)
        messages.success(
            request,
            f"{learner} is paused from {pause.starts_on:%-d %b} to {pause.ends_on:%-d %b %Y}.",
        )
        return redirect(back)


def _date(form, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(form.get(field, ""))
    except ValueError:
        raise Invalid.field(field, f"Give the {field} date as a date.") from None
