"""A real SMTP server on loopback (aiosmtpd) for the tests that send email, and helpers that read
what it received the way a mail client would: parsed with the `email` package, parts by type.

The `smtp_server` fixture (a plugin of tests/conftest.py) points Django at it through the SMTP
backend (pytest-django swaps EMAIL_BACKEND to locmem; the fixture swaps it back), so a test sees the bytes a mail server sees.
"""

import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    """What the server accepted, in order: one parsed message per SMTP DATA."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)  # (mail from, rcpt tos)
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550
    sessions: int = 0  # SMTP conversations (one EHLO each)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()
        self.sessions = 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_controller():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, mailbox
    finally:
        controller.stop()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(_smtp_controller, settings) -> Mailbox:
    """An empty mailbox, and Django's email going to it over SMTP (no TLS on loopback)."""
    controller, mailbox = _smtp_controller
    mailbox.clear()
    mailbox.refuse.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return mailbox


def body(message: EmailMessage, subtype: str) -> str:
    """The text of the `plain` or `html` part, decoded."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    return part.get_content()


def links(message: EmailMessage) -> list[str]:
    """Every http(s) or app link in the plain-text part, in order."""
    return re.findall(r"(?:https?|micromoments)://\S+", body(message, "plain"))


def link_params(link: str) -> dict[str, str]:
    """The uid and token a password link carries."""
    query = parse_qs(urlsplit(link).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}
