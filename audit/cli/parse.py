"""``gkaudit parse``: print the canonical model of a report."""

from __future__ import annotations

import json
import sys

import click

from audit.bounded import parse_path_bounded
from audit.form import SECTION_BY_ID
from audit.limits import Limits, LimitsError
from audit.readers import UnreadableError


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（见 docs/cli.md）。")
def parse(path: str, as_json: bool) -> None:
    """解析一份年度报告，输出章节、表格单元格和解析异常。"""
    try:
        report = parse_path_bounded(path, Limits.from_env())
    except LimitsError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except UnreadableError as exc:
        click.echo(f"无法读取 {path}：{exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - a parser defect is reported, not shown as a traceback
        click.echo(f"解析 {path} 时出错（程序缺陷，请连同文件反馈）：{type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report.to_parse_json(), ensure_ascii=False))
        return
    click.echo(f"文件：{report.source}")
    level = {"government": "政府", "department": "部门"}.get(report.level or "", "（未识别）")
    click.echo(
        f"机关：{report.agency or '（未识别）'}  年度：{report.year or '（未识别）'}  "
        f"类型：{level}  格式：{report.format}版"
    )
    if not report.readable:
        click.echo(f"无法机读：{report.unreadable_reason}（需人工阅读原件）")
        return
    click.echo("章节：")
    for sid, sec in report.sections.items():
        mark = "✓" if sec.present else "✗ 缺失"
        click.echo(f"  {SECTION_BY_ID[sid].canonical:<24} {mark} {sec.title or ''}")
    filled = sum(1 for c in report.cells.values() if c.value is not None)
    click.echo(f"单元格：{filled}/{len(report.cells)} 已读取")
    for table in ("t2", "t3", "t4"):
        missing = [cid for cid, c in report.cells.items() if cid.startswith(table + ".") and c.value is None]
        if missing:
            click.echo(
                f"  {table} 缺失 {len(missing)} 个：{', '.join(missing[:8])}{' …' if len(missing) > 8 else ''}"
            )
    if report.anomalies:
        click.echo(f"解析异常（{len(report.anomalies)}）：")
        for a in report.anomalies:
            click.echo(f"  [{a.kind}] {a.locator or ''} {a.detail}")
