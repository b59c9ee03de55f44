"""The reader registry: the kind of each document decides which reader module reads it.

``READERS`` maps each kind to the ``read`` of the module that declares it (``KINDS``);
:func:`read` sniffs, refuses, reads under the limits in force and cuts over-long text;
:func:`read_file_bytes` and :func:`read_path` read regular files only. See the package
docstring for how to add a reader.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from audit import limits as limits_mod
from audit.limits import Limits
from audit.readers import doc, docx, html, pdf, rtf, text
from audit.readers.base import KINDS, REFUSALS, LimitExceeded, UnreadableError, is_empty, sniff
from audit.readers.lines import long_lines_problem
from audit.report import IntermediateDoc

Reader = Callable[[bytes, str], IntermediateDoc]
_MODULES: tuple[ModuleType, ...] = (text, html, pdf, docx, doc, rtf)
READERS: dict[str, Reader] = {kind: module.read for module in _MODULES for kind in module.KINDS}


def read(
    data: bytes, name: str, content_type: str | None = None, *, limits: Limits | None = None
) -> IntermediateDoc:
    """Read a document from its bytes into the intermediate form.

    Args:
        data: the document's bytes.
        name: its file name or URL (recorded as the source; an ``.html`` name helps sniffing).
        content_type: the HTTP ``Content-Type`` the crawler saw, if any (a hint only).
        limits: the processing limits; by default those in force (the environment's).

    Raises:
        LimitExceeded: the document is over a processing limit.
        UnreadableError: the document cannot be read at all (empty, unsupported, corrupt).
    """
    with limits_mod.use(limits) as active:
        if len(data) > active.max_bytes:
            raise _too_large(len(data), active)
        if is_empty(data):
            raise UnreadableError("文件为空")
        kind = sniff(data, name, content_type)
        if kind in REFUSALS:
            raise UnreadableError(REFUSALS[kind])
        doc = READERS[kind](data, name)
        doc.media_type = KINDS[kind]
        _cut_long_text(doc, active.max_line_chars)
        return doc


def read_bytes(data: bytes, source: str) -> IntermediateDoc:
    """Read a document from its bytes (kind sniffed, limits from the environment)."""
    return read(data, source)


def read_file_bytes(path: str | Path, limits: Limits | None = None) -> bytes:
    """Return the bytes of a regular file, refusing FIFOs, devices, directories and oversized files.

    The file is opened without blocking (a FIFO would otherwise wait for a writer forever) and
    following symlinks; what was opened is checked with ``fstat``, so a symlink to ``/dev/zero``
    is refused as a device, and the size is checked before a byte is read.

    Raises:
        LimitExceeded: the file is larger than ``max_bytes``.
        UnreadableError: the file is missing, not a regular file, or cannot be opened.
    """
    active = limits or limits_mod.current()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as exc:
        raise UnreadableError("文件不存在") from exc
    except IsADirectoryError as exc:
        raise UnreadableError("这是一个目录，不是文件") from exc
    except OSError as exc:
        raise UnreadableError(f"无法打开文件（{exc.strerror}）") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableError("这是一个目录，不是文件")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableError(f"不是普通文件（{_file_type(info.st_mode)}），不予读取")
        if info.st_size > active.max_bytes:
            raise _too_large(info.st_size, active)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(active.max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > active.max_bytes:  # grew while being read
        raise _too_large(len(data), active)
    return data


def read_path(path: str | Path, limits: Limits | None = None) -> IntermediateDoc:
    """Read a document file into the intermediate form; raises :class:`UnreadableError`."""
    return read(read_file_bytes(path, limits), str(path), limits=limits)


def _too_large(n: int, active: Limits) -> LimitExceeded:
    """Return the error for a document of ``n`` bytes."""
    return LimitExceeded(
        "max_bytes", f"文件大小 {limits_mod.size(n)}，上限 {limits_mod.size(active.max_bytes)}"
    )


def _file_type(mode: int) -> str:
    """Return what kind of non-regular file ``mode`` describes, in Chinese."""
    for test, label in (
        (stat.S_ISFIFO, "命名管道"),
        (stat.S_ISCHR, "字符设备"),
        (stat.S_ISBLK, "块设备"),
        (stat.S_ISSOCK, "套接字"),
    ):
        if test(mode):
            return label
    return "特殊文件"


def _cut_long_text(doc: IntermediateDoc, limit: int) -> None:
    """Cut paragraphs and cells longer than ``limit`` characters, with one ``problems`` entry."""
    cut: list[int] = []
    for block in doc.blocks:
        if len(block.text) > limit:
            cut.append(len(block.text))
            block.text = block.text[:limit]
        for row in block.rows:
            for j, cell in enumerate(row):
                if len(cell) > limit:
                    cut.append(len(cell))
                    row[j] = cell[:limit]
    if cut:
        doc.problems.append(long_lines_problem(len(cut), "段落或单元格", max(cut), limit))
