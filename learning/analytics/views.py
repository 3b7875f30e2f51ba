"""The authors' module analytics in the Wagtail admin: /cms/analytics/modules/ (every live module,
the moments of pain, charts, CSV/XLSX export) and /cms/analytics/modules/<page_id>/ (one module).

Authors and superusers only (the rule of the search-gaps report); they see aggregates and anonymous
comments, never a learner.
"""

from typing import cast

from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from cms.roles import AuthorsOnlyMixin
from cms.spreadsheets import SafeExportMixin
from cms.templatetags.charts import Row
from learning.analytics import modules as module_analytics
from learning.analytics.modules import ModuleDetail, ModuleStats, Overview

CHART_ROWS = 12  # each index chart shows the modules that need attention most


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}%"


class CompletionColumn(Column):
    """Completed of started, as a bar."""

    cell_template_name = "learning/module_analytics/completion_cell.html"


class ModuleAnalyticsView(AuthorsOnlyMixin, SafeExportMixin, ReportView):
    page_title = "Module analytics"
    header_icon = "doc-full"
    template_name = "learning/module_analytics/index.html"
    index_url_name = "learning_module_analytics"
    index_results_url_name = "learning_module_analytics_results"
    default_ordering = "title"
    export_filename = "module-analytics"
    columns = [
        TitleColumn(
            "title",
            label="Module",
            sort_key="title",
            width="22%",
            get_url=lambda s: reverse("learning_module_analytics_module", args=[s.module_id]),
        ),
        NumberColumn("enrolled", label="Enrolled", sort_key="enrolled"),
        NumberColumn("started", label="Started", sort_key="started"),
        NumberColumn("completed", label="Completed", sort_key="completed"),
        CompletionColumn("completion", label="Completed of started"),
        Column(
            "drop_off",
            label="Drop-off",
            accessor=lambda s: _percent(s.drop_off_percent),
            sort_key="drop_off",
        ),
        Column(
            "median_minutes",
            label="Median minutes",
            accessor=lambda s: (
                f"{s.median_rounded:g} (est. {s.estimated_minutes})"
                if s.median_minutes is not None
                else ""
            ),
            sort_key="median_minutes",
        ),
        Column(
            "average_rating",
            label="Rating",
            accessor=lambda s: f"{s.average_rating:.1f} ({s.ratings})" if s.ratings else "",
            sort_key="average_rating",
        ),
        Column(
            "first_try_rate",
            label="Right first time",
            accessor=lambda s: _percent(s.first_try_percent),
            sort_key="first_try_rate",
        ),
    ]
    list_export = [
        "title",
        "estimated_minutes",
        "enrolled",
        "started",
        "completed",
        "drop_off_percent",
        "median_rounded",
        "ratings",
        "average_rating_rounded",
        "comments",
        "first_try_answered",
        "first_try_percent",
    ]
    export_headings = {
        "title": "Module",
        "estimated_minutes": "Estimated minutes",
        "enrolled": "Enrolled",
        "started": "Started",
        "completed": "Completed",
        "drop_off_percent": "Drop-off %",
        "median_rounded": "Median minutes",
        "ratings": "Ratings",
        "average_rating_rounded": "Average rating",
        "comments": "Comments",
        "first_try_answered": "First answers",
        "first_try_percent": "Right first time %",
    }

    def get_queryset(self) -> list[ModuleStats]:
        # One overview per request: the table, the charts and the moments of pain share it.
        self.overview = module_analytics.overview(
            thresholds=module_analytics.PainThresholds.from_settings()
        )
        return _ordered(self.overview.modules, self.ordering or self.default_ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_index_charts(self.overview))
        context["pain"] = self.overview.pain
        return context


def _ordered(rows: list[ModuleStats], ordering: str) -> list[ModuleStats]:
    """Sorted by a column's key; modules without a figure go last whichever the direction."""
    key = ordering.removeprefix("-")
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    value = (lambda r: r.title.casefold()) if key == "title" else (lambda r: getattr(r, key))
    present.sort(key=lambda r: r.title.casefold())  # stable: ties stay in title order
    present.sort(key=value, reverse=ordering.startswith("-"))
    return present + missing


def _known(figure: float | None) -> float:
    # The caller's filter (started, timed, rated, answered) makes the figure known; mypy cannot
    # follow a filter into a sort key or a comprehension.
    return cast(float, figure)


def _index_charts(overview: Overview) -> dict:
    modules = overview.modules
    started = sorted(
        (m for m in modules if m.started), key=lambda m: (-_known(m.drop_off), m.title)
    )
    timed = sorted(
        (m for m in modules if m.median_minutes is not None),
        key=lambda m: (-_known(m.time_against_estimate), m.title),
    )
    rated = sorted((m for m in modules if m.ratings), key=lambda m: (m.average_rating, m.title))
    over = [_known(m.time_against_estimate) for m in timed[:CHART_ROWS]]
    return {
        "funnel": [
            Row("Enrolled", sum(m.enrolled for m in modules)),
            Row("Started", sum(m.started for m in modules)),
            Row("Completed", sum(m.completed for m in modules)),
        ],
        "completion_rows": [
            Row(m.title, round(100 * m.completed / m.started), f"{m.completed} of {m.started}")
            for m in started[:CHART_ROWS]
        ],
        "time_rows": [
            Row(
                m.title,
                round(100 * _known(m.time_against_estimate)),
                f"{m.median_minutes:g} min, est. {m.estimated_minutes}",
            )
            for m in timed[:CHART_ROWS]
        ],
        "time_maximum": max([200, *(round(100 * r) for r in over)]),
        "rating_rows": [
            Row(
                m.title, round(_known(m.average_rating), 1), f"{m.average_rating:.1f} ({m.ratings})"
            )
            for m in rated[:CHART_ROWS]
        ],
    }


class ModuleDetailView(AuthorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "learning/module_analytics/detail.html"
    header_icon = "doc-full"

    def get(self, request, *args, page_id: int, **kwargs):
        detail = module_analytics.module_detail(
            page_id, thresholds=module_analytics.PainThresholds.from_settings()
        )
        if detail is None:
            raise Http404("No live module with this id.")
        self.detail = detail
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return self.detail.stats.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("learning_module_analytics"), "label": "Module analytics"},
            {"url": "", "label": self.detail.stats.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_detail_charts(self.detail))
        context["detail"] = self.detail
        context["stats"] = self.detail.stats
        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[self.detail.stats.module_id])
        return context


def _detail_charts(detail: ModuleDetail) -> dict:
    s = detail.stats
    return {
        "funnel": [
            Row("Enrolled", s.enrolled),
            Row("Started", s.started),
            Row("Completed", s.completed),
        ],
        "time_rows": [
            Row("Median", s.median_minutes or 0, f"{s.median_minutes:g} min")
            if s.median_minutes is not None
            else Row("Median", 0, "no completions yet"),
            Row("Estimate", s.estimated_minutes, f"{s.estimated_minutes} min"),
        ],
        "star_rows": [
            Row(f"{stars} ★", count, str(count))
            for stars, count in reversed(list(enumerate(s.stars, 1)))
        ],
        "question_rows": [
            Row(
                module_analytics.shorten(q.prompt, 70),
                round(100 * _known(q.first_try_rate)) if q.answered else 0,
                f"{q.right_first_time} of {q.answered} ({q.first_try_rate:.0%})"
                if q.answered
                else "no answers yet",
            )
            for q in detail.questions
        ],
    }
