"""The external converters of Word 97-2003/WPS/RTF files: LibreOffice and antiword.

Each runs in its own process group with a timeout that kills the whole group. LibreOffice gets
a profile directory private to the process (parallel or cron runs never share one; within the
process one conversion runs at a time). The process groups of running converters are listed in
:data:`RUNNING` so that a worker killed for its time limit can end them too
(:func:`kill_running`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

SOFFICE_TIMEOUT = 120.0
ANTIWORD_TIMEOUT = 60.0
INSTALL_HINT = (
    "请安装 antiword（apt-get install antiword）或 LibreOffice（apt-get install libreoffice-writer-nogui）"
)


RUNNING: set[int] = set()  # process groups of converters running now


class ConversionError(Exception):
    """A converter ran but produced no usable output (message in Chinese)."""


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


def run(cmd: list[str], timeout: float, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a converter in its own process group; on timeout kill the whole group."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        start_new_session=True,
        env={**os.environ, "HOME": cwd or os.environ.get("HOME", "/tmp")},
    )
    RUNNING.add(proc.pid)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc.pid)
        proc.communicate()
        raise ConversionError(f"转换超时（超过 {timeout:.0f} 秒）") from exc
    finally:
        RUNNING.discard(proc.pid)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill_group(pgid: int) -> None:
    """Kill a converter's whole process group (LibreOffice forks helpers)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_running() -> None:
    """Kill every converter this process is running (called when the process is being ended)."""
    for pgid in list(RUNNING):
        _kill_group(pgid)


_PROFILE_LOCK = threading.Lock()
_PROFILE: tuple[int, str] | None = None  # (the process that made it, its directory)


def _profile_dir() -> str:
    """Return this process's private LibreOffice profile directory (made once per process).

    Reusing it saves LibreOffice's first-start initialisation on every later conversion; being
    private to the process (a forked worker makes its own), parallel or cron runs never share it.
    """
    global _PROFILE
    if _PROFILE is None or _PROFILE[0] != os.getpid():
        _PROFILE = (os.getpid(), tempfile.mkdtemp(prefix="gkaudit-lo-profile-"))
        atexit.register(remove_profile)
    return _PROFILE[1]


def remove_profile() -> None:
    """Remove this process's LibreOffice profile (at exit; a worker calls it before it ends)."""
    global _PROFILE
    if _PROFILE is not None and _PROFILE[0] == os.getpid():
        shutil.rmtree(_PROFILE[1], ignore_errors=True)
        _PROFILE = None


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
        run(cmd, timeout, cwd=tmp)
        out = outdir / "input.docx"
        if not out.is_file() or out.stat().st_size == 0:
            raise ConversionError("LibreOffice 未能转换该文件")
        return out.read_bytes()


def convert_with_antiword(data: bytes, antiword: str, timeout: float = ANTIWORD_TIMEOUT) -> str:
    """Return the UTF-8 text antiword prints for a DOC/WPS file (tables as ``|`` lines)."""
    with tempfile.TemporaryDirectory(prefix="gkaudit-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        result = run([antiword, "-m", "UTF-8.txt", "-w", "400", str(src)], timeout, cwd=tmp)
        text = result.stdout.decode("utf-8", errors="replace")
        if result.returncode != 0 or not text.strip():
            err = result.stderr.decode("utf-8", errors="replace").strip()
            if "not a Word Document" in err or "is not" in err:
                raise ConversionError("文件不是可识别的 Word 97-2003 文档")
            if "encrypt" in err.lower() or "password" in err.lower():
                raise ConversionError("文档已加密，无法读取")
            raise ConversionError(f"antiword 无法读取该文件（{err[:80] or '无输出'}）")
        return text
