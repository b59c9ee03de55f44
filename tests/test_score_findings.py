"""scripts/score_findings.py: precision and recall of findings on a labelled corpus built here."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from rewording import FIXTURES, GOV

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "score_findings.py"


@pytest.fixture(scope="module")
def score_findings():
    spec = importlib.util.spec_from_file_location("score_findings", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def write_corpus(root: Path, files: dict[str, tuple[tuple[str, str], dict]]) -> Path:
    """Write fixture rewordings and their labels as a corpus (report files + expected.json)."""
    root.mkdir()
    text = (FIXTURES / GOV).read_text(encoding="utf-8")
    labels: dict = {"_how_to_read": "test corpus"}
    for name, ((old, new), label) in files.items():
        assert text.count(old) == 1
        (root / name).write_text(text.replace(old, new), encoding="utf-8")
        labels[name] = label
    (root / "expected.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    return root


def test_precision_recall_and_the_matching_of_locators(tmp_path: Path, score_findings, capsys) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            # NT03 found (its locator t3.granted.total is within the label's t3.granted); ST13 missed
            "a.txt": (
                ("予以公开26件", "予以公开25件"),
                {
                    "must": [
                        {"rule": "NT03", "locator": "t3.granted"},
                        {"rule": "ST13", "locator": "preamble"},
                    ]
                },
            ),
            # ST03 is not labelled: a false positive
            "b.txt": (("行政强制\t12", "行政强制\t-"), {"must": []}),
            # a finding about two rows matches a label on either
            "c.txt": (
                ("其中，予以公开26件，部分公开6件，", "其中，予以公开及部分公开33件，"),
                {"must": [{"rule": "NT03", "locator": "t3.partial"}]},
            ),
            # a may item is no false positive
            "d.txt": (
                ("其中，予以公开26件，部分公开6件，", "其中，予以公开及部分公开32件，占70%，"),
                {"may": [{"rule": "NT07"}]},
            ),
        },
    )
    assert score_findings.main([str(corpus), "--json", "--verbose"]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["findings"] == 4 and summary["correct"] == 3 and summary["false_positives"] == 1
    assert (summary["must"], summary["must_found"]) == (3, 2)
    assert summary["precision"] == pytest.approx(0.75) and summary["recall"] == pytest.approx(2 / 3)
    assert summary["missed_by_rule"] == {"ST13": 1}
    assert "误报 b.txt: ST03 t2" in out


def test_same_place(score_findings) -> None:
    same = score_findings.same_place
    assert same("t2.norm.valid", "t2.norm") and same("t2.norm", "t2.norm.valid") and same("S1:监督保障", "S1")
    assert not same("t2.normal", "t2.norm") and not same("t3.granted.total", "t3.partial")
    assert same("t3.granted.total+t3.partial.total", "t3.partial") and same("t4", None)


def test_a_folder_without_labels_is_refused(tmp_path: Path, score_findings) -> None:
    assert score_findings.main([str(tmp_path)]) == 2
