"""E-mail: the attachments of a received message (.eml or Outlook .msg), with sender and date.

Agencies often send their report to the office by e-mail. ``gkaudit ingest`` accepts the message
file itself: its attachments are the documents (each judged on its own: only reports are stored),
the sender and the received date are recorded as where the document came from, and the message
body is never audited.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIL_HEADERS = (
    b"from:",
    b"to:",
    b"subject:",
    b"received:",
    b"mime-version:",
    b"message-id:",
    b"return-path:",
)


class MailError(ValueError):
    """The message cannot be read (message in Chinese)."""


@dataclass
class Attachment:
    """One attached file: its name and bytes."""

    name: str
    data: bytes


@dataclass
class Message:
    """A received message: who sent it, when, its subject and its attachments."""

    sender: str | None
    received: datetime | None
    subject: str | None
    attachments: list[Attachment] = field(default_factory=list)


def is_mail(data: bytes, name: str) -> bool:
    """Return True when ``data`` is an e-mail message (.eml headers, or an Outlook .msg)."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".msg" and data.startswith(OLE_MAGIC):
        return True
    if suffix == ".eml":
        return True
    head = data[:2048].lower()
    lines = [line.strip() for line in head.splitlines()[:20]]
    return sum(1 for line in lines if line.startswith(_MAIL_HEADERS)) >= 3


def _as_utc(value: datetime | None) -> datetime | None:
    """Return an aware datetime in UTC (a naive one is taken as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def read_eml(data: bytes) -> Message:
    """Return the sender, date, subject and attachments of an RFC 5322 message."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    received = None
    if msg["Date"]:
        try:
            received = email.utils.parsedate_to_datetime(str(msg["Date"]))
        except (TypeError, ValueError):
            received = None
    out = Message(
        sender=str(msg["From"] or "") or None, received=_as_utc(received), subject=str(msg["Subject"] or "")
    )
    for part in msg.iter_attachments():  # type: ignore[attr-defined]
        payload = part.get_payload(decode=True)
        if payload:
            out.attachments.append(Attachment(part.get_filename() or "附件", payload))
    return out


def read_msg(data: bytes) -> Message:
    """Return the sender, date, subject and attachments of an Outlook .msg file."""
    import extract_msg  # imported here: it is only needed for .msg files, and slow to import

    try:
        msg = extract_msg.openMsg(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parse failure is "cannot read this message"
        raise MailError(f"无法读取 Outlook 邮件：{exc}") from exc
    try:
        out = Message(sender=msg.sender, received=_as_utc(msg.date), subject=msg.subject)
        for att in msg.attachments:
            payload = att.data
            if isinstance(payload, bytes) and payload:
                out.attachments.append(Attachment(att.longFilename or att.shortFilename or "附件", payload))
        return out
    finally:
        msg.close()


def read_mail(data: bytes, name: str) -> Message:
    """Return the message in ``data`` (.msg when it is an OLE file, else .eml)."""
    if data.startswith(OLE_MAGIC):
        return read_msg(data)
    try:
        return read_eml(data)
    except Exception as exc:  # noqa: BLE001
        raise MailError(f"无法读取邮件 {name}：{exc}") from exc
