"""Where the shared labelled corpus is (``../shared/corpus`` beside the checkout), for reader tests.

A test that needs it calls :func:`corpus_dir`: when the corpus is absent the test is skipped
with the reason, except in CI (``CI`` set), where a missing corpus is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_dir(name: str) -> Path:
    """Return ``../shared/corpus/<name>``; skip the test (fail it in CI) when it is absent."""
    path = SHARED / name
    if not (path / "expected.json").is_file():
        reason = f"shared corpus {name!r} not present at {path} (../shared/corpus beside the checkout)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path
