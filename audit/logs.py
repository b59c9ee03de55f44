"""Logging and error text: a rotating log file, credentials masked, control characters escaped.

- :func:`setup_logging` sends the product's log records to ``<data>/logs/gkaudit.log`` (rotating)
  with credentials masked; when the data directory cannot be written the records go nowhere
  rather than failing the command.
- :func:`mask` hides passwords in database URLs and ``password=…`` pairs: every message shown or
  logged goes through it.
- :func:`safe` escapes control characters (newlines, carriage returns, escape sequences, bidi
  overrides) in text that came from a document or a user, so one field can never forge a line of
  a ledger printed one line per finding.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

_URL_PASSWORD_RE = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<pw>[^@\s]+)(?P<at>@)")
_PAIR_RE = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*[=:]\s*)(?P<pw>['\"]?[^\s'\";&]+['\"]?)", re.I)
# C0/C1 controls but the tab, DEL, line/paragraph separators and bidi overrides/isolates
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def mask(text: object) -> str:
    """Return ``text`` with the passwords of URLs and ``password=…`` pairs replaced by ``***``."""
    s = str(text)
    s = _URL_PASSWORD_RE.sub(lambda m: f"{m['head']}***{m['at']}", s)
    return _PAIR_RE.sub(lambda m: f"{m['head']}***", s)


def safe(text: object) -> str:
    """Return ``text`` with control characters shown as escapes (``\\n``, ``\\x1b``, ``\\u202e``); tabs stay."""
    s = "" if text is None else str(text)

    def esc(m: re.Match[str]) -> str:
        ch = m.group(0)
        if ch in _NAMED:
            return _NAMED[ch]
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL_RE.sub(esc, s)


class _MaskFilter(logging.Filter):
    """Mask credentials in every record (message and arguments, tracebacks included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message by its masked form."""
        record.msg = mask(record.getMessage())
        record.args = None
        return True


class _MaskFormatter(logging.Formatter):
    """A formatter whose output, tracebacks included, has credentials masked."""

    def format(self, record: logging.LogRecord) -> str:
        """Format the record and mask what it shows."""
        return mask(super().format(record))


_configured: Path | None = None


def current_log() -> Path | None:
    """Return the log file records go to in this process, if one was set up."""
    return _configured


def log_path(data_dir: Path) -> Path:
    """Return the log file under a data directory."""
    return data_dir / "logs" / "gkaudit.log"


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send the ``audit`` and ``crawler`` loggers to a rotating file under ``data_dir``; return its path.

    Idempotent per data directory. Returns ``None`` when the file cannot be opened (read-only
    store): the command still runs, without a log.
    """
    global _configured
    path = log_path(data_dir)
    if _configured == path:
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            path, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        # no file to log to (a read-only store): records go nowhere rather than to the terminal
        for name in ("audit", "crawler", "scheduler"):
            logging.getLogger(name).addHandler(logging.NullHandler())
        return None
    handler.setFormatter(_MaskFormatter("%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"))
    handler.addFilter(_MaskFilter())
    for name in ("audit", "crawler", "scheduler"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, "_gkaudit", False)]:
            logger.removeHandler(old)
            old.close()
        handler._gkaudit = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(level)
    _configured = path
    return path
