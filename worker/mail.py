"""E-mail through a real SMTP server, configured by one setting.

`PMO_SMTP_URL` (environment or `.streamlit/secrets.toml`) holds everything:

    smtp+starttls://user:password@mail.example.org:587/?from=pmo@example.org
    smtps://user:password@mail.example.org:465/?from=pmo@example.org   (TLS from the start)
    smtp://127.0.0.1:2525/?from=pmo@localhost                           (no TLS, no sign-in)

Without it e-mail is off: deliveries still land in the in-app inbox.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from data_access.core.config import setting

SMTP_TIMEOUT = 20


class MailSettingError(ValueError):
    """PMO_SMTP_URL cannot be understood; the message says how to write it."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # "none", "starttls" or "tls"
    user: str
    password: str
    sender: str

    def describe(self) -> str:
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}){who}, from {self.sender}"


SCHEMES = {"smtp": ("none", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise MailSettingError(
            "PMO_SMTP_URL must look like smtp+starttls://user:password@host:587/?from=pmo@example.org"
            " (schemes: smtp, smtp+starttls, smtps)"
        )
    security, default_port = SCHEMES[parts.scheme]
    sender = (parse_qs(parts.query).get("from") or [""])[0]
    user = unquote(parts.username or "")
    if not sender:
        sender = user if "@" in user else f"pmo@{parts.hostname}"
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        user=user,
        password=unquote(parts.password or ""),
        sender=sender,
    )


def smtp_config() -> SmtpConfig | None:
    """The configured server, or None when e-mail is off."""
    url = setting("PMO_SMTP_URL")
    return parse_smtp_url(url) if url else None


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime: str  # "image/png", "application/pdf"
    content: bytes
    cid: str = ""  # set for an image shown inline in the HTML as <img src="cid:...">


def build_message(
    config: SmtpConfig,
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: list[Attachment] = (),
    unsubscribe: str = "",
    message_key: str = "",
    kind: str = "",
) -> EmailMessage:
    """A multipart message: plain text and HTML alternatives, inline images, attachments."""
    msg = EmailMessage()
    msg["From"] = formataddr(("PMO dashboard", config.sender))
    msg["To"] = to
    msg["Subject"] = subject
    # The same delivery always has the same Message-ID, so that a message sent again after a
    # crash between the server's acceptance and our record of it is seen as a duplicate.
    msg["Message-ID"] = f"<{message_key}@{config.host}>" if message_key else make_msgid()
    if kind:  # report, reminder or notification: lets people sort their mail by rule
        msg["X-PMO-Kind"] = kind
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
        # One click in the mail client (RFC 8058): it POSTs to the address, no page opens.
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
        html_part = msg.get_payload()[-1]
        for item in attachments:
            if item.cid:
                main, sub = item.mime.split("/")
                html_part.add_related(
                    item.content, main, sub, cid=f"<{item.cid}>", filename=item.filename
                )
    for item in attachments:
        if not item.cid:
            main, sub = item.mime.split("/")
            msg.add_attachment(item.content, maintype=main, subtype=sub, filename=item.filename)
    return msg


class PermanentFailure(Exception):
    """The server refused the address or the message for good (a bounce): no retry."""


class TemporaryFailure(Exception):
    """The server could not be reached or asked to try later: retry with back-off."""


def send(config: SmtpConfig, msg: EmailMessage) -> None:
    """Hand the message to the server; raise PermanentFailure or TemporaryFailure."""
    try:
        if config.security == "tls":
            server = smtplib.SMTP_SSL(
                config.host, config.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT)
        with server:
            if config.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config.user:
                server.login(config.user, config.password)
            server.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()))
        raise _by_code(code, reason) from exc
    except smtplib.SMTPResponseException as exc:
        raise _by_code(exc.smtp_code, exc.smtp_error) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TemporaryFailure(f"{exc.__class__.__name__}: {exc}") from exc


def _by_code(code: int, reason: bytes | str) -> Exception:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    words = f"{code} {text}"
    return PermanentFailure(words) if 500 <= code < 600 else TemporaryFailure(words)
