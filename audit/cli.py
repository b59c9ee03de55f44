"""The ``gkaudit`` command line (see spec/cli.md). Commands live in ``audit/cli_*.py`` modules."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gkaudit")
def main() -> None:
    """gkaudit：政府信息公开工作年度报告自动审核工具。"""


# Command registration: one line per module (keep this block at the end of the file).
from audit import cli_parse  # noqa: E402

main.add_command(cli_parse.parse)
from audit import cli_check  # noqa: E402

main.add_command(cli_check.check)
main.add_command(cli_check.rules)
from audit import cli_store  # noqa: E402

main.add_command(cli_store.ingest)
main.add_command(cli_store.audit)
main.add_command(cli_store.findings)
main.add_command(cli_store.finding)
main.add_command(cli_store.reports)
main.add_command(cli_store.db)
main.add_command(cli_store.copies)
main.add_command(cli_store.notice)
