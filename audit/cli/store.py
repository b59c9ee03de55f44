"""Commands over the findings store: ingest, audit, findings, finding, reports, db (spec/cli.md)."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import date
from pathlib import Path

import click
from sqlmodel import col, select

from audit import run
from audit.render.words import SEVERITY_NAMES, STATUS_NAMES
from audit.store import archive, lifecycle
from audit.store import db as store
from audit.store import tables as m
from audit.store.queries import finding_json, query_findings, query_reports
from audit.store.queries import iso as _iso

LEVELS = click.Choice(["government", "department"])


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """Parse a YYYY-MM-DD option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def _open_store() -> None:
    """Bring the database schema up to date before a command uses it."""
    try:
        store.ensure_schema()
    except Exception as exc:  # noqa: BLE001
        raise click.ClickException(f"无法打开数据库 {store.database_url()}：{exc}") from exc


# --------------------------------------------------------------------------- db


@click.group("db")
def db() -> None:
    """数据库管理（迁移）。"""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="目标版本")
def db_upgrade(revision: str) -> None:
    """将数据库结构升级到最新版本（Alembic 迁移）。"""
    try:
        store.upgrade(revision=revision)
    except Exception as exc:  # noqa: BLE001
        raise click.ClickException(f"数据库升级失败（{store.database_url()}）：{exc}") from exc
    click.echo(f"数据库已升级到版本 {store.current_revision()}：{_safe_url()}")


@db.command("current")
def db_current() -> None:
    """显示数据库当前的结构版本。"""
    click.echo(f"当前版本：{store.current_revision() or '（空库）'}；最新版本：{store.head_revision()}")


def _safe_url() -> str:
    """Return the database URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(store.database_url()).render_as_string(hide_password=True)


# --------------------------------------------------------------------------- ingest


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agency", required=True, help="发布机关名称（与报告中一致）")
@click.option("--year", type=int, help="报告年度（默认从文档读取）")
@click.option("--level", type=LEVELS, help="机关类型：government（政府）或 department（部门）")
@click.option("--region", help="行政区划代码")
@click.option("--published-on", callback=_date, help="发布日期 YYYY-MM-DD")
@click.option("--url", help="文档的网址（如有）")
def ingest(
    paths: tuple[Path, ...],
    agency: str,
    year: int | None,
    level: str | None,
    region: str | None,
    published_on: date | None,
    url: str | None,
) -> None:
    """把通过邮件、上传等方式收到的报告文件存入库中（与抓取所得同等对待）。"""
    _open_store()
    failed = False
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            click.echo(f"{path}：无法读取文件（{exc.strerror or exc}）", err=True)
            failed = True
            continue
        try:
            with store.session_scope() as session:
                doc, new = archive.store_document(
                    session,
                    data,
                    agency=agency,
                    url=url,
                    original_name=path.name,
                    origin="ingest",
                    published_on=published_on,
                    year=year,
                    level=level,
                    region=region,
                )
        except archive.StoreError as exc:
            click.echo(str(exc), err=True)
            failed = True
            continue
        state = "新版本已入库" if new else "内容相同，已存在"
        click.echo(f"{path}：{state}（文档 {doc.id}，sha256 {doc.sha256[:12]}…）")
    if failed:
        sys.exit(2)


# --------------------------------------------------------------------------- audit


@click.command("audit")
@click.option("--all", "all_documents", is_flag=True, help="重新审核全部文档（默认只审核新增或变更的）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出本次审核摘要")
def audit(all_documents: bool, as_json: bool) -> None:
    """解析并审核新增或变更的报告，更新问题台账。"""
    _open_store()
    try:
        with store.exclusive("审核"):
            summary = run.run_audit(all_documents=all_documents)
    except store.Busy as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(summary.__dict__, ensure_ascii=False, default=str))
    else:
        click.echo(
            f"审核批次 {summary.run_id}：文档 {summary.documents} 份，审核报告 {summary.reports_audited} 份，"
            f"新发现 {summary.opened} 个，重新出现 {summary.reopened} 个，已整改 {summary.fixed} 个，"
            f"用时 {summary.seconds} 秒"
        )
        for err in summary.errors:
            where = err.get("source") or f"文档 {err.get('document', '')}{err.get('report', '')}"
            click.echo(f"  错误：{where}：{err['error']}", err=True)
    if summary.status == "failed":
        sys.exit(2)


# --------------------------------------------------------------------------- findings


@click.command("findings")
@click.option("--status", type=click.Choice(list(m.STATUSES)), help="按状态筛选（overdue = 已逾期）")
@click.option("--region", help="按行政区划代码筛选（前缀匹配）")
@click.option("--agency", help="按机关名称筛选")
@click.option("--rule", help="按规则编号筛选，如 BL03")
@click.option("--year", type=int, help="按报告年度筛选")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
def findings(
    status: str | None,
    region: str | None,
    agency: str | None,
    rule: str | None,
    year: int | None,
    as_json: bool,
) -> None:
    """列出问题台账中的问题。"""
    _open_store()
    today = store.today()
    with store.session_scope() as session:
        rows = query_findings(
            session, today, status=status, region=region, agency=agency, rule=rule, year=year
        )
    if as_json:
        for obj in rows:
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if not rows:
        click.echo("没有符合条件的问题。")
        return
    for obj in rows:
        flags = "（屡查屡犯）" if obj["recurring"] else ""
        deadline = f"，整改时限 {obj['deadline']}" if obj["deadline"] else ""
        click.echo(
            f"[{obj['id']}] {obj['agency']} {obj['year']}年 {obj['rule']} {obj['locator'] or ''} "
            f"{SEVERITY_NAMES.get(obj['severity'], obj['severity'])} "
            f"{STATUS_NAMES.get(obj['status'], obj['status'])}{flags}{deadline}"
        )
        click.echo(f"    {obj['message']}")
    click.echo(f"共 {len(rows)} 个问题。")


# --------------------------------------------------------------------------- finding decisions


@click.group("finding")
def finding() -> None:
    """对单个问题作出人工处理决定（确认、误报、接受）。"""


def _decide(
    finding_ids: tuple[int, ...], decision: str, by: str | None, reason: str | None, until: date | None
) -> None:
    """Apply a decision to one or more findings (all or none) and print their new status."""
    _open_store()
    actor = by or getpass.getuser() or "人工"
    done: list[tuple[int, str]] = []
    try:
        with store.session_scope() as session:
            for finding_id in finding_ids:
                row = lifecycle.decide(
                    session,
                    finding_id,
                    decision,
                    actor=actor,
                    reason=reason,
                    until=until,
                    today=store.today(),
                )
                done.append((finding_id, row.status))
    except lifecycle.LifecycleError as exc:
        raise click.ClickException(f"{exc}（本次未作任何更改）") from exc
    for finding_id, status in done:
        click.echo(f"问题 {finding_id} 已更新为：{STATUS_NAMES.get(status, status)}（{actor}）")


IDS = click.argument("finding_ids", nargs=-1, required=True, type=int, metavar="ID...")


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
@click.option("--until", required=True, callback=_date, help="接受至该日期（YYYY-MM-DD），过期后问题重新打开")
@click.option("--reason", required=True, help="接受的理由")
@click.option("--by", help="处理人（默认当前用户）")
def finding_accept(finding_ids: tuple[int, ...], until: date, reason: str, by: str | None) -> None:
    """暂时接受问题，至指定日期为止。"""
    _decide(finding_ids, "accept", by, reason, until)


@finding.command("show")
@click.argument("finding_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（含状态变更记录）")
def finding_show(finding_id: int, as_json: bool) -> None:
    """显示一个问题及其全部状态变更记录。"""
    _open_store()
    today = store.today()
    with store.session_scope() as session:
        row = session.get(m.Finding, finding_id)
        if row is None:
            raise click.ClickException(f"问题 {finding_id} 不存在")
        agency = session.get(m.Agency, row.agency_id)
        obj = finding_json(
            row,
            agency,
            today,
            source=None,
            first_seen=_iso(row.first_seen_at),
            fixed_at=_iso(row.fixed_at),  # type: ignore[arg-type]
        )
        events = session.exec(
            select(m.FindingEvent)
            .where(m.FindingEvent.finding_id == finding_id)
            .order_by(col(m.FindingEvent.id))
        ).all()
        obj["events"] = [
            {"at": _iso(e.at), "actor": e.actor, "from": e.from_status, "to": e.to_status, "reason": e.reason}
            for e in events
        ]
    if as_json:
        click.echo(json.dumps(obj, ensure_ascii=False))
        return
    click.echo(f"[{obj['id']}] {obj['agency']} {obj['year']}年 {obj['rule']} {obj['locator'] or ''}")
    click.echo(f"    {obj['message']}")
    click.echo(
        f"    状态：{STATUS_NAMES.get(obj['status'], obj['status'])}，整改时限：{obj['deadline'] or '无'}"
    )
    for e in obj["events"]:
        click.echo(f"    {e['at']} {e['actor']}：{e['from'] or '—'} → {e['to']}（{e['reason'] or ''}）")


# --------------------------------------------------------------------------- reports


@click.command("reports")
@click.option("--year", type=int, help="只列出该年度的报告")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
def reports(year: int | None, as_json: bool) -> None:
    """列出库中的报告：每个机关每年度一行（最新版本）。"""
    _open_store()
    with store.session_scope() as session:
        rows = query_reports(session, year)
    if as_json:
        for obj in rows:
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if not rows:
        click.echo("库中还没有报告。")
        return
    for obj in rows:
        click.echo(
            f"{obj['agency']}\t{obj['year']}\t{obj['source'] or ''}\t{obj['published_on'] or '发布日期不详'}\t"
            f"{obj['format'] or ''}\t{obj['sha256'][:12]}\t版本 {obj['versions']}\t未整改问题 {obj['findings']}"
        )


# --------------------------------------------------------------------------- notices


@click.group("notice")
def notice() -> None:
    """登记已发出的整改通知（整改时限自通知日期起按工作日计算）。"""


@notice.command("record")
@click.argument("finding_ids", nargs=-1, type=int, metavar="[ID...]")
@click.option("--agency", required=True, help="主送机关名称")
@click.option("--number", required=True, help="文号，如 宁政公开〔2026〕12号")
@click.option("--date", "issued_on", required=True, callback=_date, help="通知日期 YYYY-MM-DD")
def notice_record(finding_ids: tuple[int, ...], agency: str, number: str, issued_on: date) -> None:
    """登记一份整改通知；不列编号时包括该机关全部未整改的错误和警告。"""
    _open_store()
    try:
        with store.session_scope() as session:
            owner = session.exec(select(m.Agency).where(m.Agency.name == agency)).first()
            if owner is None:
                raise lifecycle.LifecycleError(f"库中没有机关：{agency}")
            ids = list(finding_ids) or list(
                session.exec(
                    select(m.Finding.id).where(
                        m.Finding.agency_id == owner.id,
                        col(m.Finding.status).in_(m.ACTIVE),
                        col(m.Finding.severity).in_(["error", "warning"]),
                    )
                ).all()
            )
            if not ids:
                raise lifecycle.LifecycleError(f"{agency} 没有未整改的问题，无需登记整改通知")
            record = lifecycle.record_notice(
                session,
                agency=owner,
                number=number,
                issued_on=issued_on,
                finding_ids=ids,  # type: ignore[arg-type]
            )
            rows = [session.get(m.Finding, i) for i in ids]
            notice_id = record.id
    except lifecycle.LifecycleError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已登记整改通知 {number}（编号 {notice_id}，{issued_on}），列入问题 {len(ids)} 个：")
    for row in rows:
        assert row is not None
        click.echo(f"  [{row.id}] {row.rule} {row.locator} 整改时限 {row.deadline or '无'}")


# --------------------------------------------------------------------------- copies (CY05 clusters)


@click.command("copies")
@click.option("--year", type=int, required=True, help="报告年度")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个雷同组（JSON）")
def copies(year: int, as_json: bool) -> None:
    """列出同一年度不同机关年报正文雷同的分组（去除模板句后比对）。"""
    _open_store()
    with store.session_scope() as session:
        result = run.copies_for_year(session, year)
        sources = {
            r.id: (doc.url or doc.original_name or doc.archive_path)
            for r, doc in session.exec(
                select(m.Report, m.Document).join(m.Document, col(m.Document.id) == m.Report.document_id)
            ).all()
        }
    if as_json:
        for c in result.clusters:
            click.echo(
                json.dumps(
                    {
                        "cluster": c.id,
                        "section": c.section,
                        "agencies": c.agencies,
                        "sources": [sources.get(k) for k in c.members],  # type: ignore[call-overload]
                        "similarity": c.max_similarity,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not result.clusters:
        click.echo(f"{year}年度未发现不同机关之间正文雷同的年报。")
        return
    for c in result.clusters:
        click.echo(f"[{c.id}] {c.section} 最高相似度 {c.max_similarity}：{'、'.join(c.agencies)}")


COMMANDS = (db, ingest, audit, findings, finding, reports, copies, notice)
