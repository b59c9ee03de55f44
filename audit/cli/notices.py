"""``gkaudit notices``: render the outputs of a scope; draft, approve, send and list 整改通知."""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path

import click
from sqlmodel import select

from audit.cli.common import day_option as _date
from audit.cli.common import open_store as _open_store
from audit.render.office import office
from audit.render.outputs import render_scope
from audit.store import db as store
from audit.store import notices as life
from audit.store import tables as m
from audit.store.queries import notice_json, query_notices

NOTICE_STATUSES = click.Choice(list(m.NOTICE_STATUSES))


@click.group("notices", invoke_without_command=True)
@click.option("--region", help="只输出该行政区划（代码前缀）")
@click.option("--agency", help="只输出该机关")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports_out"),
    show_default=True,
    help="输出目录",
)
@click.pass_context
def notices(ctx: click.Context, region: str | None, agency: str | None, out: Path) -> None:
    """生成整改通知（HTML、Word）、整改清单（XLSX）、通报和看板；子命令管理整改通知的起草、审核、印发和回执。

    \b
    例：gkaudit notices --region 6405 --out reports_out
        gkaudit notices draft --agency 某市信访局 --by 张三
        gkaudit notices approve 1 --by 李四
        gkaudit notices send 1 --date 2026-12-01 --by 王五
    """
    if ctx.invoked_subcommand is not None:
        return
    _open_store()
    today = store.today()
    with store.session_scope() as session:
        if agency and session.exec(select(m.Agency.id).where(m.Agency.name == agency)).first() is None:
            raise click.ClickException(f"库中没有机关：{agency}")
        written = render_scope(session, out, today=today, region=region, agency=agency)
    click.echo(written.summary())


def _actor(by: str | None) -> str:
    """Return the acting person: ``--by`` or the login name."""
    return by or getpass.getuser()


def _run(step, *args, **kwargs) -> dict:  # noqa: ANN001
    """Run a lifecycle step in one transaction; return the notice as JSON, errors in Chinese."""
    try:
        with store.session_scope() as session:
            row = step(session, *args, **kwargs)
            return notice_json(session, row)
    except life.NoticeError as exc:
        raise click.ClickException(f"{exc}（本次未作任何更改）") from exc


@notices.command("draft")
@click.argument("finding_ids", nargs=-1, type=int, metavar="[ID...]")
@click.option("--agency", required=True, help="主送机关名称")
@click.option("--by", help="起草人（默认当前用户）")
def notices_draft(finding_ids: tuple[int, ...], agency: str, by: str | None) -> None:
    """起草整改通知；不列编号时列入该机关全部待整改的问题。"""
    _open_store()
    with store.session_scope() as session:
        owner = session.exec(select(m.Agency).where(m.Agency.name == agency)).first()
        if owner is None:
            raise click.ClickException(f"库中没有机关：{agency}")
        owner_id = owner.id
    obj = _run(
        lambda s: life.draft(s, agency=s.get(m.Agency, owner_id), actor=_actor(by), finding_ids=finding_ids)
    )
    click.echo(f"已起草整改通知 {obj['id']}（{agency}），列入问题 {len(obj['findings'])} 个；待审核。")


@notices.command("approve")
@click.argument("notice_id", type=int)
@click.option("--by", required=True, help="审核人姓名（不能是起草人）")
@click.option("--date", "on", callback=_date, help="成文日期 YYYY-MM-DD（默认今天）")
def notices_approve(notice_id: int, by: str, on: date | None) -> None:
    """审核通过整改通知并编定文号（文号一经编定不再重复使用）。"""
    _open_store()
    day = on or store.today()
    if day > store.today():
        raise click.ClickException(f"成文日期 {day} 晚于今天 {store.today()}")
    obj = _run(life.approve, notice_id, actor=by, on=day, prefix=office().prefix)
    click.echo(f"整改通知 {notice_id} 已由 {by} 审核通过，文号 {obj['number']}，成文日期 {day}。")


@notices.command("send")
@click.argument("notice_id", type=int)
@click.option("--date", "on", callback=_date, help="印发日期 YYYY-MM-DD（默认今天）；整改时限自该日起算")
@click.option("--by", help="经办人（默认当前用户）")
def notices_send(notice_id: int, on: date | None, by: str | None) -> None:
    """登记整改通知已印发；所列问题的整改时限自印发日期起按工作日计算。"""
    _open_store()
    today = store.today()
    obj = _run(life.send, notice_id, actor=_actor(by), on=on or today, today=today)
    click.echo(f"整改通知 {obj['number']} 已于 {obj['sent_on']} 印发，列入问题 {len(obj['findings'])} 个。")


@notices.command("receipt")
@click.argument("notice_id", type=int)
@click.option("--date", "on", callback=_date, help="回执日期 YYYY-MM-DD（默认今天）")
@click.option("--by", help="登记人（默认当前用户）")
@click.option("--note", help="回执说明")
def notices_receipt(notice_id: int, on: date | None, by: str | None, note: str | None) -> None:
    """登记机关对整改通知的回执。"""
    _open_store()
    today = store.today()
    obj = _run(life.record_receipt, notice_id, actor=_actor(by), on=on or today, today=today, note=note)
    click.echo(f"整改通知 {obj['number']} 的回执已登记（{obj['receipt_on']}）。")


@notices.command("list")
@click.option("--status", type=NOTICE_STATUSES, help="按状态筛选：draft、approved、sent、acknowledged")
@click.option("--agency", "agency_name", help="按机关筛选")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
def notices_list(status: str | None, agency_name: str | None, as_json: bool) -> None:
    """列出整改通知及其状态。"""
    _open_store()
    with store.session_scope() as session:
        rows = query_notices(session, status=status, agency=agency_name)
    if as_json:
        for obj in rows:
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if not rows:
        click.echo("没有整改通知。")
        return
    for obj in rows:
        state = life.STATUS_NAMES.get(obj["status"], obj["status"])
        click.echo(
            f"[{obj['id']}] {obj['agency']} {obj['number'] or '（未编文号）'} {state} "
            f"问题 {len(obj['findings'])} 个 起草 {obj['created_by']}"
            + (f" 审核 {obj['approved_by']}" if obj["approved_by"] else "")
            + (f" 印发 {obj['sent_on']}" if obj["sent_on"] else "")
            + (f" 回执 {obj['receipt_on']}" if obj["receipt_on"] else "")
        )
