"""The readers: each turns one kind of document into the intermediate form (paragraphs and tables).

``read(data, name, content_type)`` sniffs the kind from the bytes (:func:`sniff`; the HTTP
``Content-Type`` is a hint when the bytes are ambiguous), refuses the kinds no reader reads with a
Chinese reason, and calls the reader registered for the kind under the processing limits in
force (:mod:`audit.limits`). A document that cannot be read at all raises
:class:`UnreadableError`; one over a limit raises its subclass :class:`LimitExceeded`; one that
opens but has no usable text (scans, broken fonts) comes back with a ``problems`` entry of kind
``unreadable`` so that the audit reports TL03 instead of crashing. ``read_path`` reads regular
files only (no FIFOs or devices, symlinks resolved) and checks the size before reading.

Readers depend on :mod:`audit.readers.base` (errors, kinds, sniffing), :mod:`~audit.readers.common`
(shared patterns), :mod:`~audit.readers.charset` (the one charset chain) and
:mod:`~audit.readers.lines` (text lines → blocks); never on this package or on another reader's
internals (the DOC and RTF readers call the DOCX reader's ``read`` on LibreOffice's output).

How to add a reader (say for OFD):

1. Teach :func:`audit.readers.base.sniff` to recognise the kind, add it to ``KINDS`` (kind →
   media type) and remove it from ``REFUSALS`` if it was refused there.
2. Write ``audit/readers/ofd.py`` with ``KINDS = ("ofd",)`` and
   ``read(data: bytes, source: str) -> IntermediateDoc``: paragraphs and tables in reading order,
   ``problems`` for what it could not read, ``UnreadableError`` with a Chinese message when
   nothing can be read. Check the limits (:func:`audit.limits.current`) before heavy work and
   raise ``LimitExceeded`` when one is exceeded; keep the module under 500 lines.
3. Add the module to ``_MODULES`` in :mod:`audit.readers.registry`. ``tests/test_readers_registry.py`` then checks that the
   kind has a reader, that the module declares its kinds, and reads a tiny generated document of
   each kind; add the kind's generator there.
4. Add a ``tests/test_read_ofd.py`` and a section to ``docs/reliability.md`` for its hostile inputs.
"""

from __future__ import annotations

from typing import Any

from audit.readers.base import KINDS, REFUSALS, LimitExceeded, UnreadableError, sniff

__all__ = [
    "KINDS",
    "READERS",
    "REFUSALS",
    "LimitExceeded",
    "UnreadableError",
    "read",
    "read_bytes",
    "read_file_bytes",
    "read_path",
    "sniff",
]
_REGISTRY = frozenset({"READERS", "read", "read_bytes", "read_file_bytes", "read_path"})


def __getattr__(name: str) -> Any:
    """Return a name of the registry, importing it (and every reader) on first use.

    Importing the readers costs about 0.25 s (pdfplumber, python-docx, lxml): code that only
    sniffs kinds (the store's archive) or never reads (``gkaudit findings``) does not pay it.
    """
    if name in _REGISTRY:
        from audit.readers import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'audit.readers' has no attribute {name!r}")
