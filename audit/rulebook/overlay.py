"""Local rule packs: an overlay folder that adds rules and changes severities on top of the catalogue.

A province or city may be stricter than the national rules: a limit on the length of 总体情况,
an earlier local publication deadline, a warning it treats as an error. It says so in a local
document (a 通知 of its 政务公开办); the overlay folder named by the ``GKAUDIT_RULES_OVERLAY``
setting carries that document's rules::

    <overlay>/
      pack.yaml                    the pack: name, the local document, changes to catalogue rules
      catalog/<GROUP>/<ID>.yaml    rules the pack adds (the catalogue's format, validated alike)
      cases/<ID>.yaml              cases of every added and every changed rule

``pack.yaml``::

    name: 某某省年报审核补充规则
    document:                      # the local document: the basis every change cites
      source: 某某省政务公开办关于做好年报编制发布工作的通知（某政公开〔2024〕1号）
      article: 第三条
      excerpt: 各部门年报应于每年1月20日前公布……
    changes:
      ST12: {severity: error, rationale: 本省要求“其他需要报告的事项”如实填写。}
      CY01: {resolution: correct_or_explain, rationale: …, basis: {source: …, article: …, excerpt: …}}

A change may set ``severity`` and/or ``resolution`` and needs a ``rationale``; its ``basis``
defaults to the pack's document. An added rule is a whole rule file (basis, rationale, fact,
condition, templates) whose id must not be in the catalogue; its basis is the local document.
Every added or changed rule needs a case file with at least one case that fires and one that
does not (whole documents under ``cases``, with ``base`` relative to the ``cases`` folder, or
fact cases under ``facts``); the fact cases are run when the pack is loaded and a failing one
refuses the pack, like any other problem (:class:`~audit.rulebook.catalog.CatalogError`);
``gkaudit rules overlay`` also runs the whole-document cases.

The merged catalogue's version covers the catalogue and the pack (``pack.yaml`` and the added
rule files), so every finding records which local rules produced it; each changed or added rule
carries a :class:`~audit.rulebook.catalog.LocalChange` so that notices cite the local document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from audit.rulebook.cases import case_kinds, relative
from audit.rulebook.catalog import (
    Basis,
    Catalog,
    CatalogError,
    LocalChange,
    Rule,
    Text,
    catalog_version,
    check_fact_schema,
    cross_check,
    describe_validation,
    fact_schema,
    load_catalog,
    read_rules,
    rule_files,
)
from audit.rulebook.oracle import Oracle

PACK_FILE = "pack.yaml"


@dataclass
class CaseFact:
    """A fact written in a case file (the evaluators' ``FactLike``)."""

    type: str
    key: str
    fields: dict
    evidence: dict = field(default_factory=dict)


class Change(BaseModel):
    """A pack's change to one catalogue rule: a new severity and/or resolution, why, on what basis."""

    model_config = ConfigDict(extra="forbid")

    severity: Literal["error", "warning", "info"] | None = None
    resolution: Literal["correct", "correct_or_explain"] | None = None
    rationale: Text
    basis: Basis | None = None


class Pack(BaseModel):
    """``pack.yaml``: the pack's name, the local document and its changes to catalogue rules."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    document: Basis
    changes: dict[str, Change] = Field(default_factory=dict)


def pack_files(overlay: Path) -> list[Path]:
    """Return the files that define what a pack does (``pack.yaml`` and its added rules), sorted."""
    return [overlay / PACK_FILE, *rule_files(overlay / "catalog")]


def effective_version(base_version: str, overlay: Path | None) -> str:
    """Return the version of the catalogue with ``overlay`` on top (``base_version`` without one)."""
    if overlay is None:
        return base_version
    files = [p for p in pack_files(overlay) if p.is_file()]
    digest = catalog_version(files, overlay) if files else "empty"
    return hashlib.sha256(f"{base_version}+{digest}".encode()).hexdigest()[:12]


def _read_pack(overlay: Path, problems: list[tuple[str, str]]) -> Pack | None:
    """Read and validate ``pack.yaml``; append problems and return None when it is refused."""
    path = overlay / PACK_FILE
    if not path.is_file():
        problems.append((str(path), "本地规则包缺少 pack.yaml（名称、本地文件依据、变更）"))
        return None
    try:
        return Pack.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append((str(path), f"无法读取 YAML：{exc}"))
    except ValidationError as exc:
        problems.extend((str(path), msg) for msg in describe_validation(exc))
    return None


def _changed(rule: Rule, change: Change, pack: Pack) -> Rule:
    """Return ``rule`` with the pack's change applied and recorded."""
    update = {k: getattr(change, k) for k in ("severity", "resolution") if getattr(change, k) is not None}
    before = {k: str(getattr(rule.spec, k)) for k in update}
    return Rule(
        spec=rule.spec.model_copy(update=update),
        path=rule.path,
        condition=rule.condition,
        template_fields=rule.template_fields,
        local=LocalChange(
            pack=pack.name,
            basis=change.basis or pack.document,
            rationale=change.rationale,
            changes={k: (before[k], str(v)) for k, v in update.items()},
        ),
    )


def _added(overlay: Path, pack: Pack, base: Catalog, problems: list[tuple[str, str]]) -> list[Rule]:
    """Return the pack's added rules, validated like the catalogue's (and new ids only)."""
    added = []
    for rule in read_rules(overlay / "catalog", problems)[1]:
        rel = relative(rule.path, overlay / "catalog")
        if rule.id in base.by_id:
            problems.append(
                (rel, f"规则 {rule.id} 已在规则目录中；修改已有规则请写在 pack.yaml 的 changes 中")
            )
            continue
        rule.local = LocalChange(pack=pack.name, basis=rule.spec.basis, rationale=rule.spec.rationale)
        added.append(rule)
    return added


def _fact_cases(catalog: Catalog, rule: Rule, doc: dict, where: str, problems: list[tuple[str, str]]) -> None:
    """Run a case file's fact cases for ``rule`` (plain-Python evaluator); append every failure."""
    declared = (fact_schema() or {}).get(rule.fact, ())
    for name, fields in (doc.get("facts") or {}).items():
        given = {k: v for k, v in (fields or {}).items() if not str(k).startswith("_")}
        unknown = sorted(set(given) - set(declared))
        if unknown or not str(name).startswith(("test_pass_", "test_fail_")):
            problems.append(
                (where, f"事实用例 {name} 无效（名称应以 test_pass_/test_fail_ 开头；未知字段 {unknown}）")
            )
            continue
        fact = CaseFact(rule.fact, f"case:{name}", {f: given.get(f) for f in declared})
        try:
            fires = bool(Oracle(catalog).evaluate([fact], {rule.id}))
        except (TypeError, ValueError) as exc:
            problems.append((where, f"事实用例 {name} 无法求值：{exc}"))
            continue
        if fires is not str(name).startswith("test_fail_"):
            problems.append((where, f"事实用例 {name}：规则 {rule.id} {'触发了' if fires else '未触发'}"))


def _check_pack_cases(
    overlay: Path, catalog: Catalog, ids: list[str], problems: list[tuple[str, str]]
) -> None:
    """Require and run the cases of every added or changed rule (fact cases; documents must exist)."""
    cases = overlay / "cases"
    for rule_id in ids:
        path = cases / f"{rule_id}.yaml"
        where = relative(path, overlay)
        if not path.is_file():
            problems.append((where, f"缺少规则 {rule_id} 的用例文件（需至少一个触发、一个不触发的用例）"))
            continue
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append((where, f"无法读取 YAML：{exc}"))
            continue
        fires, stays = case_kinds(doc)
        if not (fires and stays) or doc.get("rule") != rule_id:
            problems.append((where, f"用例文件应写明 rule: {rule_id}，并至少有一个触发、一个不触发的用例"))
            continue
        for case in doc.get("cases") or []:
            base = (cases / str(case.get("base") or "")) if isinstance(case, dict) else cases
            if not base.is_file():
                problems.append(
                    (where, f"用例的基础报告 {case.get('base') if isinstance(case, dict) else case} 不存在")
                )
        _fact_cases(catalog, catalog.by_id[rule_id], doc, where, problems)


def load_with_overlay(overlay: Path | None, base_dir: Path | None = None) -> Catalog:
    """Return the catalogue (shipped, or ``base_dir``) with the local rule pack ``overlay`` on top.

    Raises :class:`~audit.rulebook.catalog.CatalogError` listing every problem of the catalogue
    and of the pack. Without an overlay this is :func:`~audit.rulebook.catalog.load_catalog`.
    """
    return with_overlay(load_catalog(base_dir, check_facts=True), overlay)


def with_overlay(base: Catalog, overlay: Path | None) -> Catalog:
    """Return the loaded catalogue ``base`` with the local rule pack ``overlay`` on top (see above)."""
    if overlay is None:
        return base
    if not overlay.is_dir():
        raise CatalogError([(str(overlay), "本地规则包目录不存在")])
    problems: list[tuple[str, str]] = []
    pack = _read_pack(overlay, problems)
    if pack is None:
        raise CatalogError(problems)
    rules = {r.id: r for r in base.rules}
    for rule_id, change in pack.changes.items():
        if rule_id not in rules:
            problems.append((PACK_FILE, f"changes 中的规则 {rule_id} 不在规则目录中"))
        elif change.severity is None and change.resolution is None:
            problems.append((PACK_FILE, f"changes.{rule_id} 应至少修改 severity 或 resolution"))
        else:
            rules[rule_id] = _changed(rules[rule_id], change, pack)
    added = _added(overlay, pack, base, problems)
    merged = Catalog(
        rules=[*rules.values(), *added], version=effective_version(base.version, overlay), root=base.root
    )
    check_fact_schema(added, problems, overlay)
    cross_check(
        merged.rules, problems, lambda p: relative(p, overlay if p.is_relative_to(overlay) else p.parent)
    )
    if not problems:
        _check_pack_cases(overlay, merged, [*pack.changes, *(r.id for r in added)], problems)
    if problems:
        raise CatalogError(problems)
    return merged
