"""The authors' module analytics in the admin: its URLs and Reports menu item, and the moments of
pain on the authors' home panel (cms draws the panel and knows no learners, so learning adds this
section to it through cms's `register_author_home_section` hook). Views in analytics/views.py."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from cms.author_home import ROWS, SECTION_HOOK
from cms.roles import AuthorsMenuItem
from learning.analytics import modules as module_analytics
from learning.analytics.readiness import EventReadinessView, ReadinessIndexView
from learning.analytics.views import ModuleAnalyticsView, ModuleDetailView


class MomentsOfPainSection(Component):
    name = "moments_of_pain"
    template_name = "learning/author_home/pain.html"
    order = 10  # first: it is about modules already in learners' hands

    def get_context_data(self, parent_context):
        # The module-analytics report's own figures and thresholds: the panel and the report agree.
        pain = module_analytics.overview(
            thresholds=module_analytics.PainThresholds.from_settings()
        ).pain
        return {
            "pain": pain[:ROWS],
            "more": max(0, len(pain) - ROWS),
            "report_url": reverse("learning_module_analytics"),
        }


@hooks.register(SECTION_HOOK)
def moments_of_pain_section(request):
    return MomentsOfPainSection()


@hooks.register("register_admin_urls")
def register_module_analytics_urls():
    return [
        path("analytics/modules/", ModuleAnalyticsView.as_view(), name="learning_module_analytics"),
        path(
            "analytics/modules/results/",
            ModuleAnalyticsView.as_view(results_only=True),
            name="learning_module_analytics_results",
        ),
        path(
            "analytics/modules/<int:page_id>/",
            ModuleDetailView.as_view(),
            name="learning_module_analytics_module",
        ),
        path("analytics/readiness/", ReadinessIndexView.as_view(), name="learning_readiness"),
        path(
            "analytics/readiness/<int:event_id>/",
            EventReadinessView.as_view(),
            name="learning_event_readiness",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_module_analytics_menu_item():
    return AuthorsMenuItem(
        "Module analytics",
        reverse("learning_module_analytics"),
        name="module-analytics",
        icon_name="doc-full",
        order=1300,
    )


@hooks.register("register_reports_menu_item")
def register_readiness_menu_item():
    return AuthorsMenuItem(
        "Launch readiness",
        reverse("learning_readiness"),
        name="launch-readiness",
        icon_name="date",
        order=1310,
    )
