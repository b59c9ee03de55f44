"""``gkaudit reports``, ``gkaudit copies`` and ``gkaudit notice record``."""

from __future__ import annotations

import json

import click

from audit import run
from audit.cli.common import fail, open_store, out, past_day_option, year_option
from audit.cli.findings import known_agency
from audit.form import describe_locator
from audit.store import db as store
from audit.store import lifecycle, queries
from audit.store import tables as m


@click.command("reports")
@click.option("--year", type=int, callback=year_option, help="只列出该年度的报告")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
def reports(year: int | None, as_json: bool) -> None:
    """列出库中的报告：每个机关每年度一行（最新版本）。

    \b
    示例：
      gkaudit reports --year 2024
      gkaudit reports --json
    """
    open_store()
    with store.session_scope() as session:
        rows = queries.query_reports(session, year)
    if as_json:
        for obj in rows:
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if not rows:
        out("库中还没有报告。")
        return
    for obj in rows:
        state = "" if obj["readable"] else "，无法机读"
        if obj["is_report"] is False:
            state = "，不是年报（未审核）"
        out(
            f"{obj['agency']}\t{obj['year']}\t{obj['source'] or ''}\t{obj['published_on'] or '发布日期不详'}\t"
            f"{obj['format'] or ''}\t{obj['sha256'][:12]}\t版本 {obj['versions']}\t未整改问题 {obj['findings']}{state}"
        )


@click.group("notice")
def notice() -> None:
    """登记已发出的整改通知（整改时限自通知日期起按工作日计算）。

    \b
    示例：
      gkaudit notice record --agency 某市信访局 --number 某政公开〔2026〕12号 --date 2026-12-01
    """


@notice.command("record")
@click.argument("finding_ids", nargs=-1, type=int, metavar="[编号...]")
@click.option("--agency", required=True, help="主送机关名称")
@click.option("--number", required=True, help="文号，如 宁政公开〔2026〕12号")
@click.option(
    "--date", "issued_on", required=True, callback=past_day_option, help="通知日期 YYYY-MM-DD（不能是将来）"
)
def notice_record(finding_ids: tuple[int, ...], agency: str, number: str, issued_on: object) -> None:
    """登记一份整改通知；不列编号时包括该机关全部未整改的错误和警告。"""
    open_store()
    try:
        with store.session_scope() as session:
            owner = known_agency(session, agency)
            ids = list(finding_ids) or queries.active_finding_ids(session, owner.id)  # type: ignore[arg-type]
            if not ids:
                raise lifecycle.LifecycleError(f"{owner.name} 没有未整改的问题，无需登记整改通知")
            record = lifecycle.record_notice(
                session,
                agency=owner,
                number=number,
                issued_on=issued_on,
                finding_ids=ids,  # type: ignore[arg-type]
            )
            rows = [session.get(m.Finding, i) for i in ids]
            lines = [
                f"  [{r.id}] {r.rule} {describe_locator(r.locator)} 整改时限 {r.deadline or '无'}"
                for r in rows
                if r
            ]
            notice_id = record.id
    except lifecycle.LifecycleError as exc:
        fail(str(exc))
    out(f"已登记整改通知 {number}（编号 {notice_id}，{issued_on}），列入问题 {len(ids)} 个：")
    for line in lines:
        out(line)


@click.command("copies")
@click.option("--year", type=int, required=True, callback=year_option, help="报告年度")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个雷同组（JSON）")
def copies(year: int, as_json: bool) -> None:
    """列出同一年度不同机关年报正文雷同的分组（去除模板句后比对）。

    \b
    示例：
      gkaudit copies --year 2024
    """
    open_store()
    with store.session_scope() as session:
        result = run.copies_for_year(session, year)
        members = [k for c in result.clusters for k in c.members]
        sources = queries.report_sources(session, members) if members else {}  # type: ignore[arg-type]
    if as_json:
        for c in result.clusters:
            obj = {
                "cluster": c.id,
                "section": c.section,
                "agencies": c.agencies,
                "sources": [sources.get(k) for k in c.members],  # type: ignore[call-overload]
                "similarity": c.max_similarity,
            }
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if not result.clusters:
        out(f"{year}年度未发现不同机关之间正文雷同的年报。")
        return
    for c in result.clusters:
        out(f"[{c.id}] {describe_locator(c.section)} 最高相似度 {c.max_similarity}：{'、'.join(c.agencies)}")
