"""Processing limits for untrusted documents, said once: a frozen dataclass with documented defaults.

Every document the crawler brings in is hostile until read: a 178 KB page can ask for a table of
2000 × 2147483647 cells, a 6 MB DOCX can inflate to 6 GiB. The readers check these limits before
the heavy work (sizes from a ZIP's central directory, tags counted while streaming, spans and
table sizes before expanding, PDF pages and per-page operators before interpreting), and
:func:`audit.bounded.parse_bounded` runs each document in a worker process bounded in time and
memory. A document over a limit raises :class:`audit.readers.LimitExceeded`
(“文档超出处理限制（…）”), never a stalled run.

Each limit can be overridden by an environment variable (README, settings table); a bad value
is a Chinese :class:`LimitsError` naming the variable. Sizes accept a K, M or G suffix (binary).

How to add a limit: add a field with its default to :class:`Limits` (a comment says what it
bounds), its variable to ``_VARIABLES``, a row to the README's settings table, the check where a
reader first meets the quantity (raise ``LimitExceeded(field, detail)``), a hostile test that
fails without the check, and a section in ``docs/reliability.md``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30


class LimitsError(ValueError):
    """A limit setting in the environment is not a valid value (message in Chinese)."""


@dataclass(frozen=True)
class Limits:
    """The processing limits of one document (defaults sized for a province's annual reports).

    The largest real report seen is a 60-page PDF of 12 MB; reports are read in well under
    the time limit (a PDF page takes about 0.1 s) and in a few hundred MB.
    """

    max_bytes: int = 50 * MiB  # bytes of one document (the crawler's download limit too)
    max_member_bytes: int = 256 * MiB  # decompressed bytes of one archive member (a DOCX part)
    max_ratio: int = 100  # compression ratio of one archive member larger than 1 MiB
    max_elements: int = 500_000  # XML elements of a DOCX, HTML elements of a page
    max_pages: int = 500  # pages of a PDF
    max_stream_bytes: int = 128 * MiB  # decoded bytes of one PDF stream
    max_page_operators: int = 200_000  # text and drawing operators of one PDF page
    max_cells: int = 1_000_000  # positions of one table (rows × columns, spans expanded)
    max_line_chars: int = 100_000  # characters of one line, paragraph or cell (longer: cut)
    max_seconds: float = 180.0  # wall-clock seconds per document (the worker is killed)
    max_memory: int = 2 * GiB  # address space one document may take in its worker process

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Return the defaults overridden by the environment variables that are set (``_VARIABLES``).

        Raises:
            LimitsError: a variable is set to something that is not a positive number.
        """
        env = os.environ if environ is None else environ
        values: dict[str, int | float] = {}
        for name, variable in _VARIABLES.items():
            raw = env.get(variable, "").strip()
            if raw:
                values[name] = _parse(variable, raw, float if name == "max_seconds" else int)
        return cls(**values)

    def replace(self, **changes: int | float) -> Limits:
        """Return a copy with some limits changed (tests lower them instead of making huge files)."""
        return dataclasses.replace(self, **changes)


_VARIABLES: dict[str, str] = {
    "max_bytes": "GKAUDIT_MAX_BYTES",
    "max_member_bytes": "GKAUDIT_MAX_MEMBER_BYTES",
    "max_ratio": "GKAUDIT_MAX_RATIO",
    "max_elements": "GKAUDIT_MAX_ELEMENTS",
    "max_pages": "GKAUDIT_MAX_PAGES",
    "max_stream_bytes": "GKAUDIT_MAX_STREAM_BYTES",
    "max_page_operators": "GKAUDIT_MAX_PAGE_OPERATORS",
    "max_cells": "GKAUDIT_MAX_CELLS",
    "max_line_chars": "GKAUDIT_MAX_LINE_CHARS",
    "max_seconds": "GKAUDIT_MAX_SECONDS",
    "max_memory": "GKAUDIT_MAX_MEMORY",
}
_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kKmMgG])?[iI]?[bB]?$")
_SUFFIX = {"k": KiB, "m": MiB, "g": GiB}


def _parse(variable: str, raw: str, kind: type[int] | type[float]) -> int | float:
    """Return the value of one variable (``50M`` = 50 MiB); raise :class:`LimitsError` if bad."""
    m = _NUMBER_RE.match(raw)
    value = float(m.group(1)) * _SUFFIX.get((m.group(2) or "").lower(), 1) if m else 0.0
    if value <= 0:
        raise LimitsError(f"环境变量 {variable} 的值“{raw}”无效：应为正数，大小可带 K、M、G 后缀（如 50M）")
    return kind(value) if kind is float else max(1, int(value))


def variables() -> dict[str, str]:
    """Return the environment variable of each limit (field name → variable)."""
    return dict(_VARIABLES)


_CURRENT: ContextVar[Limits | None] = ContextVar("gkaudit_limits", default=None)


def current() -> Limits:
    """Return the limits in force: those set by :func:`use`, else the environment's."""
    limits = _CURRENT.get()
    return limits if limits is not None else Limits.from_env()


@contextmanager
def use(limits: Limits | None) -> Iterator[Limits]:
    """Put ``limits`` in force for the readers called inside the block (None: keep those in force)."""
    active = limits if limits is not None else current()
    token = _CURRENT.set(active)
    try:
        yield active
    finally:
        _CURRENT.reset(token)


def size(n: float) -> str:
    """Return a byte count for a message: ``512 字节``, ``3.2 MB``, ``6.0 GB``."""
    if n < KiB:
        return f"{int(n)} 字节"
    for unit, scale in (("GB", GiB), ("MB", MiB), ("KB", KiB)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} 字节"
