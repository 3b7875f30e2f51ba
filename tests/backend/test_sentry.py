"""Errors go to Sentry when SENTRY_DSN is set, and nowhere when it is not: a process configured
with a DSN pointing at an HTTP server on loopback that takes Sentry's envelopes."""

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sentry_sdk
from django.conf import settings


class Envelopes(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        Envelopes.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_without_a_dsn_nothing_is_sent():
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_with_a_dsn_a_logged_error_reaches_sentry():
    Envelopes.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Envelopes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/42"
        script = (
            "import logging, sentry_sdk\nfrom django.conf import settings\nsettings.SENTRY_DSN\n"
            "try:\n"
            "    raise RuntimeError('boom in a task')\n"
            "except RuntimeError:\n"
            "    logging.getLogger('learning.tasks').exception('the task failed')\n"
            "sentry_sdk.flush(timeout=10)\n"
        )
        env = {
            **os.environ,
            "SENTRY_DSN": dsn,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": "sqlite:///:memory:",
        }
        subprocess.run(
            [sys.executable, "-c", script], env=env, check=True, timeout=60, capture_output=True
        )
    finally:
        server.shutdown()
    body = b"".join(Envelopes.received)
    assert b"boom in a task" in body  # the exception
    assert b"the task failed" in body  # the log line that reported it
