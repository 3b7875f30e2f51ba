"""Structured logs: a request id on every line of a request (and in its response), the task id on
every line of a task, the learner id where there is one; never an email, a name, a token or a push
address, whatever a day of the product logs."""

import contextlib
import io
import json
import logging
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from backend import logs
from backend.auth import LearnerTokenAuth
from cms.models import ChangeEvent, EventAudience
from learning.models import Card, Learner
from learning.practice import cards as practice
from learning.tasks import reconcile_enrolments
from nudges.backends.console import ConsoleBackend
from nudges.models import Device, Nudge
from nudges.planning import plan_nudges
from nudges.sending import send
from tests.brokers import spare_port
from tests.factories import LearnerFactory, publish_module, question, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Every record of the run, rendered as production renders it (JSON), into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = logs.logging_config(json_lines=True, level="DEBUG", tasks_level="DEBUG")
    formatter_config = dict(config["formatters"]["structured"])
    factory = formatter_config.pop("()")
    handler.setFormatter(factory(**formatter_config))
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    root.removeHandler(handler)
    root.setLevel(before)


def test_a_requests_lines_carry_its_id_and_the_learner(json_lines, library):
    learner = LearnerFactory(user__username="dana")
    client = token_client(learner.user)
    assert len(client.get("/api/v1/me")["X-Request-ID"]) == 32  # one is made up ...
    given = "req-" + uuid.uuid4().hex[:12]
    assert client.get("/api/v1/me", headers={"X-Request-ID": given})["X-Request-ID"] == given
    # ... or taken from the caller, if it is a sane token; anything else is replaced.
    assert client.get("/api/v1/me", headers={"X-Request-ID": "<b>x</b>"})["X-Request-ID"] != (
        "<b>x</b>"
    )

    def view(request):
        LearnerTokenAuth().authenticate(request, client.token)  # as the API's auth does
        logging.getLogger("tests.inside").info("inside the request")
        return HttpResponse()

    logs.RequestIdMiddleware(view)(RequestFactory().get("/", headers={"X-Request-ID": given}))
    logging.getLogger("tests.inside").info("after the request")
    by_event = {x["event"]: x for x in json_lines()}
    inside = by_event["inside the request"]
    assert (inside["request_id"], inside["learner_id"]) == (given, learner.pk)
    assert {"timestamp", "level", "logger"} <= set(inside)
    assert "request_id" not in by_event["after the request"]


def test_a_tasks_lines_carry_its_id_and_name(json_lines, library):
    """A task run by Celery (its prerun and postrun signals, as in a worker): the sweep repairs a
    missing enrolment and says so, on a line that carries the task's id."""
    LearnerFactory(role="Support agent")
    event = ChangeEvent(
        name="Flex launch", kind="product_launch", date=timezone.localdate(), live=True
    )
    event.audience_rules = [EventAudience(role="Support agent")]
    event.save()  # live, its audience not enrolled: what a lost hand-off leaves
    result = reconcile_enrolments.apply()
    assert result.get() == 1
    logging.getLogger("learning.tasks").info("after the task")
    by_event = {x["event"]: x for x in json_lines()}
    [repaired] = [x for e, x in by_event.items() if e.startswith("Reconciliation enrolled 1")]
    assert repaired["task_id"] == result.id
    assert repaired["task"] == "learning.tasks.reconcile_enrolments"
    assert "task_id" not in by_event["after the task"]  # postrun cleared it


def test_a_day_of_the_product_logs_no_email_name_token_or_push_address(
    json_lines, library, client, settings
):
    """Sign in, read, record, practise, get nudged through the console backend, and be
    deactivated in the admin: the logs hold ids, never who."""
    learner = LearnerFactory(
        user__username="zq", user__first_name="Zebulon", user__last_name="Quartermaine",
        user__email="zq.logs@brightwave.example", user__password="micromoments",
        timezone="UTC",
    )  # fmt: skip
    signed_in = client.post(
        "/api/v1/auth/token",
        {"username": "zq", "password": "micromoments", "device_name": "Zebulon's phone"},
        content_type="application/json",
    )
    assert signed_in.status_code == 200, signed_in.content
    token = signed_in.json()["token"]
    phone = token_client(learner.user)
    push_address = "fcm-registration-token-" + uuid.uuid4().hex
    registered = phone.post(
        "/api/v1/devices",
        {"token": push_address, "platform": "android"},
        content_type="application/json",
    )
    assert registered.status_code in (200, 201), registered.content
    module = publish_module(title="Refunds", body=[question("Who approves a refund?")])
    practice.create_cards_for_module(learner, module, now=timezone.now())
    card = Card.objects.get(learner=learner)
    answered = phone.post(
        "/api/v1/reviews",
        {
            "card_id": card.pk, "client_id": str(uuid.uuid4()), "choices": [0],
            "answered_at": timezone.now().isoformat(), "response_ms": 5000,
        },
        content_type="application/json",
    )  # fmt: skip
    assert answered.status_code in (200, 201), answered.content
    Card.objects.filter(pk=card.pk).update(due=timezone.now())
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=timezone.now())
    plan_nudges(now=timezone.now(), rng=random.Random(1))
    nudge = Nudge.objects.get(learner=learner)
    send([nudge.pk], now=nudge.planned_for, backend=ConsoleBackend())
    assert Device.objects.filter(token=push_address).exists()
    phone.get("/api/v1/me/today")
    user = learner.user
    user.is_active = False
    user.save()  # as the admin saves it

    # The product's lines (factory_boy's own debug lines describe the test's fixtures).
    product = [x for x in json_lines() if not x.get("logger", "").startswith("factory")]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in product)
    # The day logged the push and the deactivation, among others ...
    assert any(x["event"].startswith("outbox ") for x in product)
    assert any(x["event"].startswith("Deactivated 1 account") for x in product)
    # ... and no secret or identity.
    for secret in (
        "Zebulon", "Quartermaine", "zq.logs@brightwave.example", token, phone.token,
        push_address, push_address[:12],
    ):  # fmt: skip
        assert secret not in text, secret


def test_the_access_log_names_the_path_but_never_a_password_links_token(tmp_path):
    """gunicorn as compose runs it (backend/gunicorn.py): a password link's query string, with its
    one-time token, stays out of the access log."""
    port = spare_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": "sqlite:///" + str(tmp_path / "db.sqlite3")}
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "backend.wsgi:application",
            "--config", "backend/gunicorn.py", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--access-logfile", str(log),
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.05)
        secret = "tok-" + uuid.uuid4().hex
        # An unknown link gets a page saying so; what matters is the log line.
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/set-password/?uid=MQ&token={secret}", timeout=5
            )
        for _ in range(100):
            if "/set-password/" in log.read_text():
                break
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert '"GET /set-password/ HTTP/1.1"' in text
    assert secret not in text
    assert "token=" not in text
