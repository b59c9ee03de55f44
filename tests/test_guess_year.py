"""The report year of a document whose text gives none is guessed from its name or dates."""

from __future__ import annotations

from datetime import date, datetime

from audit.run import guess_year
from audit.store import tables as m


def doc(**kw) -> m.Document:
    base = {"agency_id": 1, "sha256": "0" * 64, "archive_path": "x", "fetched_at": datetime(2026, 11, 22)}
    return m.Document(**{**base, **kw})


def test_year_in_file_name_or_url_wins() -> None:
    assert guess_year(doc(original_name="某局2023年政府信息公开工作年度报告.pdf")) == 2023
    assert guess_year(doc(url="https://example.gov.cn/art/2024/1/20/nb2023.pdf")) == 2023


def test_year_before_publication_then_before_fetch() -> None:
    assert guess_year(doc(original_name="scan.pdf", published_on=date(2025, 1, 20))) == 2024
    assert guess_year(doc(original_name="scan.pdf")) == 2025
