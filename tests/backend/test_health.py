"""/healthz says the process lives; /readyz checks the database, Redis and the broker for real."""

import pytest


def test_healthz_needs_nothing(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_postgres_redis_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert set(response.json()["checks"]) == {"database", "redis", "broker"}


@pytest.mark.django_db
def test_readyz_is_503_naming_redis_and_broker_when_redis_is_down(client, settings):
    from backend.celery import app

    # Nothing listens on port 1: as good as a Redis that is down, without stopping the shared one.
    down = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = down
    original = app.conf.broker_url
    app.conf.broker_url = down
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis", "broker"]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"]["detail"]
