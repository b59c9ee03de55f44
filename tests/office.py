"""Test helper: convert a document with LibreOffice at test time (private profile, timeout)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def soffice_convert(source: Path, fmt: str) -> bytes:
    """Return ``source`` converted by LibreOffice to ``fmt`` (doc, rtf, …), written beside it."""
    profile = (source.parent / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(source.parent),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return source.with_suffix(f".{fmt}").read_bytes()
