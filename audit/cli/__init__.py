"""The ``gkaudit`` command line: click commands and their formatting only.

Commands are imported only when they run (click's lazy-loading pattern), so ``gkaudit parse`` does
not pay for SQLAlchemy and ``gkaudit findings`` does not pay for durable-rules; ``gkaudit --help``
imports none of them (their first help lines are in :data:`SUMMARIES`) and no settings. Every message is
Chinese (:mod:`audit.cli.zh` translates click's own). An expected failure is one Chinese line and a
non-zero exit; an unexpected one is logged with its traceback to the log file under the data
directory and reported as one line naming that file; credentials are masked in both.

To add a command: write it in a module of this package (formatting only; reads go through
``audit.store.queries``, writes through the store's functions), add it to :data:`COMMANDS`, give it a
Chinese help text with an example, and its first line to :data:`SUMMARIES`; tests/test_cli_meta.py
checks that every command has help and that its summary is its own.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from audit.cli import zh
from audit.cli.common import EXIT_INPUT, EXIT_INTERNAL, error_reason
from audit.logs import current_log, mask, safe

zh.install()
log = logging.getLogger("audit.cli")

# command name -> "module:attribute"; add new commands here, with their line in SUMMARIES
COMMANDS: dict[str, str] = {
    "parse": "audit.cli.parse:parse",
    "check": "audit.cli.check:check",
    "rules": "audit.cli.check:rules",
    "ingest": "audit.cli.ingest:ingest",
    "audit": "audit.cli.ingest:audit",
    "findings": "audit.cli.findings:findings",
    "finding": "audit.cli.findings:finding",
    "reports": "audit.cli.reports:reports",
    "copies": "audit.cli.reports:copies",
    "notice": "audit.cli.reports:notice",
    "db": "audit.cli.db:db",
    "notices": "audit.cli.notices:notices",
    "ledger": "audit.cli.ledger:ledger",
    "crawl": "audit.cli.crawl:crawl",
    "sites": "audit.cli.sites:sites",
    "demo": "audit.cli.run:demo",
    "run": "audit.cli.run:run",
    "runs": "audit.cli.run:runs",
}
# The first line of each command's help, as ``gkaudit --help`` lists it without importing the
# command (tests/test_cli_meta.py checks that each is the command's own).
SUMMARIES: dict[str, str] = {
    "audit": "解析并审核新增或变更的报告，更新问题台账。",
    "check": "审核年度报告：输出规则检查发现的问题。",
    "copies": "列出同一年度不同机关年报正文雷同的分组（去除模板句后比对）。",
    "crawl": "抓取登记机关的年报栏目，把新发布或变更的年报存入报告库。",
    "db": "数据库管理（结构迁移）。",
    "demo": "演示：用项目自带的样本年报生成几个机关网站，在 127.0.0.1 上提供服务，对其运行完整流程。",
    "finding": "对单个问题作出人工处理决定（确认、误报、接受），或查看其全部证据。",
    "findings": "列出问题台账中的问题。",
    "ingest": "把通过邮件、上传等方式收到的报告存入库中（与抓取所得同等对待）。",
    "ledger": "整改清单（问题台账）：导出为 XLSX，导入机关填写的状态和答复。",
    "notice": "登记已发出的整改通知（整改时限自通知日期起按工作日计算）。",
    "notices": "生成整改通知（HTML、Word）、整改清单（XLSX）、通报和看板；子命令管理整改通知的起草、审核、印发和回执。",
    "parse": "解析一份年度报告，输出章节、表格单元格和解析异常。",
    "reports": "列出库中的报告：每个机关每年度一行（最新版本）。",
    "rules": "规则目录：列出规则、解释单条规则，校验本地规则包，预览规则变更对库中问题的影响。",
    "run": "运行一次完整流程：抓取登记机关的年报 → 审核 → 输出整改通知、清单和看板（与定时任务相同）。",
    "runs": "查看最近几次运行（gkaudit run、定时任务、演示）的记录：每一步的结果、计数和用时。",
    "sites": "机关登记表：导入、查看、检查年报栏目，以及从网站首页发现年报栏目。",
}


def _describe(exc: BaseException) -> str:
    """Return one Chinese line for an exception a command did not handle."""
    try:
        from sqlalchemy.exc import OperationalError, SQLAlchemyError
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        OperationalError = SQLAlchemyError = ()  # type: ignore[assignment,misc]
    if isinstance(exc, OperationalError):
        reason = error_reason(exc)
        if "readonly" in reason or "read-only" in reason:
            return "数据库为只读，不能修改（只能查看）"
        return f"无法访问数据库：{reason}"
    if isinstance(exc, SQLAlchemyError):
        return f"数据库操作失败：{type(exc).__name__}"
    if isinstance(exc, PermissionError):
        return f"没有权限：{exc.filename or exc}"
    if isinstance(exc, OSError):
        return f"文件系统错误：{exc.strerror or exc}{f'（{exc.filename}）' if exc.filename else ''}"
    return f"内部错误：{type(exc).__name__}: {exc}"


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use and whose failures are one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the names of all commands, sorted."""
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command called ``cmd_name``, importing its module when needed."""
        if cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
            zh.localise(command)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their :data:`SUMMARIES` (importing none of them)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in COMMANDS:
                summary = click.Command(name, help=SUMMARIES.get(name, ""))  # a stand-in: same shortening
                rows.append((name, summary.get_short_help_str(limit)))
            else:
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
        with formatter.section(zh.MESSAGES["Commands"]):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; turn a failure it did not expect into one Chinese line."""
        from audit.settings import SettingsError, get_settings  # not for ``gkaudit --help``

        try:
            get_settings()
        except SettingsError as exc:
            click.echo(f"错误：{safe(exc)}", err=True)
            sys.exit(EXIT_INPUT)
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except SettingsError as exc:
            click.echo(f"错误：{safe(exc)}", err=True)
            sys.exit(EXIT_INPUT)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, traceback to the log
            log.exception("command failed: %s", " ".join(sys.argv[1:]))
            logfile = current_log()
            where = f"（详情见日志 {logfile}）" if logfile else ""
            click.echo(f"错误：{safe(mask(_describe(exc)))}{where}", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[选项]"
)
@click.version_option(package_name="gkaudit", message="%(prog)s，版本 %(version)s")
def main() -> None:
    """gkaudit：政府信息公开工作年度报告自动审核工具。

    \b
    常用命令：
      gkaudit check 报告.pdf                 不用数据库，直接审核一份报告
      gkaudit ingest 报告.pdf --agency 机关   把收到的报告存入库中
      gkaudit audit                          审核库中新增或变更的报告
      gkaudit findings --status 待整改        查看问题台账
      gkaudit demo                           演示：对本机演示网站运行完整流程
      gkaudit run                            抓取、审核、输出（与每晚的定时任务相同）
    每个命令都可加 --help 查看说明和示例。
    """


main.subcommand_metavar = "命令 [参数]..."
