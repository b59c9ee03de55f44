#!/usr/bin/env python3
"""Print the precision and recall of gkaudit's findings on labelled corpora.

A corpus is a folder with report files and an ``expected.json`` that labels each file (keys
starting with ``_`` are notes): ``must`` lists the findings a correct audit reports, ``may`` the
ones that are defensible either way, each as a rule id and a locator; ``flags`` are extra
``gkaudit check`` options and ``previous`` last year's report of the same agency.

- recall: the share of ``must`` items that a finding matches;
- precision: the share of findings that match a ``must`` or ``may`` item (any other finding is a
  false positive: a finding the office would have to withdraw).

A finding matches an item when the rule ids are equal and the locators name the same place: equal,
or one a prefix of the other up to a ``.`` or ``:`` (``t2.norm`` matches ``t2.norm.valid``); a
finding about several rows (``t3.granted.total+t3.partial.total``) matches an item on any of them;
an item without a locator matches any locator. Statements the narrative readers recognised but
could not read for certain (``unread_statement`` facts) are counted as "not compared".

Usage::

    .venv/bin/python scripts/score_findings.py ../shared/corpus/seeds ../shared/corpus/real [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from audit.cli.check import check as check_command
from audit.facts import build_facts
from audit.parse import parse_path
from audit.readers import UnreadableError
from audit.report import AuditContext, Finding
from audit.rulebook.check import apply_overrides, check_report


@dataclass
class Tally:
    """Counts for one file, one rule or a whole run."""

    findings: int = 0
    correct: int = 0  # findings that match a must or may item
    must: int = 0
    must_found: int = 0
    not_compared: int = 0
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        self.findings += other.findings
        self.correct += other.correct
        self.must += other.must
        self.must_found += other.must_found
        self.not_compared += other.not_compared
        self.false_positives += other.false_positives
        self.missed += other.missed

    @property
    def precision(self) -> float | None:
        """Share of findings that are right (None without findings)."""
        return self.correct / self.findings if self.findings else None

    @property
    def recall(self) -> float | None:
        """Share of required findings found (None without required findings)."""
        return self.must_found / self.must if self.must else None


def same_place(found: str | None, labelled: str | None) -> bool:
    """Return True when a finding's locator and a label's locator name the same place."""
    if not found or not labelled:
        return True
    for part in found.split("+"):
        short, long_ = sorted((part, labelled), key=len)
        if long_ == short or (long_.startswith(short) and long_[len(short)] in ".:"):
            return True
    return False


def matches(finding: Finding, item: dict) -> bool:
    """Return True when a finding is the labelled item (same rule, same place)."""
    return finding.rule == item.get("rule") and same_place(finding.locator, item.get("locator"))


def audit(path: Path, label: dict, corpus: Path) -> tuple[list[Finding], int]:
    """Return the findings of one labelled file and its count of statements not compared.

    The label's ``flags`` are parsed by the ``gkaudit check`` command's own options.
    """
    args = [str(path), *label.get("flags", [])]
    if label.get("previous"):
        args += ["--previous", str(corpus / label["previous"])]
    params = check_command.make_context("check", args).params
    ctx = AuditContext(published_on=params.get("published_on"))
    if params.get("previous"):
        ctx.previous = parse_path(params["previous"])
    report = apply_overrides(parse_path(path), {k: params.get(k) for k in ("agency", "year", "level")})
    unread = sum(1 for f in build_facts(report, ctx) if f.type == "unread_statement")
    return check_report(report, ctx), unread


def score_file(findings: list[Finding], label: dict, name: str, by_rule: dict[str, Tally]) -> Tally:
    """Return the tally of one file (and add its per-rule counts to ``by_rule``)."""
    must, may = label.get("must", []), label.get("may", [])
    tally = Tally(findings=len(findings), must=len(must))
    for f in findings:
        rule = by_rule.setdefault(f.rule, Tally())
        rule.findings += 1
        if any(matches(f, item) for item in must + may):
            tally.correct += 1
            rule.correct += 1
        else:
            tally.false_positives.append(f"{name}: {f.rule} {f.locator or ''} {f.message[:60]}")
            rule.false_positives.append(name)
    for item in must:
        rule = by_rule.setdefault(item["rule"], Tally())
        rule.must += 1
        if any(matches(f, item) for f in findings):
            tally.must_found += 1
            rule.must_found += 1
        else:
            tally.missed.append(f"{name}: {item['rule']} {item.get('locator') or ''}")
    return tally


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def score_corpus(corpus: Path, by_rule: dict[str, Tally], verbose: bool) -> Tally:
    """Score every labelled file of a corpus; print one line per file."""
    labels = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    total = Tally()
    for name, label in labels.items():
        if name.startswith("_"):
            continue
        try:
            findings, unread = audit(corpus / name, label, corpus)
        except UnreadableError as exc:
            findings, unread = [], 0
            print(f"  {name}: 无法读取（{exc}）")
        tally = score_file(findings, label, name, by_rule)
        tally.not_compared = unread
        total.add(tally)
        print(
            f"  {name}: 发现 {tally.findings}，正确 {tally.correct}，应发现 {tally.must_found}/{tally.must}，"
            f"误报 {len(tally.false_positives)}，未比较 {unread}"
        )
        if verbose:
            for line in tally.false_positives:
                print(f"      误报 {line}")
            for line in tally.missed:
                print(f"      漏报 {line}")
    return total


def main(argv: list[str] | None = None) -> int:
    """Score the corpora named on the command line; return the exit code."""
    ap = argparse.ArgumentParser(description="按标注语料计算问题的精确率和召回率。")
    ap.add_argument("corpora", nargs="+", type=Path, help="含 expected.json 的语料目录")
    ap.add_argument("--verbose", action="store_true", help="列出每条误报和漏报")
    ap.add_argument("--json", action="store_true", help="最后一行输出 JSON 汇总")
    args = ap.parse_args(argv)
    grand, by_rule = Tally(), {}
    for corpus in args.corpora:
        if not (corpus / "expected.json").is_file():
            print(f"{corpus} 中没有 expected.json", file=sys.stderr)
            return 2
        print(f"{corpus}")
        total = score_corpus(corpus, by_rule, args.verbose)
        print(
            f"  精确率 {_pct(total.precision)}（{total.correct}/{total.findings}），"
            f"召回率 {_pct(total.recall)}（{total.must_found}/{total.must}），未比较的表述 {total.not_compared}"
        )
        grand.add(total)
    print("按规则：")
    for rule, t in sorted(by_rule.items()):
        print(
            f"  {rule}  精确率 {_pct(t.precision)}（{t.correct}/{t.findings}）  召回率 {_pct(t.recall)}（{t.must_found}/{t.must}）"
        )
    misses = Counter(line.split(": ", 1)[1].split()[0] for line in grand.missed)
    summary = {
        "findings": grand.findings,
        "correct": grand.correct,
        "false_positives": len(grand.false_positives),
        "must": grand.must,
        "must_found": grand.must_found,
        "precision": grand.precision,
        "recall": grand.recall,
        "not_compared": grand.not_compared,
        "missed_by_rule": dict(misses),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(
            f"合计：精确率 {_pct(grand.precision)}（{grand.correct}/{grand.findings}），"
            f"召回率 {_pct(grand.recall)}（{grand.must_found}/{grand.must}），误报 {len(grand.false_positives)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
