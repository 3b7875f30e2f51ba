"""Liveness and readiness probes for load balancers and orchestrators (root URLs, not the API)."""

from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.celery import app as celery_app


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", ok=False, detail=str(exc).strip() or type(exc).__name__)
    return Check("database", ok=True)


def check_redis() -> Check | None:
    if not settings.REDIS_URL:
        return None  # the quick-start runs without Redis
    timeout = settings.READYZ_TIMEOUT.total_seconds()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return Check("redis", ok=False, detail=str(exc))
    return Check("redis", ok=True)


def check_broker() -> Check:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.READYZ_TIMEOUT.total_seconds())
    except Exception as exc:
        return Check("broker", ok=False, detail=str(exc).strip() or type(exc).__name__)
    return Check("broker", ok=True)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests; it checks nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database, Redis and the Celery broker answer. 503 names what failed."""
    checks = [c for c in (check_database(), check_redis(), check_broker()) if c is not None]
    failing = [c.name for c in checks if not c.ok]
    body = {
        "status": "ok" if not failing else "unavailable",
        "failing": failing,
        "checks": {
            c.name: {"ok": c.ok, **({"detail": c.detail} if c.detail else {})} for c in checks
        },
    }
    return JsonResponse(body, status=503 if failing else 200)
