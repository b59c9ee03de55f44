"""gkaudit: audits 政府信息公开工作年度报告 (annual government-information-disclosure reports).

``PRODUCT_VERSION`` (alias ``__version__``) is the installed release, looked up on first use so
that importing the package (``gkaudit --help``) costs nothing.
"""

from __future__ import annotations

import functools


@functools.cache
def _product_version() -> str:
    """Return the installed gkaudit release (``0+unknown`` in a source tree never installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gkaudit")
    except PackageNotFoundError:
        return "0+unknown"


def __getattr__(name: str) -> str:
    """Return ``PRODUCT_VERSION`` / ``__version__`` (computed once, on first use)."""
    if name in ("PRODUCT_VERSION", "__version__"):
        return _product_version()
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
