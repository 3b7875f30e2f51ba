"""The API's request rate per bearer token, in one cache round trip per request.

ninja's SimpleRateThrottle keeps every request's timestamp in one cache entry, read and written back
on each request: two round trips and a pickled list of up to the whole rate (600 floats) on the hot
path. This one counts requests in fixed windows and weighs the previous window's count by how much
of it still overlaps the sliding window (the approximation nginx and Cloudflare use): on Redis one
pipelined INCR, EXPIRE and GET. A refused request is taken back out of the count, so a client that
waits out its Retry-After gets in again.
"""

import contextlib
import math
import threading

import redis
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def _redis() -> redis.Redis | None:
    """One client (and connection pool) per process for REDIS_URL; None on the quick-start."""
    url = settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.setdefault(url, redis.Redis.from_url(url))
    return client


def _count_on_redis(client: redis.Redis, current: str, previous: str, ttl: int) -> tuple[int, int]:
    pipe = client.pipeline(transaction=False)
    pipe.incr(current)
    pipe.expire(current, ttl)
    pipe.get(previous)
    counted, _, before = pipe.execute()
    return int(counted), int(before or 0)


def _count_in_cache(current: str, previous: str, ttl: int) -> tuple[int, int]:
    # Django's cache API (the quick-start's file cache): add() then incr(), both atomic enough for
    # one process's few requests.
    cache.add(current, 0, ttl)
    try:
        counted = cache.incr(current)
    except ValueError:  # expired between the two calls
        cache.set(current, 1, ttl)
        counted = 1
    return counted, int(cache.get(previous) or 0)


def _take_back(current: str) -> None:
    client = _redis()
    if client is not None:
        client.decr(current)
        return
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to take back
        cache.decr(current)


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per bearer token (ninja's AuthRateThrottle keys on the token's name, a device
    name two people may share), over a sliding window of the rate's period."""

    scope = "token"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        if token is None:
            return None
        return f"throttle_token_{token.pk}"

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None:
            return True
        limit, window = self.num_requests, self.duration
        assert limit is not None  # a rate is always given
        assert window is not None
        now = self.timer()  # type: ignore[misc]  # ninja's class attribute, time.time
        bucket = int(now // window)
        current, previous = f"{key}:{bucket}", f"{key}:{bucket - 1}"
        client = _redis()
        if client is not None:
            # Redis keys carry the cache's prefix too, so two deployments on one Redis stay apart.
            current = cache.make_and_validate_key(current)
            previous = cache.make_and_validate_key(previous)
            counted, before = _count_on_redis(client, current, previous, 2 * window)
        else:
            counted, before = _count_in_cache(current, previous, 2 * window)
        elapsed = now - bucket * window
        # before x (1 - elapsed / window) + counted <= limit, multiplied out to stay exact.
        if before * (window - elapsed) + counted * window <= limit * window:
            return True
        _take_back(current)
        self._wait = _seconds_until_under(
            limit=limit, window=window, elapsed=elapsed, current=counted - 1, previous=before
        )
        return False

    def wait(self) -> float | None:
        return self._wait


def _seconds_until_under(
    *, limit: int, window: int, elapsed: float, current: int, previous: int
) -> float:
    """When one more request fits again: the previous window's weight falls linearly to nothing
    by this window's end; past it, this window's count is the one that fades."""
    room = limit - 1  # the count (weighted) may be at most this for one more request to fit
    if current <= room and previous > 0:
        # previous * (1 - t / window) + current <= room, for t in this window
        t = window * (1 - (room - current) / previous)
        if t <= window:
            return max(1.0, math.ceil(t - elapsed))
    if current <= room:
        return max(1.0, math.ceil(window - elapsed))
    # In the next window: current * (1 - t / window) <= room.
    t = window * (1 - room / current) if current else 0.0
    return max(1.0, math.ceil(window - elapsed + t))
