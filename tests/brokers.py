"""Brokers for the tests that need one of their own: a spare loopback port, a redis-server that is
started, stopped and started again on it, and this process's Celery app pointed at a broker (and
back) with its connection pools rebuilt."""

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import kombu.pools
import redis

from backend.celery import app as celery_app


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NO_DISK = ("--save", "", "--appendonly", "no")


class OwnRedis:
    """A redis-server of the test's own, keeping nothing on disk (a restart loses its queue)."""

    def __init__(self) -> None:
        self.port = spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", *NO_DISK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self) -> int:
        return redis.Redis.from_url(self.url).llen("celery")


def _drop_pools() -> None:
    # kombu keeps connections and producers in pools keyed by broker: reset them all (new ones are
    # made on demand), never close them, or a later publish in this process meets a closed pool.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Point this process's Celery app at `url` for the block, and back."""
    previous = celery_app.conf.broker_url
    _drop_pools()
    celery_app.conf.broker_url = url
    try:
        yield
    finally:
        _drop_pools()
        celery_app.conf.broker_url = previous


@contextlib.contextmanager
def own_redis_broker() -> Iterator[OwnRedis]:
    """An OwnRedis (not started yet) that this process publishes to; stopped at the end."""
    own = OwnRedis()
    try:
        with publishing_to(own.url):
            yield own
    finally:
        own.stop()
