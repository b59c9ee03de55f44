"""The nightly commands: ``gkaudit run`` (crawl + audit + outputs), ``gkaudit runs``, ``gkaudit demo``."""

from __future__ import annotations

import importlib
import json
import shutil
import threading
from dataclasses import asdict
from pathlib import Path

import click

from audit.cli import zh
from audit.cli.common import fail, open_store, out, scrapy_setting_option, setting_overrides
from audit.nightly import pipeline, record
from audit.nightly.console import Console
from audit.nightly.demo import run_demo
from audit.nightly.lock import LockHeld
from audit.nightly.pipeline import Options, PipelineResult


def run_now(options: Options, *, as_json: bool = False) -> int:
    """Run the pipeline once in this process (Ctrl-C stops after the current step); print it; return the exit code."""
    open_store()
    stop = threading.Event()
    try:
        with pipeline.stop_on_signals(stop):
            result = pipeline.run_pipeline(options, console=Console(), stop=stop)
    except LockHeld as exc:
        fail(f"本次未运行：{exc}；它结束后再试（或等待其运行锁失效）")
    _show(result, as_json)
    return result.exit_code


def _show(result: PipelineResult, as_json: bool) -> None:
    """Print a run: its summary, or one JSON object."""
    if as_json:
        obj = {"run_id": result.run_id, "status": result.status, "steps": [asdict(s) for s in result.steps]}
        click.echo(json.dumps(obj | {"released": result.released}, ensure_ascii=False))
        return
    for line in result.summary.splitlines():
        out(line)


@click.command("run")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="输出目录（默认为设置 GKAUDIT_OUT，即 reports_out）",
)
@click.option("--time-limit", type=float, help="抓取的总时限（秒，默认为设置 GKAUDIT_CRAWL_TIME_LIMIT）")
@click.option("--redis", "redis_url", help="分布式：共享抓取队列的 Redis（默认为设置 GKAUDIT_CRAWL_REDIS）")
@scrapy_setting_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出本次运行的结果")
def run(
    out_dir: Path | None,
    time_limit: float | None,
    redis_url: str | None,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """运行一次完整流程：抓取登记机关的年报 → 审核 → 输出整改通知、清单和看板（与定时任务相同）。

    同一数据库同时只能有一次运行（数据库中的运行锁，跨机器有效）；另一次运行正在进行时本次不运行。
    每一步的结果、计数和用时记入运行记录（gkaudit runs 查看）；某一步失败时其余步骤照常运行。
    按 Ctrl-C 在当前步骤结束后停止（抓取会保存已抓到的内容）。

    \b
    退出码：0 各步完成；1 有步骤失败或被停止；2 未运行（另一次运行正在进行）。
    示例：
      gkaudit run
      gkaudit run --out /srv/gkaudit/reports_out --time-limit 7200
    """
    options = Options(
        trigger="manual",
        out=out_dir,
        crawl_time_limit=time_limit,
        crawl_settings=setting_overrides(overrides),
        redis_url=redis_url,
    )
    raise SystemExit(run_now(options, as_json=as_json))


@click.command("runs")
@click.option("--limit", type=click.IntRange(1, 1000), default=5, show_default=True, help="显示最近几次")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
def runs(limit: int, as_json: bool) -> None:
    """查看最近几次运行（gkaudit run、定时任务、演示）的记录：每一步的结果、计数和用时。

    \b
    示例：
      gkaudit runs
      gkaudit runs --limit 20 --json
    """
    open_store()
    rows = record.recent_runs(limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    if not rows:
        out("还没有运行记录。")
    for row in rows:
        text = (
            row["summary"]
            or f"第 {row['id']} 次运行：{record.STATUS_NAMES.get(row['status'], row['status'])}"
        )
        for line in text.splitlines():
            out(line)
        out()


DEMO_MARK = ".gkaudit-demo"


def _fresh_folder(data: Path) -> None:
    """Empty the demo's data folder; refuse a folder the demo did not make (it may hold a real store)."""
    if data.exists() and any(data.iterdir()):
        if not (data / DEMO_MARK).exists():
            fail(f"目录 {data} 不是演示目录（里面已有其他文件），不会清空；请用 --data 指定一个新目录")
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    (data / DEMO_MARK).write_text("gkaudit demo 的数据目录，每次演示重建\n", encoding="utf-8")


class _DemoGroup(click.Group):
    """The ``demo`` group: ``serve`` (audit/cli/crawl.py, with the crawler's helpers) is imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the subcommands' names."""
        return ["serve"]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return ``serve``, importing it now."""
        if cmd_name != "serve":
            return None
        command = importlib.import_module("audit.cli.crawl").demo_serve
        zh.localise(command)
        return command


@click.group("demo", cls=_DemoGroup, invoke_without_command=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports_out"),
    show_default=True,
    help="整改通知、清单和看板的输出目录",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/demo"),
    show_default=True,
    help="演示用的数据目录（样本、网站、数据库；每次重建）",
)
@click.option("--agency", "agencies", multiple=True, help="只演示这些机关（样本中的名称，可重复）")
@click.pass_context
def demo(ctx: click.Context, out_dir: Path, data: Path, agencies: tuple[str, ...]) -> None:
    """演示：用项目自带的样本年报生成几个机关网站，在 127.0.0.1 上提供服务，对其运行完整流程。

    不需要仓库以外的任何文件，也不联网。第一夜抓取、审核、输出；随后向一家机关印发整改通知；
    第二夜该机关已发布更正版本，再次抓取、审核、输出（已更正的问题记为“已整改”）。最后说明整改
    通知、清单和看板在哪里，以及埋设的情形（逾期发布、未发布、附件链接失效、发布后更正、网站不带
    区划前缀的机关名称）各在何处。演示使用单独的 SQLite 数据库（--data），不碰正式数据库。

    \b
    示例：
      gkaudit demo
      gkaudit demo --out /tmp/演示 --agency 柳塘县人民政府 --agency 柳塘县自然资源和规划局
      gkaudit demo serve --manifest 样本/manifest.json --registry-out demo-sites.yaml   # 只提供网站
    """
    if ctx.invoked_subcommand is not None:
        return
    _fresh_folder(data)
    stop = threading.Event()
    try:
        with pipeline.stop_on_signals(stop):
            result = run_demo(out_dir, data, only=set(agencies) or None, console=Console(), stop=stop)
    except ValueError as exc:
        fail(str(exc))
    except LockHeld as exc:  # pragma: no cover - the demo's store is its own
        fail(f"本次未运行：{exc}")
    for night, run_result in enumerate(result.nights, start=1):
        out(f"—— 第 {night} 夜 ——")
        _show(run_result, as_json=False)
    for line in result.lines:
        out(line)
    if result.exit_code:
        raise SystemExit(result.exit_code)
