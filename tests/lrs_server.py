"""A Learning Record Store on loopback that speaks xAPI's statements resource, for the forwarder.

`POST {base}/statements` takes one statement or a list, checks basic auth and the
X-Experience-API-Version header, and stores each by id (the same statement again is taken, a
different one under a stored id is 409 Conflict, as the spec says); `GET {base}/statements?
statementId=…` returns one. `.down(status)` makes it answer an error; `.stop()`/`.start()` close
and reopen its port, as an LRS that is down and back.

    with LrsServer(key="k", secret="s") as lrs:
        settings.LRS_ENDPOINT = lrs.url
        ...
        lrs.statements            # id → statement
"""

import base64
import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LrsServer:
    def __init__(self, *, key: str = "lrs-key", secret: str = "lrs-secret") -> None:
        self.key, self.secret = key, secret
        self.statements: dict[str, dict] = {}
        self.posts = 0
        self.failing: int | None = None
        self._lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> "LrsServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body=None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _allowed(self) -> bool:
                expected = base64.b64encode(f"{lrs.key}:{lrs.secret}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self._send(401, {"message": "Bad credentials"})
                    return False
                if not self.headers.get("X-Experience-API-Version", "").startswith("1.0"):
                    self._send(400, {"message": "X-Experience-API-Version header missing"})
                    return False
                return True

            def do_POST(self):
                if lrs.failing is not None:
                    self._send(lrs.failing, {"message": "Unavailable"})
                    return
                if self.path != "/xAPI/statements" or not self._allowed():
                    if self.path != "/xAPI/statements":
                        self._send(404)
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                statements = body if isinstance(body, list) else [body]
                with lrs._lock:
                    lrs.posts += 1
                    for statement in statements:
                        if not {"id", "actor", "verb", "object"} <= set(statement):
                            self._send(
                                400, {"message": "A statement needs id, actor, verb, object"}
                            )
                            return
                        known = lrs.statements.get(statement["id"])
                        if known is not None and known != statement:
                            self._send(409, {"message": f"Conflict on {statement['id']}"})
                            return
                    for statement in statements:
                        lrs.statements[statement["id"]] = statement
                self._send(200, [s["id"] for s in statements])

            def do_GET(self):
                parsed = urllib.parse.urlparse(self.path)
                if parsed.path != "/xAPI/statements" or not self._allowed():
                    return
                wanted = urllib.parse.parse_qs(parsed.query).get("statementId", [""])[0]
                found = lrs.statements.get(wanted)
                self._send(200, found) if found else self._send(404)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def down(self, status: int | None = 503) -> None:
        """Answer every POST with this status (None: answer normally again)."""
        self.failing = status
