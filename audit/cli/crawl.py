"""The crawl commands: ``gkaudit crawl`` (fetch new or changed reports) and ``gkaudit demo serve``.

``demo_serve`` is a subcommand of the ``gkaudit demo`` group (audit/cli/run.py).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import click

from audit.cli.common import scrapy_setting_option, setting_overrides
from audit.cli.sites import load_and_import, open_store
from audit.demo import registry_text, sites_from_manifest
from audit.demo.portals import build
from audit.demo.server import Portals
from audit.registry import stored_sites
from audit.store import db as store
from crawler.launch import DEFAULT_TIME_LIMIT
from crawler.launch import crawl as run_crawl


@click.command("crawl")
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="机关登记表（YAML 或 CSV）：先导入报告库，再只抓取其中的机关",
)
@click.option("--agency", help="只抓取该机关（名称或别名）")
@click.option(
    "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, show_default=True, help="整次抓取的时限（秒）"
)
@click.option("--redis", "redis_url", help="分布式：共享抓取队列的 Redis，如 redis://127.0.0.1:6379/0")
@click.option(
    "--frontier", default="gkaudit", show_default=True, help="分布式：本夜队列名（同一夜各进程相同，如日期）"
)
@scrapy_setting_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出本次抓取的统计")
def crawl(
    sites_file: Path | None,
    agency: str | None,
    time_limit: float,
    redis_url: str | None,
    frontier: str,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """抓取登记机关的年报栏目，把新发布或变更的年报存入报告库。

    抓取在子进程中运行（有时限）：先读各机关的年报列表页（含分页），再读年报页面和附件；
    以前抓过的网址用条件请求复查，未变的不再下载、不再审核，变更的存为新版本，已失效的记录在案
    （审核时记为 TL04）。只访问登记表中的主机，遵守 robots.txt。

    \b
    示例：
      gkaudit crawl --sites 机关登记表.yaml
      gkaudit crawl --agency 中卫市财政局 --time-limit 600
      gkaudit crawl --redis redis://127.0.0.1:6379/0 --frontier 2024-06-01   # 多个进程共享队列
    """
    open_store()
    names = [s.name for s in load_and_import(sites_file)] if sites_file else None
    with store.session_scope() as session:
        sites = stored_sites(session, agency)
    if names is not None:
        sites = [s for s in sites if s.name in names]
    if not sites:
        raise click.ClickException(
            "没有可抓取的机关：请先用 gkaudit sites import 导入登记表"
            + (f"（或核对机关名称“{agency}”）" if agency else "")
        )
    result = run_crawl(
        sites,
        time_limit=time_limit,
        settings=setting_overrides(overrides),
        redis_url=redis_url,
        frontier=frontier,
    )
    if as_json:
        click.echo(json.dumps(result.__dict__, ensure_ascii=False))
    else:
        click.echo(result.summary())
    if result.status in ("failed", "timeout"):
        raise SystemExit(1)


@click.command("serve")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="样本清单 JSON：机关、年度、级别、格式、发布日期、文件（见 README）",
)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="网站文件目录（默认临时目录）")
@click.option(
    "--registry-out", type=click.Path(dir_okay=False, path_type=Path), help="把指向演示网站的登记表写入该文件"
)
@click.option(
    "--night", type=int, default=1, show_default=True, help="网站处于第几夜的状态（2：已发布更正版）"
)
@click.option(
    "--port", type=int, default=0, show_default=True, help="第一个网站的端口，其余依次加一（0：随机）"
)
@click.option("--seconds", type=float, default=0, help="服务多少秒后退出（0：直到 Ctrl-C）")
def demo_serve(
    manifest: Path, root: Path | None, registry_out: Path | None, night: int, port: int, seconds: float
) -> None:
    """生成演示网站并在 127.0.0.1 上提供服务（每个网站一个端口），同时写出登记表。

    \b
    示例：
      gkaudit demo serve --manifest sample/manifest.json --registry-out demo-sites.yaml
      gkaudit crawl --sites demo-sites.yaml && gkaudit audit && gkaudit findings
    """
    sites = sites_from_manifest(json.loads(manifest.read_text(encoding="utf-8")), manifest.parent)
    base = root or Path(tempfile.mkdtemp(prefix="gkaudit-demo-"))
    build(sites, base, night=night)
    portals = Portals(sites, base, [port + i for i in range(len(sites))] if port else None)
    text = registry_text(sites, portals)
    if registry_out:
        registry_out.write_text(text, encoding="utf-8")
    for site in sites:
        click.echo(f"{site.agency}：{portals.base(site.slug)}（{site.style}）")
    click.echo(f"登记表：{registry_out}" if registry_out else text)
    try:
        deadline = time.monotonic() + seconds if seconds else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        portals.close()
