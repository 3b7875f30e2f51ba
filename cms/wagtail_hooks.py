"""Admin hooks for content: snippets, the bite-size warning, the authors' search-gaps report and their
home panel (the views and panels themselves are in cms.views and cms.author_home)."""

from django.contrib import messages
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.author_home import author_panel
from cms.models import ChangeEvent, JobTask, MicroModule
from cms.modules import is_bite_sized
from cms.roles import AuthorsMenuItem
from cms.views import SearchGapsView


class JobTaskViewSet(SnippetViewSet):
    model = JobTask
    icon = "tasks"
    menu_label = "Job tasks"
    add_to_admin_menu = True
    menu_order = 210
    list_display = ["name", "description"]
    search_fields = ["name", "synonyms", "description"]


class ChangeEventViewSet(SnippetViewSet):
    model = ChangeEvent
    icon = "date"
    menu_label = "Change events"
    add_to_admin_menu = True
    menu_order = 220
    list_display = ["name", "kind", "date", "live"]
    list_filter = ["kind", "live"]
    search_fields = ["name", "description"]


register_snippet(JobTaskViewSet)
register_snippet(ChangeEventViewSet)


def _warn_if_not_bite_sized(request, page) -> None:
    page = page.specific
    if isinstance(page, MicroModule):
        # The saved draft (its latest revision), not the possibly older live version.
        draft = page.get_latest_revision_as_object()
        if not is_bite_sized(draft.estimated_minutes):
            messages.warning(
                request,
                f"“{draft.title}” takes about {draft.estimated_minutes} minutes: longer than a "
                "micro-moment. Consider splitting it into smaller modules.",
            )


@hooks.register("after_create_page")
def warn_long_module_on_create(request, page):
    _warn_if_not_bite_sized(request, page)


@hooks.register("after_edit_page")
def warn_long_module_on_edit(request, page):
    _warn_if_not_bite_sized(request, page)


@hooks.register("register_admin_urls")
def register_analytics_urls():
    return [
        path("analytics/search-gaps/", SearchGapsView.as_view(), name="cms_search_gaps"),
        path(
            "analytics/search-gaps/results/",
            SearchGapsView.as_view(results_only=True),
            name="cms_search_gaps_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_search_gaps_menu_item():
    return AuthorsMenuItem(
        "Searches that found nothing",
        reverse("cms_search_gaps"),
        name="search-gaps",
        icon_name="search",
        order=1310,
    )


@hooks.register("construct_homepage_panels")
def add_author_panel(request, panels):
    if (panel := author_panel(request)) is not None:
        panels.append(panel)


@hooks.register("insert_global_admin_css")
def chart_styles():
    """The dashboards' charts (cms/templatetags/charts.py) are plain HTML styled by this sheet."""
    return format_html('<link rel="stylesheet" href="{}">', static("cms/charts.css"))
