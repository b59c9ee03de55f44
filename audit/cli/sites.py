"""The registry commands: ``gkaudit sites import | list | check | discover`` (docs/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import yaml
from sqlmodel import select

from audit.cli.common import scrapy_setting_option, setting_overrides
from audit.registry import RegistryError, Site, import_sites, load_registry, stored_sites
from audit.store import db as store
from audit.store import tables as m
from audit.store.queries import gone_documents, lists_read_on
from crawler.launch import collect
from crawler.spiders.sites import hosts_of

LEVEL_NAMES = {"government": "政府", "department": "部门", None: "未知"}


def open_store() -> None:
    """Bring the database schema up to date before a command uses it."""
    try:
        store.ensure_schema()
    except Exception as exc:  # noqa: BLE001
        raise click.ClickException(f"无法打开数据库：{exc}") from exc


def load_and_import(path: Path, *, replace: bool = False) -> list[Site]:
    """Validate a registry file and import it into the store; exit 2 with every problem in Chinese."""
    try:
        sites = load_registry(path)
        with store.session_scope() as session:
            result = import_sites(session, sites, replace=replace)
    except RegistryError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(2) from exc
    click.echo(
        f"已导入 {len(sites)} 个机关（新增 {result.created}，更新 {result.updated}"
        + (f"，停用 {result.deactivated}" if replace else "")
        + "）",
        err=True,
    )
    return sites


@click.group("sites")
def sites() -> None:
    """机关登记表：导入、查看、检查年报栏目，以及从网站首页发现年报栏目。"""


@sites.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="登记表中没有的机关停用（其文档和问题保留）")
def sites_import(path: Path, replace: bool) -> None:
    """导入机关登记表（YAML 或 CSV），逐项校验，错误按行号列出。

    \b
    示例：
      gkaudit sites import 机关登记表.yaml
      gkaudit sites import 机关登记表.csv --replace
    """
    open_store()
    load_and_import(path, replace=replace)


@sites.command("list")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
def sites_list(as_json: bool) -> None:
    """列出登记的机关：级别、区划、站点类型、年报栏目、本地期限、最近读取、失效链接。"""
    open_store()
    with store.session_scope() as session:
        entries = stored_sites(session)
        read_on = lists_read_on(session)
        gone = gone_documents(session)
        ids = {a.name: a.id for a in _agencies(session)}
    for site in entries:
        agency_id = ids[site.name]
        broken = sum(len(v) for (a, _), v in gone.items() if a == agency_id)
        read = read_on.get(agency_id)
        if as_json:
            click.echo(
                json.dumps(
                    {**site.as_dict(), "lists_read_on": read.isoformat() if read else None, "gone": broken},
                    ensure_ascii=False,
                )
            )
            continue
        click.echo(
            f"{site.name}（{LEVEL_NAMES.get(site.level, site.level)}，{site.region or '区划未填'}，{site.profile}）"
            f" 栏目 {len(site.lists)} 个；本地期限 {site.deadline or '无'}；"
            f"最近读取 {read.isoformat() if read else '尚未读取'}；失效链接 {broken} 个"
        )
    if not entries and not as_json:
        click.echo("登记表为空：请用 gkaudit sites import 导入")


def _agencies(session):  # noqa: ANN001, ANN202
    """Return every agency row."""
    return session.exec(select(m.Agency)).all()


@sites.command("check")
@click.option(
    "--sites", "sites_file", type=click.Path(dir_okay=False, path_type=Path), help="检查该登记表（不导入）"
)
@click.option("--agency", help="只检查该机关")
@click.option("--time-limit", type=float, default=600, show_default=True, help="时限（秒）")
@scrapy_setting_option
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
def sites_check(
    sites_file: Path | None, agency: str | None, time_limit: float, overrides: tuple[str, ...], as_json: bool
) -> None:
    """把每个年报栏目列表页抓取一次，报告看到了什么（状态、年报链接、年度、分页）。"""
    if sites_file:
        try:
            entries = load_registry(sites_file)
        except RegistryError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            raise SystemExit(2) from exc
        entries = [s for s in entries if not agency or agency in (s.name, *s.aliases)]
    else:
        open_store()
        with store.session_scope() as session:
            entries = stored_sites(session, agency)
    if not entries:
        raise click.ClickException("没有可检查的机关")
    lines, error = collect(
        "sitecheck",
        {"sites": [s.as_dict() for s in entries]},
        sites=entries,
        time_limit=time_limit,
        settings=setting_overrides(overrides),
    )
    bad = 0
    for line in lines:
        if as_json:
            click.echo(json.dumps(line, ensure_ascii=False))
            continue
        if line.get("error"):
            bad += 1
            click.echo(f"✗ {line['agency']} {line['url']}：{line['error']}")
        elif line.get("status") != 200:
            bad += 1
            click.echo(f"✗ {line['agency']} {line['url']}：无法读取（HTTP {line['status']}）")
        elif not line.get("links"):
            bad += 1
            click.echo(f"✗ {line['agency']} {line['url']}：没有找到年报链接，请核对栏目网址或 selectors")
        else:
            years = "、".join(str(y) for y in line["years"])
            click.echo(
                f"✓ {line['agency']} {line['url']}：年报链接 {line['links']} 个（年度 {years}），共 {line['pages']} 页"
            )
    checked = {line["url"] for line in lines}
    for site in entries:
        for url in site.lists:
            if url not in checked:  # the process stopped before it
                bad += 1
                if not as_json:
                    click.echo(f"✗ {site.name} {url}：未抓取（检查中止）")
    if error:
        click.echo(error, err=True)
    if bad or error:
        raise SystemExit(1)


@sites.command("discover")
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="把建议的登记项写入该文件（YAML）"
)
@click.option("--max-pages", type=int, default=60, show_default=True, help="每个网站最多查看的页面数")
@click.option("--time-limit", type=float, default=600, show_default=True, help="时限（秒）")
@scrapy_setting_option
def sites_discover(
    urls: tuple[str, ...], out: Path | None, max_pages: int, time_limit: float, overrides: tuple[str, ...]
) -> None:
    """从机关网站首页（或信息公开页）出发，在本站内走几步，找出年报栏目，写出待确认的登记项。

    \b
    示例：
      gkaudit sites discover https://www.example.gov.cn/ --out 建议登记项.yaml
    """
    lines, error = collect(
        "discover",
        {"urls": list(urls), "max_pages": max_pages},
        hosts=hosts_of(list(urls)),
        time_limit=time_limit,
        settings=setting_overrides(overrides),
    )
    text = proposals(list(urls), lines)
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"已写入 {out}（请逐项确认机关名称、级别和区划后再导入）")
    else:
        click.echo(text)
    if error:
        click.echo(error, err=True)
    if not lines:
        raise SystemExit(1)


def proposals(homes: list[str], lines: list[dict]) -> str:
    """Return proposed registry entries (YAML with comments saying what was seen), one per home page."""
    parts = [
        "# gkaudit sites discover 生成的建议登记项：请核对机关名称、级别、区划后再 gkaudit sites import",
        "agencies:",
    ]
    for home in homes:
        found = sorted((x for x in lines if x["home"] == home), key=lambda x: (-x["links"], len(x["url"])))
        if not found:
            parts.append(f"# {home}：没有找到列出年报的页面")
            continue
        best = found[0]
        entry = {"name": best["site_title"] or "（待填写）", "level": "department", "lists": [best["url"]]}
        parts.append(
            f"# {home}：在“{' › '.join(best['path'])}”找到年报链接 {best['links']} 个（年度 "
            + "、".join(str(y) for y in best["years"])
            + f"），共 {best['pages']} 页"
        )
        for title in best["titles"]:
            parts.append(f"#   {title}")
        for other in found[1:4]:
            parts.append(f"#   另见 {other['url']}（{other['links']} 个）")
        parts.append(_indent(yaml.safe_dump([entry], allow_unicode=True, sort_keys=False)))
    return "\n".join(parts) + "\n"


def _indent(text: str) -> str:
    """Return YAML list text indented under ``agencies:``."""
    return "\n".join("  " + line for line in text.splitlines())
