"""Authors' admin views: the searches that found nothing (content gaps)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn
from wagtail.admin.views.reports import ReportView

from cms.models import ModuleIndexPage
from cms.roles import AuthorsOnlyMixin
from cms.search import search_gaps
from cms.spreadsheets import SafeExportMixin


class ShortcutsColumn(Column):
    cell_template_name = "cms/search_gap_shortcuts.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        library = getattr(request, "module_library", None)
        if library is not None:
            context["create_url"] = (
                reverse("wagtailadmin_pages:add", args=("cms", "micromodule", library.pk))
                + "?"
                + urlencode({"title": instance.query_string})
            )
        context["promote_url"] = (
            reverse("wagtailsearchpromotions:add")
            + "?"
            + urlencode({"query_string": instance.query_string})
        )
        return context


class SearchGapsView(AuthorsOnlyMixin, SafeExportMixin, ReportView):
    page_title = "Searches that found nothing"
    header_icon = "search"
    index_url_name = "cms_search_gaps"
    index_results_url_name = "cms_search_gaps_results"
    default_ordering = "-misses_total"
    columns = [
        Column("query_string", label="Search", sort_key="query_string"),
        NumberColumn("misses_total", label="Found nothing (30 days)", sort_key="misses_total"),
        DateColumn("last_missed", label="Last time", sort_key="last_missed"),
        ShortcutsColumn("shortcuts", label="Fill the gap"),
    ]
    list_export = ["query_string", "misses_total", "last_missed"]
    export_headings = {
        "query_string": "Search",
        "misses_total": "Found nothing (30 days)",
        "last_missed": "Last time",
    }

    def get_queryset(self):
        queryset = search_gaps(today=timezone.localdate())
        ordering = self.get_ordering()
        return queryset.order_by(ordering, "query_string") if ordering else queryset

    def get_context_data(self, **kwargs):
        # Looked up once per request, for every row's "Write a module" link.
        self.request.module_library = ModuleIndexPage.objects.first()  # type: ignore[attr-defined]
        return super().get_context_data(**kwargs)
