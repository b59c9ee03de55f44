"""Cheap checks of a ZIP container (a DOCX) before anything is inflated into memory or parsed.

* The central directory gives each member's compressed and declared uncompressed size. Python's
  :mod:`zipfile` never inflates more than the declared size (a member that lies fails its CRC
  check and the file is reported as corrupt), so the declared sizes bound the work: a member,
  or all members together, over ``max_member_bytes``, or a member larger than 1 MiB compressed
  more than ``max_ratio`` to one, is refused before inflating (a 6 MB DOCX inflating to 6 GiB
  took 10.3 GB).
* The XML parts are then streamed once, 1 MiB at a time, counting start tags, so that a small
  file of millions of tiny elements (a 414 KB DOCX of 5 M elements took 2 GB and never
  finished) is refused before lxml builds a tree (``max_elements``).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from audit import limits
from audit.readers.base import LimitExceeded

_CHUNK = 1 << 20
_RATIO_FLOOR = 1 << 20  # members smaller than this are never refused for their ratio
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _name(info: zipfile.ZipInfo) -> str:
    """Return a member name fit for a message (control characters replaced, at most 60 characters)."""
    return _CONTROL_RE.sub("?", info.filename)[:60]


def _check_sizes(infos: list[zipfile.ZipInfo], lim: limits.Limits) -> None:
    """Refuse a member (or the whole) too large or too compressed, from the central directory."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > lim.max_member_bytes:
            raise LimitExceeded(
                "max_member_bytes",
                f"压缩包成员 {_name(info)} 解压后 {limits.size(info.file_size)}，上限 {limits.size(lim.max_member_bytes)}",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > lim.max_ratio:
            raise LimitExceeded(
                "max_ratio",
                f"压缩包成员 {_name(info)} 压缩比 {ratio:.0f}:1（解压后 {limits.size(info.file_size)}），上限 {lim.max_ratio}:1",
            )
    if total > lim.max_member_bytes:
        raise LimitExceeded(
            "max_member_bytes",
            f"压缩包解压后共 {limits.size(total)}，上限 {limits.size(lim.max_member_bytes)}",
        )


def _count_elements(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Return the start tags of one XML member, streaming; stop counting once over ``budget``."""
    count = 0
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            count += chunk.count(b"<") - chunk.count(b"</")
            if count > budget:
                break
    return count


def check_zip(data: bytes) -> None:
    """Raise :class:`LimitExceeded` when a ZIP container is over a limit; return when it is not.

    A file that is not a readable ZIP at all is left to the reader, which reports it as corrupt.
    """
    lim = limits.current()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return
    with zf:
        infos = zf.infolist()
        _check_sizes(infos, lim)
        elements = len(infos)
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels")):
                continue
            try:
                elements += _count_elements(zf, info, lim.max_elements - elements)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError):
                return  # a damaged member: the reader reports the file as corrupt
            if elements > lim.max_elements:
                raise LimitExceeded(
                    "max_elements", f"Word 文档的 XML 超过 {lim.max_elements} 个元素（{_name(info)}）"
                )
