"""Sending email: one small interface, `send(to, subject, body)`, with the backend chosen by MAIL_BACKEND.

console (the default) prints each message to stderr so a developer can copy a link from it; memory keeps
them in a list on the app (tests); smtp sends them with the standard library's smtplib (MAIL_HOST,
MAIL_PORT, MAIL_USER, MAIL_PASSWORD, MAIL_FROM, MAIL_STARTTLS), in the background so the page never waits
on the mail server.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Mapping, Protocol

from flask import Flask, current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One email as sent."""

    sender: str
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Anything that can send an email."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message."""


class ConsoleMailer:
    """Prints each message to stderr: for development, where no mail server is set up."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.sender = str(config["MAIL_FROM"])

    def send(self, to: str, subject: str, body: str) -> None:
        """Print the message where the developer running the server can read it."""
        print(f"--- email (MAIL_BACKEND=console) ---\nFrom: {self.sender}\nTo: {to}\nSubject: {subject}\n\n{body}\n---",
              file=sys.stderr, flush=True)


class MemoryMailer:
    """Keeps each message in `outbox`: for tests."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.sender = str(config["MAIL_FROM"])
        self.outbox: list[Message] = []

    def send(self, to: str, subject: str, body: str) -> None:
        """Add the message to the outbox."""
        self.outbox.append(Message(self.sender, to, subject, body))


class SmtpMailer:
    """Sends through an SMTP server, with STARTTLS and a login when configured."""

    TIMEOUT = 20  # seconds

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.sender = str(config["MAIL_FROM"])
        self.host, self.port = str(config["MAIL_HOST"]), int(config["MAIL_PORT"])
        self.user, self.password = str(config["MAIL_USER"] or ""), str(config["MAIL_PASSWORD"] or "")
        self.starttls = bool(config["MAIL_STARTTLS"])

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        """The message as it goes over the wire."""
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, to, subject
        email.set_content(body)
        return email

    def deliver(self, email: EmailMessage) -> None:
        """Hand one message to the server now; failures are logged, never raised."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.TIMEOUT) as server:
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.user:
                    server.login(self.user, self.password)
                server.send_message(email)
        except (OSError, smtplib.SMTPException):
            log.exception("Could not send email %r to the SMTP server %s:%s", email["Subject"], self.host, self.port)

    def send(self, to: str, subject: str, body: str) -> None:
        """Send in the background: the answer never waits on (or tells anything by) the mail server."""
        threading.Thread(target=self.deliver, args=(self.message(to, subject, body),), daemon=True).start()


BACKENDS: dict[str, type[ConsoleMailer] | type[MemoryMailer] | type[SmtpMailer]] = {
    "console": ConsoleMailer, "memory": MemoryMailer, "smtp": SmtpMailer,
}


def init_app(app: Flask) -> None:
    """Make the configured mailer (an unknown MAIL_BACKEND stops the app from starting)."""
    name = str(app.config["MAIL_BACKEND"]).strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    app.extensions["mailer"] = BACKENDS[name](app.config)
    if name == "console" and not (app.debug or app.testing):
        log.warning("MAIL_BACKEND=console: password-reset links are printed to the server's log. "
                    "Set SELFCARE_MAIL_BACKEND=smtp in production.")


def mailer(app: Flask | None = None) -> Mailer:
    """The app's mailer (the current app's when none is given)."""
    return (app or current_app).extensions["mailer"]


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text email with the current app's mailer."""
    mailer().send(to, subject, body)


def outbox(app: Flask) -> list[Message]:
    """The messages a memory mailer has kept (tests)."""
    memory = mailer(app)
    assert isinstance(memory, MemoryMailer), "MAIL_BACKEND is not memory"
    return memory.outbox
