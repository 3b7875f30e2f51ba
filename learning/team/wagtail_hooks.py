"""The managers' dashboard in the Wagtail admin: the team view's URLs and menu item (views in
learning/team/views.py), and the team summary panel on the admin's home page."""

from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from learning.team import reports
from learning.team.views import (
    TARGET_SEGMENTS,
    BuddyView,
    ConfirmView,
    PauseView,
    TeamMemberView,
    TeamView,
    has_reports,
    mix_segments,
)


class TeamPanel(Component):
    """My team on the admin's home page: the figures that call for a manager's attention."""

    name = "team"
    template_name = "learning/team/home_panel.html"
    order = 50  # above Wagtail's own panels: it is what a manager signs in for

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        figures = reports.team_figures(reports.team_overview(request.user, now=timezone.now()))
        return {
            "figures": figures,
            "mix": mix_segments(figures.mix),
            "target": TARGET_SEGMENTS,
            "team_url": reverse("learning_team"),
            "request": request,
        }


@hooks.register("construct_homepage_panels")
def add_team_panel(request, panels):
    if has_reports(request):
        panels.append(TeamPanel())


@hooks.register("register_admin_urls")
def register_team_urls():
    return [
        path("team/", TeamView.as_view(), name="learning_team"),
        path("team/results/", TeamView.as_view(results_only=True), name="learning_team_results"),
        path("team/<int:learner_id>/", TeamMemberView.as_view(), name="learning_team_member"),
        path(
            "team/<int:learner_id>/activities/<int:activity_id>/confirm/",
            ConfirmView.as_view(),
            name="learning_team_confirm",
        ),
        path(
            "team/<int:learner_id>/journeys/<int:journey_id>/buddy/",
            BuddyView.as_view(),
            name="learning_team_buddy",
        ),
        path("team/<int:learner_id>/pause/", PauseView.as_view(), name="learning_team_pause"),
    ]


class TeamMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or has_reports(request)


@hooks.register("register_admin_menu_item")
def register_team_menu_item():
    return TeamMenuItem(
        "My team", reverse("learning_team"), name="my-team", icon_name="group", order=150
    )
