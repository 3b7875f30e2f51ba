"""Admin surfaces for content: snippets for job tasks and change events, and the bite-size warning."""

from django.contrib import messages
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import ChangeEvent, JobTask, MicroModule
from cms.modules import is_bite_sized


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
