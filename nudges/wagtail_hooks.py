"""Admin surfaces for nudges: the authors' nudge analytics and the push outbox, under Reports."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from cms.roles import AuthorsMenuItem
from nudges.models import OutboxMessage
from nudges.views import AuthorsReadOnlyPolicy, NudgeAnalyticsView, OutboxViewSet

# Before the viewset registers: it would otherwise make a fallback policy from Django permissions.
register_permission_policy(OutboxMessage, AuthorsReadOnlyPolicy(OutboxMessage))

outbox_viewset = OutboxViewSet()


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return outbox_viewset


@hooks.register("register_admin_urls")
def register_nudge_analytics_urls():
    return [
        path("analytics/nudges/", NudgeAnalyticsView.as_view(), name="nudges_analytics"),
        path(
            "analytics/nudges/results/",
            NudgeAnalyticsView.as_view(results_only=True),
            name="nudges_analytics_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_nudge_analytics_menu_item():
    return AuthorsMenuItem(
        "Nudge analytics",
        reverse("nudges_analytics"),
        name="nudge-analytics",
        icon_name="mail",
        order=1320,
    )


@hooks.register("register_reports_menu_item")
def register_outbox_menu_item():
    return AuthorsMenuItem(
        "Push outbox",
        reverse(outbox_viewset.get_url_name("index")),
        name="push-outbox",
        icon_name="mail",
        order=1330,
    )
