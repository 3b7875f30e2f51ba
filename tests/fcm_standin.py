"""A loopback stand-in for Firebase Cloud Messaging's HTTP v1 API, driven through firebase-admin.

It serves `POST /v1/projects/{p}/messages:send` (bearer token required) and the OAuth token
endpoint of a fake service account (`POST /token`, RS256 JWT assertion checked against the
account's public key), answers each scripted error with the status, headers and JSON body FCM
returns, and records every message it received so tests can count deliveries per tag.

    with FcmStandIn() as fcm:
        fcm.write_service_account(path)          # token_uri points here
        fcm.fail("token-1", "unregistered")      # always; or times=N, then success
        ...
        fcm.count(tag="nudge-7")

`python -m tests.fcm_standin FILE` runs one in its own process (the benchmark does), writes the
service-account JSON to FILE, prints the base URL and serves until stdin closes.
"""

import base64
import dataclasses
import functools
import itertools
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PROJECT = "micromoments-standin"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"

# name: (HTTP status, google.rpc status, message, FCM errorCode, extra details)
ERRORS = {
    "unregistered": (404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED", []),
    "invalid_token": (
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
        "INVALID_ARGUMENT",
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [
                    {
                        "field": "message.token",
                        "description": "The registration token is not a valid FCM registration token",
                    }
                ],
            }
        ],
    ),
    "invalid_payload": (
        400,
        "INVALID_ARGUMENT",
        "Invalid value at 'message.data[0].value' (TYPE_STRING), 7",
        "INVALID_ARGUMENT",
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [
                    {"field": "message.data[0].value", "description": "Invalid value, 7"}
                ],
            }
        ],
    ),
    "quota_exceeded": (
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute'.",
        "QUOTA_EXCEEDED",
        [],
    ),
    "unavailable": (503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE", []),
    "internal": (500, "INTERNAL", "Internal error encountered.", "INTERNAL", []),
    "sender_id_mismatch": (
        403,
        "PERMISSION_DENIED",
        "SenderId mismatch",
        "SENDER_ID_MISMATCH",
        [],
    ),
}
DROP = "drop"  # close the connection without an answer


@dataclasses.dataclass(frozen=True)
class Received:
    """One messages:send request as the stand-in saw it."""

    project: str
    address: str
    message: dict
    status: int  # what we answered (0: the connection was dropped)

    @property
    def tag(self) -> str | None:
        return self.message.get("android", {}).get("notification", {}).get("tag")

    @property
    def apns_collapse_id(self) -> str | None:
        return self.message.get("apns", {}).get("headers", {}).get("apns-collapse-id")


@dataclasses.dataclass
class _Script:
    error: str
    times: int | None  # None: every time
    retry_after: str | None


@functools.cache
def _private_key() -> rsa.RSAPrivateKey:
    # A throwaway key, made once per process: only the stand-in ever sees what it signs.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class FcmStandIn:
    def __init__(self, *, project: str = PROJECT, record: bool = True) -> None:
        self.project = project
        self.record = record
        self.client_email = f"nudges@{project}.iam.gserviceaccount.com"
        self.received: list[Received] = []
        self.requests_count = 0
        self.tokens_issued = 0
        self._scripts: dict[str, _Script] = {}
        self._access_tokens: set[str] = set()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FcmStandIn":
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fcm-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FcmStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- set-up ----------------------------------------------------------------------------------
    def service_account(self) -> dict:
        """A service-account JSON whose token_uri is this stand-in."""
        pem = _private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {
            "type": "service_account",
            "project_id": self.project,
            "private_key_id": "standin-key",
            "private_key": pem.decode(),
            "client_email": self.client_email,
            "client_id": "100000000000000000000",
            "token_uri": f"{self.url}/token",
        }

    def write_service_account(self, path: Path) -> Path:
        path.write_text(json.dumps(self.service_account()))
        return path

    def fail(
        self, address: str, error: str, *, times: int | None = None, retry_after: str | None = None
    ) -> None:
        """Answer messages to `address` with `error` (a key of ERRORS, or DROP): `times` times
        and then succeed, or every time. `retry_after` adds a Retry-After header."""
        if error != DROP and error not in ERRORS:
            raise ValueError(f"Unknown error {error!r}: one of {sorted(ERRORS)} or {DROP!r}.")
        self._scripts[address] = _Script(error, times, retry_after)

    def reset(self) -> None:
        with self._lock:
            self._scripts.clear()
            self.received.clear()
            self.requests_count = 0

    # --- reading what arrived --------------------------------------------------------------------
    def count(self, *, tag: str | None = None, address: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for r in self.received
                if (tag is None or r.tag == tag) and (address is None or r.address == address)
            )

    def delivered(self) -> list[Received]:
        """Messages answered with success."""
        with self._lock:
            return [r for r in self.received if r.status == 200]

    # --- serving ---------------------------------------------------------------------------------
    def _next_error(self, address: str) -> _Script | None:
        with self._lock:
            script = self._scripts.get(address)
            if script is None:
                return None
            if script.times is not None:
                if script.times <= 0:
                    return None
                script.times -= 1
            return script

    def _issue_token(self, form: dict[str, str]) -> str | None:
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return None
        try:
            header, claims, signature = form["assertion"].split(".")
            _private_key().public_key().verify(
                _b64decode(signature),
                f"{header}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            payload = json.loads(_b64decode(claims))
        except (KeyError, ValueError, InvalidSignature):
            return None
        # google-auth always names Google's endpoint as the audience, wherever token_uri points.
        audiences = {GOOGLE_TOKEN_URI, f"{self.url}/token"}
        if payload.get("iss") != self.client_email or payload.get("aud") not in audiences:
            return None
        if "https://www.googleapis.com/auth/cloud-platform" not in payload.get("scope", "").split():
            return None
        if payload.get("exp", 0) < time.time():
            return None
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens.add(token)
            self.tokens_issued += 1
        return token

    def _authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        with self._lock:
            return header.removeprefix("Bearer ") in self._access_tokens

    def _note(self, project: str, message: dict, status: int) -> None:
        address = message.get("fid") or message.get("token") or ""
        with self._lock:
            self.requests_count += 1
            if self.record:
                self.received.append(Received(project, address, message, status))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # send_each opens up to 500 connections at once
    standin: FcmStandIn


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends do
    server: _Server

    def log_message(self, format, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/_stats":
            standin = self.server.standin
            self._json(200, {"requests": standin.requests_count, "tokens": standin.tokens_issued})
        else:
            self._json(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})

    def do_POST(self) -> None:
        standin = self.server.standin
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/token":
            form = dict(urllib.parse.parse_qsl(body.decode()))
            token = standin._issue_token(form)
            if token is None:
                self._json(400, {"error": "invalid_grant", "error_description": "Invalid JWT."})
            else:
                self._json(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
            return

        parts = self.path.split("/")  # ['', 'v1', 'projects', p, 'messages:send']
        if len(parts) != 5 or parts[:3] != ["", "v1", "projects"] or parts[4] != "messages:send":
            self._json(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})
            return
        project = parts[3]
        if not standin._authorised(self.headers.get("Authorization")):
            self._json(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials. Expected "
                        "OAuth 2 access token, login cookie or other valid authentication "
                        "credential.",
                        "status": "UNAUTHENTICATED",
                    }
                },
            )
            return
        try:
            message = json.loads(body)["message"]
        except (ValueError, KeyError, TypeError):
            self._google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", None)
            return
        targets = [k for k in ("token", "fid", "topic", "condition") if message.get(k)]
        if len(targets) != 1:
            standin._note(project, message, 400)
            self._google_error(
                400, "INVALID_ARGUMENT", "Exactly one of token, fid, topic or condition.", None
            )
            return
        if project != standin.project:
            standin._note(project, message, 403)
            self._google_error(403, "PERMISSION_DENIED", "Permission denied.", None)
            return

        address = message.get("fid") or message.get("token")
        script = standin._next_error(address)
        if script is None:
            standin._note(project, message, 200)
            name = f"projects/{project}/messages/{next(standin._ids)}"
            self._json(200, {"name": name})
        elif script.error == DROP:
            standin._note(project, message, 0)
            self.close_connection = True  # the handler returns without a byte: RemoteDisconnected
        else:
            status, rpc_status, text, fcm_code, extra = ERRORS[script.error]
            standin._note(project, message, status)
            headers = {"Retry-After": script.retry_after} if script.retry_after else {}
            details = [{"@type": FCM_ERROR, "errorCode": fcm_code}, *extra]
            self._google_error(status, rpc_status, text, details, headers=headers)

    def _google_error(
        self,
        status: int,
        rpc_status: str,
        text: str,
        details: list | None,
        *,
        headers: dict | None = None,
    ) -> None:
        error = {"code": status, "message": text, "status": rpc_status}
        if details:
            error["details"] = details
        self._json(status, {"error": error}, headers=headers)

    def _json(self, status: int, body: dict, *, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def main(argv: list[str]) -> int:
    standin = FcmStandIn(record=False).start()
    standin.write_service_account(Path(argv[0]))
    print(standin.url, flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin
    standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
