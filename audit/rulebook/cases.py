"""Rule test cases: every rule needs at least one case that fires and one that does not.

A case file ``<cases_dir>/<ID>.yaml`` names its ``rule`` and holds whole-document cases under
``cases`` (each with ``fires: true`` or ``false``) and, optionally, the condition's boundaries as
fact cases under ``facts`` (``test_fail_*`` fires, ``test_pass_*`` does not; see
tests/rules/test_catalog.py, which runs them). :func:`check_cases` is the presence check the
catalogue loader makes with ``cases_dir``; :func:`case_kinds` says which kinds a case file has (a
local rule pack may give either kind, :mod:`audit.rulebook.overlay`).

To add a requirement on cases: check it here and name the file and rule in the problem.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml


class _Rule(Protocol):
    """What the presence check needs of a rule: its id and its file."""

    id: str
    path: Path


class CatalogView(Protocol):
    """What the presence check needs of a catalogue (the catalogue module imports this one)."""

    @property
    def rules(self) -> Sequence[_Rule]:
        """The rules of the catalogue."""
        ...

    @property
    def root(self) -> Path | None:
        """The folder the rule files were loaded from."""
        ...

    @property
    def by_id(self) -> Container[str]:
        """The rule ids (a mapping by id)."""
        ...


def relative(path: Path, root: Path) -> str:
    """Return ``path`` relative to the parent of ``root`` (how problems name a rule file)."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def case_kinds(doc: Any) -> tuple[bool, bool]:
    """Return whether a case file's document has a firing case and a non-firing case (either kind)."""
    if not isinstance(doc, dict):
        return False, False
    cases = [c for c in doc.get("cases") or [] if isinstance(c, dict)]
    facts = doc.get("facts") if isinstance(doc.get("facts"), dict) else {}
    fires = any(c.get("fires") is True for c in cases) or any(str(k).startswith("test_fail_") for k in facts)
    stays = any(c.get("fires") is False for c in cases) or any(str(k).startswith("test_pass_") for k in facts)
    return fires, stays


def check_cases(catalog: CatalogView, cases_dir: Path, problems: list[tuple[str, str]]) -> None:
    """Require a case file per rule with ≥1 firing and ≥1 non-firing case; refuse unknown rules.

    A case is a whole-document case (``cases``: ``fires: true|false``) or a fact case (``facts``:
    ``test_fail_*`` fires, ``test_pass_*`` does not).
    """
    for r in catalog.rules:
        case_file = cases_dir / f"{r.id}.yaml"
        rel = relative(r.path, catalog.root or r.path.parent)
        if not case_file.is_file():
            problems.append((rel, f"缺少测试用例文件 {case_file.name}（需至少一个触发、一个不触发的用例）"))
            continue
        try:
            doc = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append((str(case_file), f"YAML 语法错误：{exc}"))
            continue
        cases = doc.get("cases", []) if isinstance(doc, dict) else None
        facts = doc.get("facts", {}) if isinstance(doc, dict) else None
        if not isinstance(cases, list) or not isinstance(facts, dict) or not (cases or facts):
            problems.append((str(case_file), "缺少 cases 列表或 facts 用例"))
            continue
        # whole-document cases say fires: true/false; fact cases are named test_fail_* / test_pass_*
        fires = [c.get("fires") for c in cases if isinstance(c, dict)]
        fires += [
            str(n).startswith("test_fail_") for n in facts if str(n).startswith(("test_fail_", "test_pass_"))
        ]
        if True not in fires:
            problems.append((str(case_file), f"规则 {r.id} 没有 fires: true 的用例"))
        if False not in fires:
            problems.append((str(case_file), f"规则 {r.id} 没有 fires: false 的用例"))
    for case_file in sorted(cases_dir.glob("*.yaml")):
        try:
            doc = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        rule = doc.get("rule") if isinstance(doc, dict) else None
        if rule not in catalog.by_id:
            problems.append((str(case_file), f"用例文件指向不存在的规则 {rule!r}"))
        elif case_file.stem != rule:
            problems.append((str(case_file), f"用例文件名应为 {rule}.yaml"))
