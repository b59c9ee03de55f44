"""The rule catalogue loader: reads ``rules/catalog/<GROUP>/<ID>.yaml`` and validates every file.

A rule is refused (the whole catalogue fails to load with :class:`CatalogError`, naming every bad
file and its problem in Chinese) when it lacks any required key, its legal basis (source, article,
excerpt), its rationale, a ``when`` condition that compiles (:mod:`audit.rulebook.condition`), or message and
locator templates that parse and render under Jinja2 ``StrictUndefined``; when its id does not match
its group folder and file name; when ids or names repeat; when ``suppressed_by`` names an unknown rule.

Test cases: when ``cases_dir`` is given, every rule must also have ``<cases_dir>/<ID>.yaml`` with at
least one case that fires and one that does not, and no case file may name an unknown rule.
The product's :func:`load_catalog` is called **without** ``cases_dir``: the case files live in
``tests/rules/cases`` of the source checkout and are not installed with the package. The meta-test
(``tests/rules/test_catalog.py``) loads the shipped catalogue with ``cases_dir`` set, so a rule
without cases cannot be merged; CI runs it on every change.

A rule's ``resolution`` says how its findings may be resolved: ``correct`` (the default: only a
corrected report) or ``correct_or_explain`` (an explanation the office accepts also resolves it,
``gkaudit finding explain``). Local rule packs (an overlay folder that adds rules and changes
severities) are loaded on top of this catalogue by :mod:`audit.rulebook.overlay`; the test cases'
presence check lives in :mod:`audit.rulebook.cases`.

The catalogue version is the first 12 hex digits of a SHA-256 over every rule file's relative path
and bytes: durable-rulesets are named after it (a changed catalogue registers a new ruleset in the
same process) and the store records it with every run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, meta
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from audit.rulebook.cases import check_cases, relative
from audit.rulebook.condition import (
    RESERVED_FIELDS,
    CompiledCondition,
    ConditionError,
    FactLike,
    compile_when,
    validate_facts,
)

NEEDS = ("previous", "published_on", "copies", "http_status", "notified")
SEVERITIES = ("error", "warning", "info")
_ID_RE = re.compile(r"^[A-Z]{2}\d{2,3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(Exception):
    """The catalogue cannot be loaded; ``problems`` lists (file, Chinese message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = [f"{path}：{msg}" for path, msg in problems]
        super().__init__(f"规则目录有 {len(problems)} 处问题：\n" + "\n".join(lines))


def template_env() -> Environment:
    """Return the Jinja2 environment for messages and locators (plain text, StrictUndefined).

    ``None`` values render as ``（空）`` rather than the Python word ``None``.
    """
    return Environment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        finalize=lambda v: "（空）" if v is None else v,
    )


def _not_blank(v: str) -> str:
    """Return the text stripped; refuse text that is only whitespace."""
    if not v.strip():
        raise ValueError("不能为空")
    return v.strip()


#: Required text: not empty, not only whitespace, stored stripped.
Text = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


class Basis(BaseModel):
    """The legal basis of a rule: the document, the article and a quoted excerpt."""

    model_config = ConfigDict(extra="forbid")

    source: Text
    article: Text
    excerpt: Text


class Applies(BaseModel):
    """When a rule applies: format years, organ levels and the context it needs."""

    model_config = ConfigDict(extra="forbid")

    formats: list[Literal["2021", "2019"]] = Field(default_factory=lambda: ["2021", "2019"])
    levels: list[Literal["government", "department"]] = Field(
        default_factory=lambda: ["government", "department"]
    )
    needs: list[Literal["previous", "published_on", "copies", "http_status", "notified"]] = Field(
        default_factory=list
    )

    @field_validator("formats", mode="before")
    @classmethod
    def _formats_as_str(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [str(x) for x in v]
        return v


class RuleSpec(BaseModel):
    """One rule file as written (validated by pydantic)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    title: Text
    severity: Literal["error", "warning", "info"]
    basis: Basis
    rationale: Text
    applies: Applies = Field(default_factory=Applies)
    fact: str = Field(min_length=1)
    when: str = Field(min_length=1)
    locator: str = Field(min_length=1)
    message: str = Field(min_length=1)
    suppressed_by: list[str] = Field(default_factory=list)
    tolerance: float = Field(default=0.0, ge=0)
    resolution: Literal["correct", "correct_or_explain"] = "correct"

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError("规则编号应为两个大写字母加两位数字，如 BL03")
        return v

    @field_validator("name")
    @classmethod
    def _name_shape(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError("规则名称应为 snake_case，如 t3_balance")
        return v


@dataclass(frozen=True)
class LocalChange:
    """What a local rule pack (:mod:`audit.rulebook.overlay`) did to a rule, and on what basis.

    ``changes`` maps a changed key to its (catalogue, local) values; empty for a rule the pack adds.
    """

    pack: str
    basis: Basis
    rationale: str
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Rule:
    """A validated rule: its spec, compiled condition and parsed templates (and any local change)."""

    spec: RuleSpec
    path: Path
    condition: CompiledCondition
    template_fields: frozenset[str]
    _templates: tuple[Any, Any] | None = field(default=None, repr=False)
    local: LocalChange | None = None

    @property
    def id(self) -> str:
        """The rule id, e.g. ``BL03``."""
        return self.spec.id

    @property
    def group(self) -> str:
        """The two-letter group, e.g. ``BL``."""
        return self.spec.id[:2]

    @property
    def severity(self) -> str:
        """The default severity: error, warning or info."""
        return self.spec.severity

    @property
    def fact(self) -> str:
        """The fact type the rule matches."""
        return self.spec.fact

    def durable_rule(self) -> dict:
        """Return the durable-rules ``{"all": [{"m": COND}]}`` definition (without ``run``)."""
        return {"all": [{"m": self.condition.durable_condition(self.spec.fact)}]}

    def render(self, fields: dict) -> tuple[str, str]:
        """Render (locator, message) from a fact's fields; raises on an undefined field."""
        if self._templates is None:
            env = template_env()
            self._templates = (env.from_string(self.spec.locator), env.from_string(self.spec.message))
        loc_t, msg_t = self._templates
        return loc_t.render(**fields).strip(), msg_t.render(**fields).strip()


@dataclass
class Catalog:
    """The loaded, validated rule catalogue."""

    rules: list[Rule]
    version: str
    root: Path | None = None
    by_id: dict[str, Rule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rules.sort(key=lambda r: r.id)
        self.by_id = {r.id: r for r in self.rules}

    @property
    def ruleset_name(self) -> str:
        """The durable ruleset name for this catalogue version."""
        return f"gkaudit_{self.version}"

    def for_fact(self, fact_type: str) -> list[Rule]:
        """Return the rules matching a fact type."""
        return [r for r in self.rules if r.fact == fact_type]

    def check_facts(self, facts: Sequence[FactLike]) -> None:
        """Refuse facts that break the fact contract or the field kinds of the rules they meet.

        Raises ``FactShapeError``, ``DuplicateFactError`` or ``FactTypeError`` (audit.rulebook.condition);
        both evaluators call this first, so they refuse the same inputs.
        """
        validate_facts(facts)
        for fact in facts:
            for rule in self.for_fact(fact.type):
                rule.condition.check_types(fact.fields)


def _rules_package_dir() -> Path:
    """Return the directory of the ``rules`` package.

    Found via ``rules.__file__``; when ``rules`` resolves to a namespace package without a file
    (pytest puts ``tests/`` on ``sys.path``, and ``tests/rules/`` then shadows the editable
    install), the ``rules`` directory beside the ``audit`` package is used.
    """
    import rules

    if getattr(rules, "__file__", None):
        return Path(rules.__file__).resolve().parent
    import audit

    return Path(audit.__file__).resolve().parent.parent / "rules"


def default_catalog_dir() -> Path:
    """Return the shipped catalogue directory (``rules/catalog`` next to ``rules/__init__.py``)."""
    return _rules_package_dir() / "catalog"


def default_cases_dir() -> Path | None:
    """Return ``tests/rules/cases`` of the source checkout when present (not installed)."""
    cases = _rules_package_dir().parent / "tests" / "rules" / "cases"
    return cases if cases.is_dir() else None


def describe_validation(exc: ValidationError) -> list[str]:
    """Return pydantic's validation errors as Chinese lines (``key：why``)."""
    zh = {
        "missing": "缺少必填项",
        "extra_forbidden": "不认识的键（拼写错误？）",
        "literal_error": "取值不在允许范围内",
        "string_too_short": "不能为空",
        "string_type": "应为字符串",
        "greater_than_equal": "不能为负数",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "list_type": "应为列表",
        "model_type": "应为映射（键: 值）",
        "model_attributes_type": "应为映射（键: 值）",
        "dict_type": "应为映射（键: 值）",
    }
    out = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "（文件）"
        what = zh.get(err["type"], err["msg"])
        if err["type"] == "value_error":
            what = str(err["ctx"].get("error", err["msg"])) if err.get("ctx") else err["msg"]
        out.append(f"{loc}：{what}")
    return out


def _template_vars(text: str, env: Environment) -> set[str]:
    ast_ = env.parse(text)
    return set(meta.find_undeclared_variables(ast_))


def _sample_value(kind: str | None) -> Any:
    return {"num": 1, "str": "示例", "bool": True}.get(kind or "", 1)


def build_rule(data: Any, path: Path, rel: str, problems: list[tuple[str, str]]) -> Rule | None:
    """Validate one rule document; append problems and return ``None`` when it is refused."""
    if not isinstance(data, dict):
        problems.append((rel, "文件内容不是 YAML 映射（键: 值）"))
        return None
    try:
        spec = RuleSpec.model_validate(data)
    except ValidationError as exc:
        for msg in describe_validation(exc):
            problems.append((rel, msg))
        return None
    ok = True
    # A misplaced file is reported but still checked (and counted for duplicate ids/names).
    if path.stem != spec.id:
        problems.append((rel, f"文件名应为 {spec.id}.yaml"))
    if path.parent.name != spec.id[:2]:
        problems.append((rel, f"规则 {spec.id} 应放在 {spec.id[:2]}/ 目录下"))
    try:
        cond = compile_when(spec.when, spec.tolerance)
    except ConditionError as exc:
        problems.append((rel, f"when 条件无法编译：{exc}"))
        return None
    env = template_env()
    tvars: set[str] = set()
    for key in ("locator", "message"):
        text = getattr(spec, key)
        try:
            names = _template_vars(text, env)
        except TemplateSyntaxError as exc:
            problems.append((rel, f"{key} 模板语法错误：{exc.message}（第 {exc.lineno} 行）"))
            ok = False
            continue
        bad = sorted(n for n in names if n in RESERVED_FIELDS or n.startswith("_"))
        if bad:
            problems.append((rel, f"{key} 模板引用了保留名 {', '.join(bad)}"))
            ok = False
            continue
        tvars |= names
        sample = {n: _sample_value(cond.kinds.get(n)) for n in names}
        try:
            env.from_string(text).render(**sample)
        except Exception as exc:  # noqa: BLE001 - any rendering failure refuses the rule
            problems.append((rel, f"{key} 模板无法渲染：{exc}"))
            ok = False
    if not ok:
        return None
    return Rule(spec=spec, path=path, condition=cond, template_fields=frozenset(tvars))


def fact_schema() -> dict[str, tuple[str, ...]] | None:
    """Return ``audit.facts.FACT_FIELDS`` (every fact type and its fields), None without the builder.

    Imported here, when a catalogue is validated, rather than with this module: the fact families
    cost a third of a second to import and commands that only list rules do not need them.
    """
    try:
        from audit import facts as facts_mod
    except ImportError:
        return None
    schema = getattr(facts_mod, "FACT_FIELDS", None)
    return schema if isinstance(schema, dict) else None


def check_fact_schema(rules_: Iterable[Rule], problems: list[tuple[str, str]], root: Path) -> None:
    """Check fact types and fields against ``audit.facts.FACT_FIELDS`` when the builder declares it."""
    schema = fact_schema()
    if schema is None:
        return
    for r in rules_:
        rel = relative(r.path, root)
        if r.fact not in schema:
            problems.append((rel, f"事实类型 {r.fact} 不存在（已知：{', '.join(sorted(schema))}）"))
            continue
        known = set(schema[r.fact])
        unknown = sorted((set(r.condition.fields) | r.template_fields) - known)
        if unknown:
            problems.append((rel, f"引用了事实 {r.fact} 没有的字段：{', '.join(unknown)}"))


def cross_check(rules_: list[Rule], problems: list[tuple[str, str]], rel: Callable[[Path], str]) -> None:
    """Check what involves several rules: unique ids and names, ``suppressed_by`` targets."""
    seen_ids: dict[str, Rule] = {}
    seen_names: dict[str, Rule] = {}
    for r in rules_:
        if r.id in seen_ids:
            problems.append((rel(r.path), f"规则编号 {r.id} 与 {rel(seen_ids[r.id].path)} 重复"))
        seen_ids.setdefault(r.id, r)
        if r.spec.name in seen_names:
            problems.append(
                (rel(r.path), f"规则名称 {r.spec.name} 与 {rel(seen_names[r.spec.name].path)} 重复")
            )
        seen_names.setdefault(r.spec.name, r)
    for r in rules_:
        for other in r.spec.suppressed_by:
            if other not in seen_ids:
                problems.append((rel(r.path), f"suppressed_by 指向不存在的规则 {other}"))
            elif other == r.id:
                problems.append((rel(r.path), "suppressed_by 不能指向自己"))


def catalog_version(files: list[Path], root: Path) -> str:
    """Return the catalogue version: 12 hex digits of SHA-256 over relative paths and bytes."""
    h = hashlib.sha256()
    for p in sorted(files, key=lambda x: x.relative_to(root).as_posix()):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:12]


def rule_files(root: Path) -> list[Path]:
    """Return the rule files of a catalogue folder (``<GROUP>/<ID>.yaml``), sorted."""
    return sorted(root.glob("*/*.yaml")) + sorted(root.glob("*/*.yml"))


def read_rules(root: Path, problems: list[tuple[str, str]]) -> tuple[list[Path], list[Rule]]:
    """Read and validate every rule file under ``root``; return the files and the valid rules."""
    files = rule_files(root) if root.is_dir() else []
    stray = sorted(p for p in root.rglob("*.y*ml") if p.parent.parent != root) if root.is_dir() else []
    problems.extend((relative(p, root), "规则文件应位于 catalog/<组>/<编号>.yaml") for p in stray)
    rules_: list[Rule] = []
    for p in files:
        rel = relative(p, root)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append((rel, f"无法读取 YAML：{exc}"))
            continue
        rule = build_rule(data, p, rel, problems)
        if rule is not None:
            rules_.append(rule)
    return files, rules_


def load_catalog(
    path: str | Path | None = None,
    *,
    cases_dir: str | Path | None = None,
    check_facts: bool | None = None,
) -> Catalog:
    """Load and validate the catalogue under ``path`` (default: the shipped ``rules/catalog``).

    Raises :class:`CatalogError` listing every problem. With ``cases_dir`` the test cases are
    required too (see the module docstring). ``check_facts`` checks fact types and the fields the
    condition and templates use against ``audit.facts.FACT_FIELDS``; it defaults to on for the
    shipped catalogue and off for other directories (test catalogues use their own fact types).
    """
    if check_facts is None:
        check_facts = path is None
    root = Path(path) if path is not None else default_catalog_dir()
    problems: list[tuple[str, str]] = []
    if not root.is_dir():
        raise CatalogError([(str(root), "规则目录不存在")])
    files, rules_ = read_rules(root, problems)
    cross_check(rules_, problems, lambda p: relative(p, root))
    if check_facts:
        check_fact_schema(rules_, problems, root)
    catalog = Catalog(rules=rules_, version=catalog_version(files, root) if files else "empty", root=root)
    if cases_dir is not None:
        check_cases(catalog, Path(cases_dir), problems)
    if problems:
        raise CatalogError(problems)
    return catalog


def catalog_from_dicts(docs: list[dict], *, root: str | Path = "memory") -> Catalog:
    """Build a validated catalogue from rule dicts (tests, tools); raises :class:`CatalogError`."""
    import json

    problems: list[tuple[str, str]] = []
    rules_: list[Rule] = []
    base = Path(root)
    for doc in docs:
        rid = str(doc.get("id", "XX00"))
        path = base / rid[:2] / f"{rid}.yaml"
        rule = build_rule(doc, path, str(path), problems)
        if rule is not None:
            rules_.append(rule)
    cross_check(rules_, problems, str)
    if problems:
        raise CatalogError(problems)
    digest = hashlib.sha256(
        json.dumps(docs, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    return Catalog(rules=rules_, version=digest[:12], root=None)
