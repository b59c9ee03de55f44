"""``gkaudit check`` and ``gkaudit rules list|explain|overlay|impact``: check documents, show the catalogue.

``gkaudit rules impact`` needs the store; it lives in :mod:`audit.cli.rules_impact` and is imported
only when it runs (:class:`RulesGroup`), so ``check`` and ``rules list`` do not load SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
import unicodedata
from pathlib import Path

import click
import yaml

from audit import bounded, genre
from audit.cli import zh
from audit.cli.common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    LEVEL,
    LEVEL_NAMES,
    SEVERITY_NAMES,
    check_publication,
    fail,
    out,
    past_day_option,
    where_printed,
    year_option,
)
from audit.form import describe_locator
from audit.limits import Limits, LimitsError
from audit.organs import same_organ
from audit.readers import UnreadableError
from audit.report import AuditContext, Finding, Report
from audit.rulebook import check as rulebook
from audit.rulebook.catalog import Catalog, CatalogError, default_cases_dir
from audit.rulebook.overlay import load_with_overlay
from audit.rulebook.packtest import run_document_cases
from audit.settings import get_settings

RESOLUTION_NAMES = {
    "correct": "只能整改（更正后重新发布）",
    "correct_or_explain": "可整改或说明（说明经本办认可后记为已说明）",
}


def _pad(text: str, width: int) -> str:
    """Pad ``text`` with spaces to a display width (CJK characters count two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - shown)


def _load_catalog_or_exit() -> Catalog:
    try:
        return rulebook.default_catalog()
    except CatalogError as exc:
        click.echo(f"规则目录无法加载：\n{exc}", err=True)
        sys.exit(EXIT_INTERNAL)


def _print_table(source: str, findings: list[Finding]) -> None:
    """Print the findings of one document grouped by severity, each with where it is printed."""
    out(f"文件：{source}")
    if not findings:
        out("  未发现问题。")
        return
    for sev in ("error", "warning", "info"):
        group = [f for f in findings if f.severity == sev]
        if not group:
            continue
        out(f"  {SEVERITY_NAMES[sev]}（{len(group)}）")
        for f in group:
            out(f"    {_pad(f.rule, 6)}{_pad(describe_locator(f.locator), 28)}{f.message}")
            printed = where_printed(f.evidence)
            if printed:
                out(f"          出处：{printed}")
    counts = "，".join(
        f"{SEVERITY_NAMES[s]} {sum(1 for f in findings if f.severity == s)}" for s in SEVERITY_NAMES
    )
    out(f"  合计 {len(findings)} 条：{counts}")


def _previous(path: str, previous: str | None, limits: Limits) -> Report | None:
    """Read last year's report for ``--previous``; refuse the same file (nothing to compare with)."""
    if not previous:
        return None
    if Path(previous).resolve() == Path(path).resolve() or _digest(previous) == _digest(path):
        fail(f"--previous 与被审核的是同一份文件（{previous}），跨年度比对没有意义")
    try:
        return bounded.parse_path_bounded(previous, limits)
    except UnreadableError as exc:
        fail(f"无法读取上一年度报告 {previous}：{exc}")
    raise AssertionError  # fail() exits


def _digest(path: str) -> str | None:
    """Return a file's sha256 (None when it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _previous_problem(report: Report, previous: Report) -> str | None:
    """Return why ``previous`` cannot be this report's previous year (another organ, wrong year)."""
    if report.agency and previous.agency and not same_organ(report.agency, previous.agency):
        return f"上一年度报告的机关是“{previous.agency}”，与本报告的“{report.agency}”不是同一机关"
    if report.year and previous.year and previous.year != report.year - 1:
        return f"上一年度报告是{previous.year}年度的，本报告是{report.year}年度的"
    return None


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="文件...")
@click.option("--json", "as_json", is_flag=True, help="每条问题输出一行 JSON（见 docs/cli.md）。")
@click.option("--level", type=LEVEL, help="覆盖识别出的机关类型：政府（government）或部门（department）。")
@click.option("--published-on", callback=past_day_option, help="发布日期 YYYY-MM-DD（启用发布时效规则）。")
@click.option(
    "--allow-early-publication", "allow_early", is_flag=True, help="发布日期早于年度结束时仍然检查。"
)
@click.option("--previous", type=click.Path(), help="同一机关上一年度的报告（启用跨年度规则）。")
@click.option("--agency", help="覆盖识别出的机关名称。")
@click.option("--year", type=int, callback=year_option, help="覆盖识别出的报告年度。")
def check(paths: tuple[str, ...], as_json: bool, previous: str | None, **opts: object) -> None:
    """审核年度报告：输出规则检查发现的问题。

    \b
    退出码：
      0 = 没有“错误”级问题；
      1 = 至少一个“错误”级问题，或有报告无法机读（TL03，须人工阅读原件）；
      2 = 有文件完全无法读取或不是年报（其余文件照常审核）；
      3 = 规则目录无法加载或规则执行出错（结果不可信）。
    示例：
      gkaudit check 年报.pdf
      gkaudit check 2024年报.pdf --previous 2023年报.pdf --published-on 2025-01-20
    """
    catalog = _load_catalog_or_exit()
    try:
        limits = Limits.from_env()
    except LimitsError as exc:
        fail(str(exc))
    overrides = {"agency": opts["agency"], "year": opts["year"], "level": opts["level"]}
    bad_input = any_error = False
    for path in paths:
        try:
            report = rulebook.apply_overrides(bounded.parse_path_bounded(path, limits), overrides)
        except UnreadableError as exc:
            out(f"无法读取 {path}：{exc}", err=True)
            bad_input = True
            continue
        except Exception as exc:  # noqa: BLE001 - one document the parser trips on must not stop the others
            out(f"解析 {path} 时出错（程序缺陷，请连同文件反馈）：{type(exc).__name__}: {exc}", err=True)
            bad_input = True
            continue
        verdict = genre.judge(report)
        if verdict.is_report is False:
            out(f"{path}：{verdict.reason}", err=True)
            bad_input = True
            continue
        try:
            check_publication(report.year, opts["published_on"], allow_early=bool(opts["allow_early"]))  # type: ignore[arg-type]
        except click.BadParameter as exc:
            fail(exc.format_message())
        ctx = AuditContext(published_on=opts["published_on"], previous=_previous(path, previous, limits))  # type: ignore[arg-type]
        if ctx.previous is not None and (problem := _previous_problem(report, ctx.previous)):
            fail(f"--previous {previous}：{problem}")
        try:
            findings = rulebook.check_report(report, ctx, catalog=catalog)
        except Exception as exc:  # noqa: BLE001 - an engine failure must stop loudly
            fail(f"审核 {path} 时规则执行失败（结果不可信）：{exc}", EXIT_INTERNAL)
        # an unreadable report (TL03) cannot be certified clean: it fails the check like an error
        any_error = any_error or not report.readable or any(f.severity == "error" for f in findings)
        if as_json:
            for f in findings:
                obj = f.to_json()
                obj["source"] = path
                click.echo(json.dumps(obj, ensure_ascii=False))
        else:
            _print_table(path, findings)
            if report.agency or report.year:
                out(
                    f"  （机关：{report.agency or '未识别'}，年度：{report.year or '未识别'}，"
                    f"类型：{LEVEL_NAMES.get(report.level or '', '未识别')}，格式：{report.format}版）"
                )
    if bad_input:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if any_error else EXIT_OK)


class RulesGroup(click.Group):
    """The ``rules`` group; its subcommands that need the store are imported on first use."""

    LAZY = {"impact": "audit.cli.rules_impact:impact"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the names of all subcommands, sorted."""
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the subcommand called ``cmd_name``, importing its module when needed."""
        if cmd_name in self.LAZY:
            module, attr = self.LAZY[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attr)
            zh.localise(command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=RulesGroup)
def rules() -> None:
    """规则目录：列出规则、解释单条规则，校验本地规则包，预览规则变更对库中问题的影响。"""


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="每条规则输出一行 JSON。")
def rules_list(as_json: bool) -> None:
    """列出全部规则：编号、标题、级别、法律依据。"""
    catalog = _load_catalog_or_exit()
    if as_json:
        for r in catalog.rules:
            click.echo(
                json.dumps(
                    {
                        "id": r.id,
                        "name": r.spec.name,
                        "title": r.spec.title,
                        "severity": r.severity,
                        "basis": r.spec.basis.source,
                        "article": r.spec.basis.article,
                        "resolution": r.spec.resolution,
                        "local": r.local.pack if r.local else None,
                    },
                    ensure_ascii=False,
                )
            )
        return
    click.echo(f"规则目录版本 {catalog.version}，共 {len(catalog.rules)} 条")
    click.echo(f"{_pad('编号', 6)}{_pad('级别', 6)}{_pad('标题', 52)}依据")
    for r in catalog.rules:
        local = f"（{r.local.pack}）" if r.local else ""
        click.echo(
            f"{_pad(r.id, 6)}{_pad(SEVERITY_NAMES[r.severity], 6)}{_pad(r.spec.title, 52)}{r.spec.basis.source}{local}"
        )


@rules.command("explain")
@click.argument("rule_id")
def rules_explain(rule_id: str) -> None:
    """解释一条规则：依据、理由、条件、编译后的 durable 条件和测试用例。"""
    catalog = _load_catalog_or_exit()
    rule = catalog.by_id.get(rule_id.upper())
    if rule is None:
        click.echo(f"没有编号为 {rule_id} 的规则", err=True)
        sys.exit(EXIT_INPUT)
    s = rule.spec
    a = s.applies
    click.echo(f"{s.id}  {s.title}")
    click.echo(f"名称：{s.name}    级别：{SEVERITY_NAMES[s.severity]}（{s.severity}）")
    click.echo(
        f"适用：格式 {'、'.join(a.formats)}版；机关 {'、'.join(LEVEL_NAMES[x] for x in a.levels)}"
        + (f"；需要 {'、'.join(a.needs)}" if a.needs else "")
    )
    click.echo(f"依据：{s.basis.source} {s.basis.article}")
    click.echo(f"  原文：{s.basis.excerpt}")
    click.echo(f"理由：{s.rationale}")
    click.echo(f"整改方式：{RESOLUTION_NAMES[s.resolution]}")
    if rule.local is not None:
        changed = "；".join(f"{k} {a} → {b}" for k, (a, b) in rule.local.changes.items()) or "新增规则"
        click.echo(f"本地规则包：{rule.local.pack}（{changed}）")
        click.echo(
            f"  本地依据：{rule.local.basis.source} {rule.local.basis.article}：{rule.local.basis.excerpt}"
        )
        click.echo(f"  本地理由：{rule.local.rationale}")
    click.echo(f"事实类型：{s.fact}")
    click.echo(f"条件：{s.when}" + (f"（容差 {s.tolerance}）" if s.tolerance else ""))
    if s.suppressed_by:
        click.echo(f"被以下规则抑制：{'、'.join(s.suppressed_by)}")
    click.echo(f"定位：{s.locator}")
    click.echo(f"消息：{s.message}")
    click.echo("durable-rules 条件：")
    click.echo(json.dumps(rule.durable_rule(), ensure_ascii=False, indent=2))
    cases_dir = default_cases_dir()
    case_file = cases_dir / f"{s.id}.yaml" if cases_dir else None
    if case_file and case_file.is_file():
        doc = yaml.safe_load(case_file.read_text(encoding="utf-8")) or {}
        cases = doc.get("cases") or []
        click.echo(f"测试用例（{Path(case_file).name}，{len(cases)} 个）：")
        for c in cases:
            mark = "触发" if c.get("fires") else "不触发"
            click.echo(
                f"  [{mark}] {c.get('name', '')}  基础：{c.get('base', '')}"
                + (f"  定位：{c['locator']}" if c.get("locator") else "")
            )
    else:
        click.echo("测试用例：（源码目录 tests/rules/cases 中未找到）")


@rules.command("overlay")
@click.argument("folder", required=False, type=click.Path(file_okay=False), metavar="[目录]")
def rules_overlay(folder: str | None) -> None:
    """校验本地规则包并运行其全部用例：新增的规则、调整的级别、依据的本地文件。

    目录默认为设置 GKAUDIT_RULES_OVERLAY 指定的规则包。规则包的格式见 README“本地规则包”。

    \b
    示例：
      gkaudit rules overlay 本省规则包
    """
    path = Path(folder) if folder else get_settings().rules_overlay
    if path is None:
        fail("未指定本地规则包：请给出目录，或设置 GKAUDIT_RULES_OVERLAY")
    try:
        catalog = load_with_overlay(path)
    except CatalogError as exc:
        fail(f"本地规则包无法加载：\n{exc}")
    local = [r for r in catalog.rules if r.local is not None]
    click.echo(
        f"本地规则包 {path}：规则目录版本 {catalog.version}，涉及规则 {len(local)} 条（事实用例已通过）"
    )
    for r in local:
        changed = "；".join(f"{k} {a} → {b}" for k, (a, b) in r.local.changes.items()) or "新增"  # type: ignore[union-attr]
        click.echo(f"  {_pad(r.id, 6)}{_pad(changed, 24)}{r.spec.title}")
    results = run_document_cases(path, catalog)
    for res in results:
        click.echo(f"  [{'通过' if res.passed else '未通过'}] {res.file} {res.name}：{res.detail}")
    failed = [r for r in results if not r.passed]
    if failed:
        fail(f"{len(failed)} 个用例未通过", EXIT_FINDINGS)
    click.echo(f"全部 {len(results)} 个文档用例通过。")
