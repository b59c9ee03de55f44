"""Test helper: whether a system tool that scripts/setup-system.sh installs is missing."""

from __future__ import annotations

import os
import shutil


def tool_missing(*names: str) -> bool:
    """Return True when a tool is missing and the test may be skipped.

    In CI (``CI`` set) the answer is always False: the project's setup installs these tools, so a
    missing one must make the test fail loudly instead of skipping it.
    """
    if os.environ.get("CI"):
        return False
    return any(shutil.which(n) is None for n in names)
