"""Where the shared labelled corpus is, for tests that import it by name (the rules are in conftest.py)."""

from __future__ import annotations

from conftest import CORPUS as SHARED
from conftest import corpus_dir

__all__ = ["SHARED", "corpus_dir"]
