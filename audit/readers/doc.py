"""DOC / WPS reader: Word 97-2003 and Kingsoft WPS files (OLE compound documents).

Two converters are used, whichever is installed:

* **LibreOffice** (Debian ``libreoffice-writer-nogui``): ``soffice --headless --convert-to docx``
  with a profile directory private to the process (parallel or cron runs do not collide; one
  conversion at a time within the process) and a timeout that kills the whole process group; the DOCX is then read by :mod:`audit.readers.docx`, which
  keeps merged cells, nested tables and body order.
* **antiword** (Debian ``antiword``): ``antiword -m UTF-8.txt`` prints the text with tables as
  ``|``-separated lines. The positions of the ``|`` separators give the column grid (a merged
  cell is one wide cell: its text goes to its first column and ``""`` to the columns it covers,
  as in the other readers), and the physical lines of one table row (a label wrapped inside its
  cell) are joined back into one row.

When both are installed LibreOffice is tried first and antiword cross-checks it: LibreOffice is
known to lose tables of some files, so when antiword finds more tables its result is used. The
environment variable ``GKAUDIT_DOC_CONVERTER`` (``auto``, ``soffice``, ``antiword``) forces one.
Without any converter, or when conversion fails, :class:`audit.readers.UnreadableError` says what
to install or what went wrong.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import unicodedata
from pathlib import Path

from audit.readers.pdf import HEADING_RE, join_cell_lines
from audit.report import Block, IntermediateDoc
from audit.text import is_number

SOFFICE_TIMEOUT = 120.0
ANTIWORD_TIMEOUT = 60.0
INSTALL_HINT = (
    "请安装 antiword（apt-get install antiword）或 LibreOffice（apt-get install libreoffice-writer-nogui）"
)


class ConversionError(Exception):
    """A converter ran but produced no usable output (message in Chinese)."""


def _unreadable(message: str) -> Exception:
    """Return an :class:`audit.readers.UnreadableError` (imported late: extract imports readers)."""
    from audit.readers import UnreadableError

    return UnreadableError(message)


def find_converters() -> dict[str, str]:
    """Return the installed converters as ``{"soffice": path, "antiword": path}`` (either may be absent)."""
    found: dict[str, str] = {}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        found["soffice"] = soffice
    antiword = shutil.which("antiword")
    if antiword:
        found["antiword"] = antiword
    return found


def _run(cmd: list[str], timeout: float, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a converter in its own process group; on timeout kill the whole group."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        start_new_session=True,
        env={**os.environ, "HOME": cwd or os.environ.get("HOME", "/tmp")},
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise ConversionError(f"转换超时（超过 {timeout:.0f} 秒）") from exc
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


_PROFILE_LOCK = threading.Lock()
_PROFILE_DIR: str | None = None


def _profile_dir() -> str:
    """Return this process's private LibreOffice profile directory (made once, removed at exit).

    Reusing it saves LibreOffice's first-start initialisation on every later conversion; being
    private to the process, parallel or cron runs never share it.
    """
    global _PROFILE_DIR
    if _PROFILE_DIR is None:
        _PROFILE_DIR = tempfile.mkdtemp(prefix="gkaudit-lo-profile-")
        atexit.register(shutil.rmtree, _PROFILE_DIR, True)
    return _PROFILE_DIR


def convert_with_soffice(data: bytes, soffice: str, timeout: float = SOFFICE_TIMEOUT) -> bytes:
    """Return the DOCX bytes LibreOffice makes of a DOC/WPS/RTF file (private profile, timeout)."""
    with tempfile.TemporaryDirectory(prefix="gkaudit-doc-") as tmp, _PROFILE_LOCK:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        outdir = Path(tmp) / "out"
        profile = Path(_profile_dir()).as_uri()
        cmd = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "docx",
            "--outdir",
            str(outdir),
            str(src),
        ]
        _run(cmd, timeout, cwd=tmp)
        out = outdir / "input.docx"
        if not out.is_file() or out.stat().st_size == 0:
            raise ConversionError("LibreOffice 未能转换该文件")
        return out.read_bytes()


def convert_with_antiword(data: bytes, antiword: str, timeout: float = ANTIWORD_TIMEOUT) -> str:
    """Return the UTF-8 text antiword prints for a DOC/WPS file (tables as ``|`` lines)."""
    with tempfile.TemporaryDirectory(prefix="gkaudit-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        result = _run([antiword, "-m", "UTF-8.txt", "-w", "400", str(src)], timeout, cwd=tmp)
        text = result.stdout.decode("utf-8", errors="replace")
        if result.returncode != 0 or not text.strip():
            err = result.stderr.decode("utf-8", errors="replace").strip()
            if "not a Word Document" in err or "is not" in err:
                raise ConversionError("文件不是可识别的 Word 97-2003 文档")
            if "encrypt" in err.lower() or "password" in err.lower():
                raise ConversionError("文档已加密，无法读取")
            raise ConversionError(f"antiword 无法读取该文件（{err[:80] or '无输出'}）")
        return text


# --- antiword text -> blocks ---------------------------------------------------------------------


def _display_width(text: str) -> int:
    """Return the width of ``text`` in terminal columns (CJK and full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table_line_cells(line: str) -> list[tuple[int, int, str]]:
    """Return ``(start, end, text)`` for each ``|``-separated cell, positions in display columns.

    antiword pads cells by display width (a CJK character takes two columns), so separator
    positions are comparable between lines only when measured that way.
    """
    cells: list[tuple[int, int, str]] = []
    x = 0
    start: int | None = None
    buf: list[str] = []
    for ch in line:
        if ch == "|":
            if start is not None:
                cells.append((start, x, "".join(buf).strip()))
            start, buf = x, []
        else:
            buf.append(ch)
        x += _display_width(ch)
    return cells


def _cluster(positions: set[int], tolerance: int = 2) -> dict[int, int]:
    """Return a map from each separator position to its column boundary index (near ones merged)."""
    index: dict[int, int] = {}
    current = -1
    last: int | None = None
    for pos in sorted(positions):
        if last is None or pos - last > tolerance:
            current += 1
        index[pos] = current
        last = pos
    return index


def _grid_from_lines(lines: list[str]) -> list[list[str]]:
    """Return a table grid from antiword table lines (columns from separator positions)."""
    parsed = [_table_line_cells(ln.rstrip()) for ln in lines]
    col_of = _cluster(
        {a for cells in parsed for a, _b, _t in cells} | {b for cells in parsed for _a, b, _t in cells}
    )
    width = max(max(col_of.values(), default=1), 1)
    physical: list[tuple[tuple[int, ...], list[str]]] = []
    for cells in parsed:
        row = [""] * width
        for a, _b, text in cells:
            row[col_of[a]] = text
        shape = tuple(col_of[a] for a, _b, _t in cells) + ((col_of[cells[-1][1]],) if cells else ())
        physical.append((shape, row))
    return _join_wrapped_rows(physical)


def _join_wrapped_rows(physical: list[tuple[tuple[int, ...], list[str]]]) -> list[list[str]]:
    """Join physical lines that continue the row above (a label wrapped inside its cell).

    A line continues the row above when it has the same cell boundaries, holds no number, does
    not start a numbered heading (``一、`` ``（二）``), and each of its non-empty cells lies under a
    non-empty, non-numeric cell of that row. Empty lines
    (the remains of merged cells) are dropped.
    """
    rows: list[list[str]] = []
    prev_shape: tuple[int, ...] | None = None
    for shape, line in physical:
        if not any(c.strip() for c in line):
            continue
        if rows and shape == prev_shape:
            prev = rows[-1]
            filled = [j for j, c in enumerate(line) if c]
            starts_label = any(HEADING_RE.match(line[j]) for j in filled)
            if (
                not starts_label
                and not any(is_number(c) for c in line)
                and all(prev[j] and not is_number(prev[j]) for j in filled)
            ):
                for j in filled:
                    prev[j] = join_cell_lines(prev[j] + "\n" + line[j])
                continue
        rows.append(list(line))
        prev_shape = shape
    return rows


def blocks_from_antiword(text: str) -> list[Block]:
    """Return paragraphs and tables from antiword's text output.

    Paragraphs are separated by blank lines (lines of one paragraph are joined like wrapped
    lines); consecutive lines starting and ending with ``|`` form one table.
    """
    blocks: list[Block] = []
    para: list[str] = []
    table: list[str] = []

    def flush_para() -> None:
        if para:
            joined = join_cell_lines("\n".join(para))
            if joined:
                blocks.append(Block(kind="para", text=joined))
            para.clear()

    def flush_table() -> None:
        if table:
            grid = _grid_from_lines(table)
            if grid and max(len(r) for r in grid) == 1:
                # a one-column table frames running text (the preamble, a section)
                blocks.extend(Block(kind="para", text=r[0]) for r in grid if r[0])
            elif grid:
                blocks.append(Block(kind="table", rows=grid))
            table.clear()

    for raw in text.replace("\f", "\n").splitlines():
        line = raw.rstrip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            flush_para()
            table.append(line)
            continue
        flush_table()
        if not line.strip():
            flush_para()
        else:
            para.append(re.sub(r"^\s+", "", line))
    flush_para()
    flush_table()
    return blocks


def read_doc(data: bytes, source: str) -> IntermediateDoc:
    """Read a DOC/WPS file through LibreOffice (then the DOCX reader) or antiword.

    Raises:
        UnreadableError: no converter is installed, or the file cannot be converted.
    """
    from audit.readers.docx import read_docx

    converters = find_converters()
    choice = os.environ.get("GKAUDIT_DOC_CONVERTER", "auto").strip().lower()
    if choice in ("soffice", "antiword"):
        converters = {k: v for k, v in converters.items() if k == choice}
    if not converters:
        raise _unreadable(f"无法读取 Word 97-2003/WPS 文件：未安装转换程序。{INSTALL_HINT}")

    problems: list[dict[str, str]] = []
    failures: list[str] = []
    doc: IntermediateDoc | None = None
    if "soffice" in converters:
        try:
            doc = read_docx(convert_with_soffice(data, converters["soffice"]), source)
        except ConversionError as exc:
            failures.append(f"LibreOffice：{exc}")
        except Exception as exc:  # a broken conversion result must not stop antiword
            failures.append(f"LibreOffice 转换结果无法读取（{type(exc).__name__}）")
    if "antiword" in converters:
        try:
            blocks = blocks_from_antiword(convert_with_antiword(data, converters["antiword"]))
        except ConversionError as exc:
            failures.append(f"antiword：{exc}")
        else:
            tables = sum(1 for b in blocks if b.kind == "table")
            if doc is None or tables > sum(1 for b in doc.blocks if b.kind == "table"):
                if doc is not None:
                    problems.append(
                        {"kind": "reader", "detail": "LibreOffice 转换丢失了表格，已改用 antiword 的结果"}
                    )
                doc = IntermediateDoc(source=source, blocks=blocks)
    if doc is None:
        raise _unreadable("无法读取 Word 97-2003/WPS 文件：" + "；".join(failures))
    if failures:
        problems.append({"kind": "reader", "detail": "；".join(failures)})
    doc.problems.extend(problems)
    doc.media_type = "application/msword"
    text = "".join(b.text for b in doc.blocks) + "".join("".join(r) for b in doc.blocks for r in b.rows)
    if not re.search(r"[\u4e00-\u9fff]", text) and not any(p["kind"] == "unreadable" for p in doc.problems):
        doc.problems.append({"kind": "unreadable", "detail": "Word 文档中没有可读的中文文字，无法机读"})
    return doc


def read_rtf(data: bytes, source: str) -> IntermediateDoc:
    """Read an RTF file (often published with a ``.doc`` name) through LibreOffice.

    Raises:
        UnreadableError: LibreOffice is not installed or cannot convert the file.
    """
    from audit.readers.docx import read_docx

    soffice = find_converters().get("soffice")
    if not soffice:
        raise _unreadable("无法读取 RTF 文件：未安装 LibreOffice（apt-get install libreoffice-writer-nogui）")
    try:
        docx_bytes = convert_with_soffice(data, soffice)
    except ConversionError as exc:
        raise _unreadable(f"无法读取 RTF 文件：{exc}") from exc
    doc = read_docx(docx_bytes, source)
    doc.media_type = "application/rtf"
    return doc
