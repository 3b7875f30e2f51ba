"""The managers' dashboard in the Wagtail admin: the team view's URLs and menu item (views in
learning/team_views.py), and the team summary panel on the admin's home page."""

from dataclasses import dataclass

from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from learning import team
from learning.mix import Mix
from learning.team_views import (
    TARGET_SEGMENTS,
    ConfirmView,
    TeamMemberView,
    TeamView,
    has_reports,
    mix_segments,
)


@dataclass(frozen=True)
class TeamFigures:
    """The team at a glance, summed from its members' summaries (nothing is queried again)."""

    reports: int
    onboarding: int  # reports with an onboarding journey
    onboarding_average: float | None  # mean completion over those, 0..1
    onboarding_steps_done: int
    onboarding_steps_total: int
    onboarding_overdue: int
    overdue_steps: int
    awaiting_confirmation: int
    drifting: list[team.ReportSummary]
    mix: Mix


def team_figures(summaries: list[team.ReportSummary]) -> TeamFigures:
    completions = [
        s.onboarding_completion for s in summaries if s.onboarding_completion is not None
    ]
    minutes: dict[str, int] = {}
    counts: dict[str, int] = {}
    for s in summaries:
        for category, value in s.mix.minutes.items():
            minutes[category] = minutes.get(category, 0) + value
        for category, value in s.mix.counts.items():
            counts[category] = counts.get(category, 0) + value
    return TeamFigures(
        reports=len(summaries),
        onboarding=len(completions),
        onboarding_average=round(sum(completions) / len(completions), 3) if completions else None,
        onboarding_steps_done=sum(s.onboarding_steps_done for s in summaries),
        onboarding_steps_total=sum(s.onboarding_steps_total for s in summaries),
        onboarding_overdue=sum(s.onboarding_overdue for s in summaries),
        overdue_steps=sum(s.overdue_steps for s in summaries),
        awaiting_confirmation=sum(s.awaiting_confirmation for s in summaries),
        drifting=[s for s in summaries if s.drifting],
        mix=Mix(minutes=minutes, counts=counts),
    )


class TeamPanel(Component):
    """My team on the admin's home page: the figures that call for a manager's attention."""

    name = "team"
    template_name = "learning/team/home_panel.html"
    order = 50  # above Wagtail's own panels: it is what a manager signs in for

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        figures = team_figures(team.team_overview(request.user, now=timezone.now()))
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
    ]


class TeamMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or has_reports(request)


@hooks.register("register_admin_menu_item")
def register_team_menu_item():
    return TeamMenuItem(
        "My team", reverse("learning_team"), name="my-team", icon_name="group", order=150
    )
