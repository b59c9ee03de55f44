"""``gkaudit ledger``: write the 整改清单 (XLSX) and take over what an office typed into it."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from audit.cli.common import open_store as _open_store
from audit.render import ledger as xlsx
from audit.render.outputs import LEDGER_STATUSES
from audit.store import db as store
from audit.store import lifecycle
from audit.store.queries import finding_details, query_findings


@click.group("ledger")
def ledger() -> None:
    """整改清单（问题台账）：导出为 XLSX，导入机关填写的状态和答复。"""


@ledger.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", help="只导出该行政区划（代码前缀）")
@click.option("--agency", help="只导出该机关")
def ledger_export(path: Path, region: str | None, agency: str | None) -> None:
    """把待整改、已逾期、暂缓接受和已说明的问题导出为整改清单（XLSX）。

    \b
    例：gkaudit ledger export 清单.xlsx --region 6405
    """
    _open_store()
    with store.session_scope() as session:
        rows = [
            f
            for f in query_findings(session, store.today(), region=region, agency=agency)
            if f["status"] in LEDGER_STATUSES
        ]
        extra = finding_details(session, [f["id"] for f in rows])
    for f in rows:
        f["notice"] = extra[f["id"]]["notice"]
        f["reply"] = extra[f["id"]]["reply"]
    path.write_bytes(xlsx.ledger_xlsx(rows))
    click.echo(f"已导出整改清单 {path}：问题 {len(rows)} 个。")


@ledger.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_now", is_flag=True, help="不询问，直接导入")
@click.option("--by", help="操作人（默认当前用户），记入每个问题的变更记录")
def ledger_import(path: Path, apply_now: bool, by: str | None) -> None:
    """导入整改清单中修改的状态和机关答复：先列出差异，确认（或 --apply）后才写入。

    \b
    例：gkaudit ledger import 清单.xlsx            # 显示差异并询问
        gkaudit ledger import 清单.xlsx --apply    # 直接导入
    """
    _open_store()
    actor = by or getpass.getuser()
    today = store.today()
    try:
        rows = xlsx.read_ledger(path)
        with store.session_scope() as session:
            changes = xlsx.diff_ledger(session, rows, today)
            if not changes:
                click.echo("整改清单与库中一致，没有需要导入的修改。")
                return
            click.echo(f"整改清单 {path.name} 有 {len(changes)} 个问题被修改：")
            for change in changes:
                for line in change.describe():
                    click.echo(f"  {line}")
            if not apply_now and not click.confirm("导入以上修改？", default=False):
                session.rollback()
                click.echo("未导入。")
                return
            xlsx.apply_changes(session, changes, actor=actor, today=today)
    except (xlsx.LedgerError, lifecycle.LifecycleError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已导入 {len(changes)} 个问题的修改（操作人 {actor}）。")
