"""The authors' panel on the admin's home page: the searches that found nothing this week and the modules
in review. cms knows no learners, so other apps add their own sections to it (learning: the moments of
pain) by registering a function with the `register_author_home_section` hook."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import WorkflowState

from cms.models import MicroModule
from cms.roles import can_see_author_analytics
from cms.search import search_gaps

# Each function registered here takes the request and returns a Component (with an `order`), or None.
SECTION_HOOK = "register_author_home_section"
WEEK_DAYS = 7
ROWS = 5  # per section; each links to its full report


class SearchGapsSection(Component):
    name = "search_gaps"
    template_name = "cms/author_home/search_gaps.html"
    order = 20

    def get_context_data(self, parent_context):
        gaps = search_gaps(today=timezone.localdate(), days=WEEK_DAYS)
        return {"gaps": list(gaps[:ROWS]), "report_url": reverse("cms_search_gaps")}


@dataclass(frozen=True)
class ModuleInReview:
    page_id: int
    title: str
    status: str  # WorkflowState.STATUS_IN_PROGRESS or STATUS_NEEDS_CHANGES
    task: str  # the review step it waits at
    requested_by: AbstractBaseUser | None
    since: datetime.datetime

    @property
    def needs_changes(self) -> bool:
        return self.status == WorkflowState.STATUS_NEEDS_CHANGES


def modules_in_review(*, limit: int) -> tuple[list[ModuleInReview], int]:
    """Modules in a workflow that has not finished (newest step first), at most `limit`; and how many.

    Three queries whatever the number: the states with their task and requester, the count, the titles.
    """
    states = WorkflowState.objects.active().filter(
        content_type=ContentType.objects.get_for_model(MicroModule)
    )
    shown = list(
        states.select_related("current_task_state__task", "requested_by").order_by(
            "-current_task_state__started_at", "-pk"
        )[:limit]
    )
    total = states.count()
    # The draft's title, which is what the author is working on (the live one may be older).
    titles = dict(
        MicroModule.objects.filter(pk__in=[int(s.object_id) for s in shown]).values_list(
            "pk", "draft_title"
        )
    )
    rows = [
        ModuleInReview(
            page_id=int(state.object_id),
            title=titles.get(int(state.object_id), ""),
            status=state.status,
            task=state.current_task_state.task.name if state.current_task_state else "",
            requested_by=state.requested_by,
            since=(
                state.current_task_state.started_at
                if state.current_task_state
                else state.created_at
            ),
        )
        for state in shown
    ]
    return rows, total


class ModulesInReviewSection(Component):
    name = "modules_in_review"
    template_name = "cms/author_home/in_review.html"
    order = 30

    def get_context_data(self, parent_context):
        rows, total = modules_in_review(limit=ROWS)
        return {
            "modules": rows,
            "total": total,
            "report_url": reverse("wagtailadmin_reports:workflow"),
        }


class AuthorHomePanel(Component):
    """What an author looks at first: where modules hurt, what people could not find, what waits."""

    name = "author_home"
    template_name = "cms/author_home/panel.html"
    order = 40  # above Wagtail's own panels, as the managers' team panel is

    def __init__(self, sections: list[Component]):
        self.sections = sorted(sections, key=lambda section: section.order)

    def get_context_data(self, parent_context):
        return {"sections": self.sections, "request": parent_context["request"]}


def author_panel(request) -> AuthorHomePanel | None:
    """The panel for this request's user, with every app's sections; None for a non-author."""
    if not can_see_author_analytics(request.user):
        return None
    sections: list[Component] = [SearchGapsSection(), ModulesInReviewSection()]
    for make_section in hooks.get_hooks(SECTION_HOOK):
        if (section := make_section(request)) is not None:
            sections.append(section)
    return AuthorHomePanel(sections)
