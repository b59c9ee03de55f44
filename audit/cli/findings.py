"""``gkaudit findings`` (the ledger) and ``gkaudit finding confirm|dismiss|accept|explain|show``."""

from __future__ import annotations

import getpass
import json
from datetime import datetime

import click

from audit.cli.common import (
    SEVERITY_NAMES,
    STATUS,
    STATUS_NAMES,
    day_option,
    fail,
    local_time,
    open_store,
    out,
    today,
    year_option,
)
from audit.form import describe_locator
from audit.store import agencies, lifecycle, queries
from audit.store import db as store
from audit.store import tables as m


def known_agency(session: object, name: str) -> m.Agency:
    """Return the stored agency a typed name means, or stop with the closest names."""
    match = agencies.resolve(session, name)  # type: ignore[arg-type]
    if match.agency is not None:
        return match.agency
    if match.how == "ambiguous":
        fail(f"“{name}”可能是多个机关之一：{'、'.join(match.candidates)}")
    hint = f"；相近的机关：{'、'.join(match.candidates)}" if match.candidates else ""
    fail(f"库中没有机关“{name}”{hint}")
    raise AssertionError  # fail() exits


@click.command("findings")
@click.option(
    "--status", type=STATUS, help="按状态筛选：待整改、已确认、已逾期、暂缓接受、已说明、误报、已整改、已撤销"
)
@click.option("--region", help="按行政区划代码筛选（前缀匹配）")
@click.option("--agency", help="按机关名称筛选")
@click.option("--rule", help="按规则编号筛选，如 BL03")
@click.option("--year", type=int, callback=year_option, help="按报告年度筛选")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象（字段见 docs/cli.md）")
def findings(
    status: str | None,
    region: str | None,
    agency: str | None,
    rule: str | None,
    year: int | None,
    as_json: bool,
) -> None:
    """列出问题台账中的问题。

    \b
    示例：
      gkaudit findings --status 待整改
      gkaudit findings --agency 某市信访局 --year 2024 --json
    """
    open_store()
    day = today()
    with store.session_scope() as session:
        name = known_agency(session, agency).name if agency else None
        rows = queries.query_findings(
            session, day, status=status, region=region, agency=name, rule=rule, year=year
        )
    if as_json:
        for obj in rows:
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if not rows:
        out("没有符合条件的问题。")
        return
    for obj in rows:
        flags = "（屡查屡犯）" if obj["recurring"] else ""
        deadline = f"，整改时限 {obj['deadline']}" if obj["deadline"] else ""
        out(
            f"[{obj['id']}] {obj['agency']} {obj['year']}年 {obj['rule']} {describe_locator(obj['locator'])} "
            f"{SEVERITY_NAMES.get(obj['severity'], obj['severity'])} "
            f"{STATUS_NAMES.get(obj['status'], obj['status'])}{flags}{deadline}"
        )
        out(f"    {obj['message']}")
    out(f"共 {len(rows)} 个问题。")


@click.group("finding")
def finding() -> None:
    """对单个问题作出人工处理决定（确认、误报、接受），或查看其全部证据。

    \b
    示例：
      gkaudit finding show 12
      gkaudit finding confirm 12 13 --reason 已核实
      gkaudit finding dismiss 14 --reason 表格为合并单元格，数据无误
      gkaudit finding accept 15 --until 2026-06-30 --reason 机构改革中
      gkaudit finding explain 16 --text 机构合并，上年结转数含原某局结转的3件
    """


def _decide(
    finding_ids: tuple[int, ...], decision: str, by: str | None, reason: str | None, until: object
) -> None:
    """Apply a decision to one or more findings (all or none) and print their new status."""
    open_store()
    actor = by or getpass.getuser() or "人工"
    done: list[tuple[int, str]] = []
    try:
        with store.session_scope() as session:
            for finding_id in finding_ids:
                row = lifecycle.decide(
                    session, finding_id, decision, actor=actor, reason=reason, until=until, today=today()
                )  # type: ignore[arg-type]
                done.append((finding_id, row.status))
    except lifecycle.LifecycleError as exc:
        fail(f"{exc}（本次未作任何更改）")
    for finding_id, status in done:
        out(f"问题 {finding_id} 已更新为：{STATUS_NAMES.get(status, status)}（{actor}）")


IDS = click.argument("finding_ids", nargs=-1, required=True, type=int, metavar="编号...")


@finding.command("confirm")
@IDS
@click.option("--by", help="处理人（默认当前用户）")
@click.option("--reason", help="说明")
def finding_confirm(finding_ids: tuple[int, ...], by: str | None, reason: str | None) -> None:
    """确认问题成立（可一次处理多个编号）。"""
    _decide(finding_ids, "confirm", by, reason, None)


@finding.command("dismiss")
@IDS
@click.option("--reason", required=True, help="认定误报的理由")
@click.option("--by", help="处理人（默认当前用户）")
def finding_dismiss(finding_ids: tuple[int, ...], reason: str, by: str | None) -> None:
    """认定为误报（重新审核后仍保持）。"""
    _decide(finding_ids, "dismiss", by, reason, None)


@finding.command("accept")
@IDS
@click.option(
    "--until", required=True, callback=day_option, help="接受至该日期（YYYY-MM-DD），过期后问题重新打开"
)
@click.option("--reason", required=True, help="接受的理由")
@click.option("--by", help="处理人（默认当前用户）")
def finding_accept(finding_ids: tuple[int, ...], until: object, reason: str, by: str | None) -> None:
    """暂时接受问题，至指定日期为止。"""
    _decide(finding_ids, "accept", by, reason, until)


@finding.command("explain")
@click.argument("finding_id", type=int, metavar="编号")
@click.option("--text", required=True, help="机关的说明（经本办认可）")
@click.option("--by", help="登记人（默认当前用户）")
def finding_explain(finding_id: int, text: str, by: str | None) -> None:
    """登记机关对问题的说明：问题记为“已说明”（不再要求整改，但不是已整改）。

    只有规则标为“可整改或说明”（resolution: correct_or_explain）的问题可以说明；下一年度
    年报再次出现同一问题时，新问题照常待整改，须重新说明或整改。

    \b
    示例：
      gkaudit finding explain 16 --text 机构合并，上年结转数含原某局结转的3件
    """
    open_store()
    actor = by or getpass.getuser() or "人工"
    try:
        with store.session_scope() as session:
            lifecycle.explain(session, finding_id, text, actor=actor)
    except lifecycle.LifecycleError as exc:
        fail(f"{exc}（本次未作任何更改）")
    out(f"问题 {finding_id} 已更新为：{STATUS_NAMES[m.EXPLAINED]}（{actor}）")


def _basis(rule_id: str) -> dict | None:
    """Return a rule's title and legal basis from the catalogue (None when it cannot be loaded)."""
    from audit.rulebook.catalog import CatalogError
    from audit.rulebook.check import default_catalog

    try:
        rule = default_catalog().by_id.get(rule_id)
    except CatalogError:
        return None
    if rule is None:
        return None
    b = rule.spec.basis
    return {"title": rule.spec.title, "source": b.source, "article": b.article, "excerpt": b.excerpt}


def _print_detail(obj: dict) -> None:
    """Print a finding's whole evidence for a reader."""
    out(f"问题 {obj['id']}：{obj['agency']} {obj['year']}年 {obj['rule']}（{obj.get('title') or ''}）")
    out(f"  位置：{describe_locator(obj['locator'])}")
    out(
        f"  级别：{SEVERITY_NAMES.get(obj['severity'], obj['severity'])}；状态：{STATUS_NAMES.get(obj['status'], obj['status'])}"
        f"{'（屡查屡犯）' if obj['recurring'] else ''}；整改时限：{obj['deadline'] or '无'}"
    )
    out(f"  问题：{obj['message']}")
    if obj.get("explanation"):
        out(f"  机关说明：{obj['explanation']}（{obj.get('explained_by') or ''}登记）")
    doc = obj.get("document")
    if doc:
        out(f"  原件：{doc['agency']} {doc['year']}年 第{doc['version']}版，sha256 {doc['sha256']}")
        out(
            f"        {doc['url'] or doc['file'] or ''}（发布日期 {doc['published_on'] or '不详'}，存档 {doc['archive_path']}）"
        )
        if doc.get("received_from"):
            out(f"        来自邮件：{doc['received_from']}")
    if obj["evidence"]:
        out("  证据：")
        for key, value in obj["evidence"].items():
            out(f"    {describe_locator(key) if key[:2] in ('t2', 't3', 't4') else key}：{value}")
    basis = obj.get("basis")
    if basis:
        out(f"  依据：{basis['source']} {basis['article']}")
        out(f"        “{basis['excerpt']}”")
    out(
        f"  规则目录版本 {obj.get('rule_version') or '不详'}，程序版本 {obj.get('product_version') or '不详'}"
    )
    if obj["events"]:
        out("  处理记录：")
        for e in obj["events"]:
            before = STATUS_NAMES.get(e["from"], e["from"]) if e["from"] else "—"
            after = STATUS_NAMES.get(e["to"], e["to"])
            why = f"（{e['reason']}）" if e["reason"] else ""
            out(f"    {local_time(_parse_time(e['at']))} {e['actor']}：{before} → {after}{why}")


def _parse_time(value: str | None) -> datetime | None:
    """Return a datetime from ISO text (None stays None)."""
    return datetime.fromisoformat(value) if value else None


@finding.command("show")
@click.argument("finding_id", type=int, metavar="编号")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（含原件、证据、依据和处理记录）")
def finding_show(finding_id: int, as_json: bool) -> None:
    """显示一个问题的全部证据：原件（版本、sha256、网址）、引文及出处、依据、处理记录。"""
    open_store()
    with store.session_scope() as session:
        obj = queries.finding_detail(session, finding_id, today())
    if obj is None:
        fail(f"问题 {finding_id} 不存在")
    obj["basis"] = _basis(obj["rule"])  # type: ignore[index]
    if as_json:
        click.echo(json.dumps(obj, ensure_ascii=False))
        return
    _print_detail(obj)  # type: ignore[arg-type]
