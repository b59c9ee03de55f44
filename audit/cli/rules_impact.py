"""``gkaudit rules impact``: what a rule change would do to the findings of everything stored.

A subcommand of the ``rules`` group (:class:`audit.cli.check.RulesGroup` imports this module only
when it runs: it needs the store, which ``gkaudit check`` and ``rules list`` do not load).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from audit.cli.common import STATUS_NAMES, fail, open_store, out, today
from audit.form import describe_locator
from audit.impact import Change, Impact, apply, preview
from audit.rulebook.catalog import CatalogError
from audit.rulebook.overlay import load_with_overlay
from audit.settings import get_settings

EXAMPLES = 3


def _change_json(c: Change) -> dict:
    return {
        "agency": c.agency,
        "year": c.year,
        "locator": c.locator or None,
        "message": c.message,
        "severity": c.severity,
        "id": c.finding_id,
        "status": c.status,
    }


def _print_side(label: str, changes: list[Change]) -> None:
    """Print one side of a rule's impact: counts by agency and year, then three examples."""
    out(f"  {label} {len(changes)} 个")
    if not changes:
        return
    for (agency, year), n in sorted(Counter((c.agency, c.year) for c in changes).items()):
        out(f"    {agency} {year}年：{n} 个")
    for c in changes[:EXAMPLES]:
        mark = f"[{c.finding_id}，{STATUS_NAMES.get(c.status or '', c.status)}] " if c.finding_id else ""
        out(f"    例：{mark}{c.agency} {c.year}年 {describe_locator(c.locator)}：{c.message}")


def _print(impact: Impact) -> None:
    out(
        f"比较规则目录版本 {impact.catalog.version}，复核库中报告 {impact.reports} 份，比较规则 {len(impact.rules)} 条"
    )
    for rule_id in impact.rules:
        r = impact.by_rule[rule_id]
        if not (r.appear or r.disappear):
            continue
        out(f"{rule_id} {r.title}")
        _print_side("新增", r.appear)
        _print_side("消失", r.disappear)
    if not impact.changed:
        out("所比较的规则在库中报告上的结果没有变化。")


@click.command("impact")
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(file_okay=False),
    help="另一份规则目录（如修改了某条规则的副本）",
)
@click.option(
    "--overlay",
    type=click.Path(file_okay=False),
    help="另一份本地规则包（默认用设置 GKAUDIT_RULES_OVERLAY 的）",
)
@click.option("--rule", "rule_ids", multiple=True, help="只比较这些规则（可重复）；默认比较有变化的规则")
@click.option("--apply", "do_apply", is_flag=True, help="把变化写入库中（默认只预览，不写入）")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
def impact(
    catalog_dir: str | None, overlay: str | None, rule_ids: tuple[str, ...], do_apply: bool, as_json: bool
) -> None:
    """预览规则变更的影响：对库中每份报告按新规则复核，列出每条规则将新增和消失的问题。

    按机关和年度计数，每条规则各举三例。默认不写入任何数据；加 --apply 才按新规则
    更新库中问题（新增的记为待整改，不再触发的记为已撤销），并记录所用的规则目录版本。

    \b
    示例：
      cp -r rules/catalog /tmp/新规则 && 编辑 /tmp/新规则/CY/CY05.yaml
      gkaudit rules impact --catalog /tmp/新规则
      gkaudit rules impact --catalog /tmp/新规则 --rule CY05 --apply
      gkaudit rules impact --overlay 本省规则包
    """
    pack = Path(overlay) if overlay else get_settings().rules_overlay
    try:
        catalog = load_with_overlay(pack, Path(catalog_dir) if catalog_dir else None)
    except CatalogError as exc:
        fail(f"规则目录无法加载：\n{exc}")
    open_store()
    result = preview(catalog, list(rule_ids) or None)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "catalogue_version": catalog.version,
                    "reports": result.reports,
                    "rules": {
                        r: {
                            "title": i.title,
                            "appear": [_change_json(c) for c in i.appear],
                            "disappear": [_change_json(c) for c in i.disappear],
                        }
                        for r, i in result.by_rule.items()
                    },
                },
                ensure_ascii=False,
            )
        )
    else:
        _print(result)
    if do_apply:
        summary = apply(result, today())
        gone = sum(len(i.disappear) for i in result.by_rule.values())
        out(
            f"已按规则目录版本 {catalog.version} 写入（审核批次 {summary.run_id}）："
            f"新增 {summary.opened + summary.reopened} 个问题，{gone} 个不再触发的问题已撤销"
        )
    elif result.changed and not as_json:
        out("（仅预览，未写入；确认后加 --apply 写入）")
