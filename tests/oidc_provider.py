"""A real OpenID Connect provider on loopback, for the single sign-on tests.

A threaded HTTP server on 127.0.0.1 (port 0) serving discovery, a JWKS whose key rotates, an
authorization endpoint that approves the configured person at once (back to redirect_uri with a
code and the state), a token endpoint (checks the client, the redirect_uri and PKCE, puts the
nonce in the ID token) and a userinfo endpoint. Tokens are signed with RSA keys made by
`cryptography`. Tests also mint ID tokens themselves (`id_token`), as an app's SDK would get them.
"""

import base64
import functools
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


@functools.cache
def rsa_key(n: int) -> rsa.RSAPrivateKey:
    """The nth test key, made once per run (2048-bit keys cost ~50 ms each)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key(n: int) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class SigningKey:
    kid: str
    private: Any
    alg: str = "RS256"

    def jwk(self) -> dict:
        public = self.private.public_key()
        if self.alg.startswith("ES"):
            data = ECAlgorithm.to_jwk(public, as_dict=True)
        else:
            data = RSAAlgorithm.to_jwk(public, as_dict=True)
        return {**data, "kid": self.kid, "alg": self.alg, "use": "sig"}


@dataclass
class Grant:
    claims: dict
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None


@dataclass
class OidcProvider:
    clients: dict[str, str] = field(default_factory=dict)  # client id -> secret
    person: dict = field(default_factory=dict)  # the claims the authorization endpoint approves
    keys: list[SigningKey] = field(default_factory=list)  # published in the JWKS; [-1] signs
    requests: list[str] = field(default_factory=list)  # paths asked, in order
    down: bool = False  # answer every request with 503
    token_claims: dict = field(default_factory=dict)  # overrides in the token endpoint's ID tokens
    url: str = ""
    _grants: dict[str, Grant] = field(default_factory=dict)
    _access_tokens: dict[str, dict] = field(default_factory=dict)
    _next_key: int = 0

    @property
    def issuer(self) -> str:
        return self.url

    # --- keys and tokens --------------------------------------------------------------------------

    def add_key(self, *, alg: str = "RS256", publish: bool = True) -> SigningKey:
        """A new key, signing from now on; published in the JWKS unless `publish` is False."""
        n, self._next_key = self._next_key, self._next_key + 1
        private = ec_key(n) if alg.startswith("ES") else rsa_key(n)
        key = SigningKey(kid=f"key-{n}", private=private, alg=alg)
        if publish:
            self.keys.append(key)
        return key

    def rotate(self) -> tuple[SigningKey, SigningKey]:
        """A new key replaces the current one in the JWKS; returns (old, new)."""
        old = self.keys[-1]
        new = self.add_key()
        self.keys.remove(old)
        return old, new

    def jwks_fetches(self) -> int:
        return self.requests.count("/jwks")

    def claims(self, **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "sub-" + str(self.person.get("email", "nobody")),
            "aud": "micromoments-app",
            "iat": now,
            "exp": now + 3600,
            **self.person,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def id_token(
        self, *, key: SigningKey | None = None, headers: dict | None = None, **claims
    ) -> str:
        """An ID token of the approved person, signed with the current key (or `key`); claims
        given as None are left out."""
        key = key or self.keys[-1]
        # Signed as raw JSON: jwt.encode would refuse the claims of the wrong type tests need.
        return jwt.api_jws.PyJWS().encode(
            json.dumps(self.claims(**claims)).encode(),
            key.private,
            algorithm=key.alg,
            headers={"kid": key.kid, "typ": "JWT", **(headers or {})},
        )

    # --- the server ---------------------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator["OidcProvider"]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet test output
                pass

            def do_GET(self):
                provider._serve(self, "GET")

            def do_POST(self):
                provider._serve(self, "POST")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        if not self.keys:
            self.add_key()
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        self.requests.append(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        form: dict[str, str] = {}
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            body = handler.rfile.read(length).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
        if self.down:
            return _send(handler, 503, {"error": "temporarily_unavailable"})
        route = {
            ("GET", "/.well-known/openid-configuration"): self._discovery,
            ("GET", "/jwks"): self._jwks,
            ("GET", "/authorize"): self._authorize,
            ("POST", "/token"): self._token,
            ("GET", "/userinfo"): self._userinfo,
        }.get((method, parts.path))
        if route is None:
            return _send(handler, 404, {"error": "not_found"})
        route(handler, query, form)

    def _discovery(self, handler, query, form):
        _send(
            handler,
            200,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"],
            },
        )

    def _jwks(self, handler, query, form):
        _send(handler, 200, {"keys": [key.jwk() for key in self.keys]})

    def _authorize(self, handler, query, form):
        redirect_uri = query.get("redirect_uri", "")
        if (
            query.get("response_type") != "code"
            or query.get("client_id") not in self.clients
            or "openid" not in query.get("scope", "").split()
            or not redirect_uri
            or not self.person
        ):
            return _send(handler, 400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        self._grants[code] = Grant(
            claims=self.claims(aud=query["client_id"], nonce=query.get("nonce")),
            client_id=query["client_id"],
            redirect_uri=redirect_uri,
            nonce=query.get("nonce"),
            code_challenge=query.get("code_challenge"),
        )
        back = {"code": code, "state": query.get("state", "")}
        handler.send_response(302)
        handler.send_header("Location", f"{redirect_uri}?{urlencode(back)}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _token(self, handler, query, form):
        grant = self._grants.pop(form.get("code", ""), None)
        client_id, secret = _client_credentials(handler, form)
        if grant is None or form.get("grant_type") != "authorization_code":
            return _send(handler, 400, {"error": "invalid_grant"})
        if client_id != grant.client_id or self.clients.get(client_id) != secret:
            return _send(handler, 401, {"error": "invalid_client"})
        if form.get("redirect_uri") != grant.redirect_uri:
            return _send(handler, 400, {"error": "invalid_grant"})
        if grant.code_challenge is not None:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                return _send(handler, 400, {"error": "invalid_grant"})
        key = self.keys[-1]
        id_token = jwt.encode(
            {**grant.claims, **self.token_claims},
            key.private,
            algorithm=key.alg,
            headers={"kid": key.kid},
        )
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = grant.claims
        _send(
            handler,
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": id_token,
            },
        )

    def _userinfo(self, handler, query, form):
        authorization = handler.headers.get("Authorization", "")
        claims = self._access_tokens.get(authorization.removeprefix("Bearer "))
        if claims is None:
            return _send(handler, 401, {"error": "invalid_token"})
        keep = {"sub", "email", "email_verified", "given_name", "family_name", "name"}
        _send(handler, 200, {k: v for k, v in claims.items() if k in keep})


def _client_credentials(handler, form) -> tuple[str | None, str | None]:
    authorization = handler.headers.get("Authorization", "")
    if authorization.startswith("Basic "):
        client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def _send(handler, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
