"""The ``gkaudit`` command line (see spec/cli.md). Commands live in ``audit/cli_*.py`` modules.

Commands are imported only when they run (click's lazy-loading pattern), so ``gkaudit parse`` does
not pay for SQLAlchemy and ``gkaudit findings`` does not pay for durable-rules.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute"; add new commands here
COMMANDS: dict[str, str] = {
    "parse": "audit.cli.parse:parse",
    "check": "audit.cli.check:check",
    "rules": "audit.cli.check:rules",
    "ingest": "audit.cli.store:ingest",
    "audit": "audit.cli.store:audit",
    "findings": "audit.cli.store:findings",
    "finding": "audit.cli.store:finding",
    "reports": "audit.cli.store:reports",
    "db": "audit.cli.store:db",
    "copies": "audit.cli.store:copies",
    "notice": "audit.cli.store:notice",
    "crawl": "audit.cli.crawl:crawl",
    "sites": "audit.cli.sites:sites",
    "demo": "audit.cli.crawl:demo",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

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
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gkaudit")
def main() -> None:
    """gkaudit：政府信息公开工作年度报告自动审核工具。"""
