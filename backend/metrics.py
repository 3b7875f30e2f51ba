"""Prometheus metrics at /metrics, for the operator: readable only with the METRICS_TOKEN bearer.

HTTP and database figures come from django-prometheus (its middleware and database wrapper);
ours are read from the database at each scrape, so every web process answers the same whatever
process did the work (a worker sent the push, the beat planned it):

- micromoments_nudges{kind, state}: nudges by kind and state (planned, sent, failed, ...);
- micromoments_push_deliveries{state, error}: per-device outcomes, FCM's error code as the reason;
- micromoments_planner_lag_seconds: how long the longest-waiting learner due for a check has waited;
- micromoments_dispatch_backlog: planned nudges whose moment has come and that no sender claimed;
- micromoments_enrolments{state}: current and ended enrolments;
- micromoments_import_rows{outcome}: HR import rows, from every run's record (ImportRun);
and from the process that counted them, prometheus_client's counters and histograms (cms.metrics):
a web process's events batch here; a worker's FCM round trips on its own port (backend.celery). With several
processes per host, PROMETHEUS_MULTIPROC_DIR shares them (prometheus_client's multiprocess mode).
"""

import hmac
import os

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily


class DatabaseFigures:
    """Our figures, counted in the database at each scrape (a few aggregate queries)."""

    def describe(self):
        return []

    def collect(self):
        from learning.models import Enrollment, ImportRun, Learner
        from nudges.models import Delivery, Nudge

        now = timezone.now()
        nudges = GaugeMetricFamily(
            "micromoments_nudges", "Nudges by kind and state.", labels=["kind", "state"]
        )
        for row in Nudge.objects.values("kind", "state").annotate(n=Count("pk")).order_by():
            nudges.add_metric([row["kind"], row["state"]], row["n"])
        yield nudges

        deliveries = GaugeMetricFamily(
            "micromoments_push_deliveries",
            "Per-device push outcomes; error is FCM's error code, empty when sent.",
            labels=["state", "error"],
        )
        for row in (
            Delivery.objects.values("state", "error_code").annotate(n=Count("pk")).order_by()
        ):
            deliveries.add_metric([row["state"], row["error_code"]], row["n"])
        yield deliveries

        oldest = Learner.objects.filter(next_nudge_check_at__lte=now).aggregate(
            oldest=Min("next_nudge_check_at")
        )["oldest"]
        yield GaugeMetricFamily(
            "micromoments_planner_lag_seconds",
            "Seconds the longest-waiting learner due for a nudge check has waited.",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "micromoments_dispatch_backlog",
            "Planned nudges whose moment has come, not yet claimed by a sender.",
            value=Nudge.objects.filter(
                state=Nudge.State.PLANNED, planned_for__lte=now, expires_at__gte=now
            ).count(),
        )
        enrolments = GaugeMetricFamily(
            "micromoments_enrolments", "Enrolments, current and ended.", labels=["state"]
        )
        counts = Enrollment.objects.aggregate(
            current=Count("pk", filter=Q(ended_at=None)),
            all=Count("pk"),
        )
        enrolments.add_metric(["current"], counts["current"])
        enrolments.add_metric(["ended"], counts["all"] - counts["current"])
        yield enrolments

        imported = CounterMetricFamily(
            "micromoments_import_rows",
            "HR import rows written, by outcome (every run's record, ImportRun).",
            labels=["outcome"],
        )
        outcomes = ("created", "updated", "unchanged", "invalid", "deactivated")
        totals = ImportRun.objects.aggregate(**{o: Sum(o) for o in outcomes})
        for outcome in outcomes:
            imported.add_metric([outcome], totals[outcome] or 0)
        yield imported


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return DEFAULT_REGISTRY
    # Several processes: their counters from the shared directory, and ours from the database.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_FIGURES)
    return registry


_FIGURES = DatabaseFigures()
DEFAULT_REGISTRY.register(_FIGURES)  # no names described: registering twice cannot clash


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Closed (404) without METRICS_TOKEN; 401 without the right bearer."""
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        response = HttpResponse(
            "A bearer token is needed.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
