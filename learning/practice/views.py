"""The authors' calibration report in the Wagtail admin: /cms/practice/calibration/.

How well the scheduler's predictions hold on our own learners: for each scope's newest fit (adopted
or not, as it says), predicted against actual recall on the latest held-out reviews (a chart per
fit, the set before beside it), log loss and RMSE before and after, and every fit kept, adopted or
not (read-only: a set is made only by the weekly fit). Authors and superusers only, as the other reports; aggregates only.
"""

from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.roles import AuthorsOnlyMixin
from cms.templatetags.charts import Row
from learning.models import SchedulerParameters
from learning.practice import calibration


def _bin_rows(bins: list[dict]) -> list[Row]:
    """One bar per tenth of predicted recall: the share actually recalled, with the prediction."""
    rows = []
    for b in bins:
        try:
            low, high = round(100 * float(b["low"])), round(100 * float(b["high"]))
            actual, predicted = 100 * float(b["actual"]), 100 * float(b["predicted"])
            count = int(b["count"])
        except (KeyError, TypeError, ValueError):
            continue  # a row the report cannot read is left out, never fatal
        rows.append(
            Row(
                f"predicted {low}–{high}%",
                round(actual),
                f"{actual:.0f}% recalled, {predicted:.0f}% predicted "
                f"({count:,} review{'' if count == 1 else 's'})",
            )
        )
    return rows


def _charts(fit: SchedulerParameters) -> dict:
    calibration_bins = fit.calibration if isinstance(fit.calibration, dict) else {}
    return {
        "fitted_rows": _bin_rows(calibration_bins.get("fitted") or []),
        "previous_rows": _bin_rows(calibration_bins.get("previous") or []),
    }


class CalibrationView(AuthorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Practice calibration"
    header_icon = "time"
    template_name = "learning/calibration/index.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fits = calibration.last_fits()
        latest: dict[int | None, SchedulerParameters] = {}
        for fit in fits:  # newest first within each scope
            latest.setdefault(fit.event_id, fit)
        context.update(
            fits=fits,
            scopes=[{"fit": fit, **_charts(fit)} for fit in latest.values()],
            last_fit_at=max((fit.fitted_at for fit in fits), default=None),
        )
        return context
