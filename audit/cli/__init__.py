"""The ``gkaudit`` command line: click commands and their formatting only.

Commands are imported only when they run (click's lazy-loading pattern), so ``gkaudit parse`` does
not pay for SQLAlchemy and ``gkaudit findings`` does not pay for durable-rules. Every message is
Chinese (:mod:`audit.cli.zh` translates click's own). An expected failure is one Chinese line and a
non-zero exit; an unexpected one is logged with its traceback to the log file under the data
directory and reported as one line naming that file; credentials are masked in both.

To add a command: write it in a module of this package (formatting only; reads go through
``audit.store.queries``, writes through the store's functions), add it to :data:`COMMANDS`, give it a
Chinese help text with an example; tests/test_cli_meta.py checks that every command has help.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from audit.cli import zh
from audit.cli.common import EXIT_INPUT, EXIT_INTERNAL, error_reason
from audit.logs import current_log, mask, safe
from audit.settings import SettingsError, get_settings

zh.install()
log = logging.getLogger("audit.cli")

# command name -> "module:attribute"; add new commands here
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

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; turn a failure it did not expect into one Chinese line."""
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
