"""Authors' admin views on nudges: the analytics report (/cms/analytics/nudges/) and the push outbox.

The figures come from nudges.analytics; these views only arrange them as charts and a table.
Authors see aggregates and the texts pushes carried, never who received them.
"""

import json

import django_filters
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import BasePermissionPolicy

from cms.roles import AuthorsOnlyMixin, author_analytics_users, can_see_author_analytics
from cms.spreadsheets import SafeExportMixin
from cms.templatetags.charts import Row
from nudges.analytics import DEFAULT_PERIOD, PERIODS, Figures, NudgeAnalytics, nudge_analytics
from nudges.models import Nudge, OutboxMessage, Platform

HELP_TEXT = (
    "Sent: handed to Firebase Cloud Messaging for at least one device. Delivered: FCM accepted it "
    "(answered with a message id); FCM does not tell us whether the phone showed it. Opened: the "
    "app reported the open. Open rate: opened out of delivered. Each nudge counts in the period "
    "and the dead-time window (the learner's local time of day) it was planned for."
)


class PeriodFilterSet(WagtailFilterSet):
    period = django_filters.ChoiceFilter(
        label="Period",
        choices=[(str(days), f"Last {days} days") for days in PERIODS],
        empty_label=None,
        initial=str(DEFAULT_PERIOD),
        method="keep",  # the period chooses the figures; there is no queryset to narrow
    )

    class Meta:
        model = Nudge
        fields: list[str] = []

    def keep(self, queryset, name, value):
        return queryset


def _rate_caption(figures: Figures) -> str:
    if figures.open_rate is None:
        return "nothing delivered"
    return f"{figures.open_rate:g}% ({figures.opened} of {figures.delivered})"


def open_rate_rows(figures: list[Figures]) -> list[Row]:
    return [Row(f.label, f.open_rate or 0, _rate_caption(f)) for f in figures]


def funnels(analytics: NudgeAnalytics) -> tuple[list[tuple[str, list[Row]]], int]:
    """Sent, delivered and opened bars per kind, on one scale (the busiest kind's sent)."""
    groups = [
        (f.label, [Row("Sent", f.sent), Row("Delivered", f.delivered), Row("Opened", f.opened)])
        for f in analytics.by_kind
    ]
    return groups, max((f.sent for f in analytics.by_kind), default=0) or 1


class NudgeAnalyticsView(AuthorsOnlyMixin, SafeExportMixin, ReportView):
    page_title = "Nudge analytics"
    header_icon = "mail"
    index_url_name = "nudges_analytics"
    index_results_url_name = "nudges_analytics_results"
    results_template_name = "nudges/analytics_results.html"
    filterset_class = PeriodFilterSet
    paginate_by = None
    columns = [
        Column("group", label="By"),
        Column("label", label="Kind or window"),
        NumberColumn("sent", label="Sent"),
        NumberColumn("delivered", label="Delivered"),
        NumberColumn("opened", label="Opened"),
        Column("open_rate", label="Open rate (%)"),
        NumberColumn("failed", label="Failed"),
        NumberColumn("expired", label="Expired unsent"),
    ]
    list_export = [
        "group",
        "label",
        "sent",
        "delivered",
        "opened",
        "open_rate",
        "failed",
        "expired",
    ]
    export_headings = {
        "group": "By",
        "label": "Kind or window",
        "sent": "Sent",
        "delivered": "Delivered",
        "opened": "Opened",
        "open_rate": "Open rate (%)",
        "failed": "Failed",
        "expired": "Expired unsent",
    }
    export_filename = "nudge-analytics"

    def get_filterset_kwargs(self):
        # The default period is a choice like the others, not an active filter to clear.
        kwargs = super().get_filterset_kwargs()
        kwargs["data"] = kwargs["data"].copy()
        kwargs["data"].setdefault("period", str(DEFAULT_PERIOD))
        return kwargs

    @cached_property
    def period(self) -> int:
        filters = self.filters
        if filters is not None and filters.is_valid() and filters.form.cleaned_data.get("period"):
            return int(filters.form.cleaned_data["period"])
        return DEFAULT_PERIOD

    @cached_property
    def analytics(self) -> NudgeAnalytics:
        return nudge_analytics(now=timezone.now(), days=self.period)

    def get_page_subtitle(self):
        return f"Last {self.period} days"

    def get_filtered_queryset(self):
        return self.analytics.rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        analytics = self.analytics
        funnel_groups, funnel_max = funnels(analytics)
        context.update(
            analytics=analytics,
            help_text=HELP_TEXT,
            open_rate_by_kind=open_rate_rows(analytics.by_kind),
            open_rate_by_window=open_rate_rows(analytics.by_window),
            funnel_groups=funnel_groups,
            funnel_max=funnel_max,
            unregistered_by_platform=[
                Row(label, count) for label, count in analytics.unregistered.by_platform
            ],
            unregistered_trend=[Row(b.label, b.devices) for b in analytics.unregistered.trend],
        )
        return context


class AuthorsReadOnlyPolicy(BasePermissionPolicy):
    """Authors and superusers may look (the "view" action); nobody adds, edits or deletes."""

    def user_has_permission(self, user, action):
        return action == "view" and can_see_author_analytics(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and can_see_author_analytics(user)

    def users_with_any_permission(self, actions):
        users = author_analytics_users()
        return users if "view" in actions else users.none()


def _notification(message: OutboxMessage, key: str) -> str:
    return (message.payload.get("notification") or {}).get(key, "")


def _kind(message: OutboxMessage) -> str:
    value = (message.payload.get("data") or {}).get("kind", "")
    return Nudge.Kind(value).label if value in Nudge.Kind.values else value


# Enough of a device address to tell two apart on one screen, never enough to push to it.
ADDRESS_SHOWN = 6
ADDRESS_KEYS = frozenset({"token", "fid"})


def masked(address: str) -> str:
    return f"{address[:ADDRESS_SHOWN]}…" if address else ""


def masked_payload(value):
    """The payload with every device address (`token`, `fid`, at any depth) masked."""
    if isinstance(value, dict):
        return {
            key: masked(item)
            if key in ADDRESS_KEYS and isinstance(item, str)
            else masked_payload(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [masked_payload(item) for item in value]
    return value


def _device(message: OutboxMessage) -> str:
    if message.device is None:
        return f"{masked(message.address)} (removed)"
    return f"{message.device.get_platform_display()} device {message.device_id}"


class OutboxFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label="Kind", field_name="payload__data__kind", choices=Nudge.Kind.choices
    )
    platform = django_filters.ChoiceFilter(
        label="Platform", field_name="device__platform", choices=Platform.choices
    )

    class Meta:
        model = OutboxMessage
        fields: list[str] = []


class OutboxIndexView(SafeExportMixin, IndexView):
    """Newest first; the title opens the message's full FCM payload (the inspect view)."""

    page_title = "Push outbox"
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("device")

    def order_queryset(self, queryset):
        # One planner run sends a batch in the same instant: the id breaks ties, in the same
        # direction, so "newest first" is one order and pages never overlap or skip.
        queryset = super().order_queryset(queryset)
        ordering = list(queryset.query.order_by)
        if not ordering:
            return queryset
        first = ordering[0]
        descending = getattr(first, "descending", None) or str(first).startswith("-")
        return queryset.order_by(*ordering, "-pk" if descending else "pk")

    @cached_property
    def columns(self):
        title = self._get_title_column_class(TitleColumn)(
            "title",
            label="Title",
            accessor=lambda m: _notification(m, "title"),
            get_url=self.get_inspect_url,
        )
        return [
            title,
            Column("body", label="Body", accessor=lambda m: _notification(m, "body")),
            Column("kind", label="Kind", accessor=_kind),
            Column("device", label="Device", accessor=_device),
            DateColumn("created_at", label="Created", sort_key="created_at"),
        ]


class OutboxInspectView(InspectView):
    """One message as FCM would get it, but with the device address masked: an FCM registration
    token or installation id is enough to push to someone's phone, and authors see texts only."""

    def get_address_display_value(self):
        return masked(self.object.address)

    def get_payload_display_value(self):
        text = json.dumps(masked_payload(self.object.payload), indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)


class OutboxViewSet(ModelViewSet):
    """What the console backend would have pushed, for authors to check the texts. Read-only."""

    model = OutboxMessage
    icon = "mail"
    menu_label = "Push outbox"
    name = "push_outbox"
    url_prefix = "reports/push-outbox"
    add_to_admin_menu = False
    index_view_class = OutboxIndexView
    inspect_view_class = OutboxInspectView
    filterset_class = OutboxFilterSet
    search_fields = [
        "payload__notification__title",
        "payload__notification__body",
        "payload__data__deep_link",
    ]
    inspect_view_enabled = True
    inspect_view_fields = ["created_at", "address", "payload"]
    copy_view_enabled = False
    add_to_reference_index = False

    def get_urlpatterns(self):
        # Only the listing and a message's payload: there is nothing to add, edit or delete.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{self.pk_path_converter}:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        # AuthorsReadOnlyPolicy ignores Django permissions: offering them in the groups editor
        # would suggest that granting "change" lets someone edit the outbox.
        return Permission.objects.none()
