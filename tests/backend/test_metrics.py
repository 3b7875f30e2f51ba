"""/metrics for Prometheus: closed without METRICS_TOKEN, 401 without its bearer; with it, the
HTTP and database figures (django-prometheus) and ours, scraped as Prometheus would."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from learning.models import Learner
from nudges.models import Delivery, Nudge
from tests.factories import LearnerFactory, publish_module, token_client
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-" + uuid.uuid4().hex


def scrape(client) -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_closed_without_a_token_setting_and_refused_without_its_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert b"micromoments" not in wrong.content


def test_a_scrape_has_http_database_and_our_own_figures(client, settings, library, tmp_path):
    settings.METRICS_TOKEN = TOKEN
    now = timezone.now()
    learner = LearnerFactory()
    Learner.objects.filter(pk=learner.pk).update(
        next_nudge_check_at=now - datetime.timedelta(minutes=5)
    )
    NudgeFactory(learner=learner)  # planned a minute ago: in the dispatcher's backlog
    failed = NudgeFactory(learner=learner, state=Nudge.State.FAILED, kind="deadline")
    Delivery.objects.create(
        nudge=failed,
        device=DeviceFactory(user=learner.user),
        state=Delivery.State.FAILED,
        error_code="QUOTA_EXCEEDED",
    )
    module = publish_module(title="Refunds")
    phone = token_client(learner.user)
    batch = phone.post(
        "/api/v1/events",
        {
            "events": [
                {"id": str(uuid.uuid4()), "type": "module_started", "module_id": module.pk,
                 "occurred_at": now.isoformat()},
                {"id": str(uuid.uuid4()), "type": "no_such_type", "occurred_at": now.isoformat()},
            ]
        },
        content_type="application/json",
    )  # fmt: skip
    assert [r["status"] for r in batch.json()["results"]] == ["accepted", "rejected"]

    people = tmp_path / "people.csv"
    people.write_text(
        "email,first_name,last_name,role,team,manager_email,start_date,timezone\n"
        "ana@brightwave.example,Ana,Lima,Support agent,North,,2026-11-02,UTC\n"
        "ben@brightwave.example,Ben,Okafor,Support agent,North,,2026-11-02,UTC\n"
    )
    call_command("import_learners", str(people), stdout=io.StringIO())  # another process, in life

    samples = scrape(client)

    assert samples["micromoments_nudges"][(("kind", "practice_due"), ("state", "planned"))] == 1
    assert samples["micromoments_nudges"][(("kind", "deadline"), ("state", "failed"))] == 1
    deliveries = samples["micromoments_push_deliveries"]
    assert deliveries[(("error", "QUOTA_EXCEEDED"), ("state", "failed"))] == 1
    [lag] = samples["micromoments_planner_lag_seconds"].values()
    assert 290 <= lag <= 3600
    assert samples["micromoments_dispatch_backlog"][()] == 1
    assert samples["micromoments_events_total"][(("outcome", "accepted"),)] >= 1
    assert samples["micromoments_events_total"][(("outcome", "rejected"),)] >= 1
    assert samples["micromoments_import_rows_total"][(("outcome", "created"),)] == 2
    # django-prometheus's own: requests by method, and the database's queries.
    assert sum(samples["django_http_requests_total_by_method_total"].values()) >= 1
    assert sum(samples["django_db_execute_total"].values()) >= 1
