"""Meta-test over the command registry: every command loads and has a Chinese help text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from audit.cli import COMMANDS, SUMMARIES, main

ROOT = Path(__file__).resolve().parents[1]

CJK = re.compile(r"[\u4e00-\u9fff]")


def _walk(cmd: click.Command, path: tuple[str, ...]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(click.Context(cmd)):
            yield from _walk(cmd.get_command(click.Context(cmd), name), (*path, name))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_chinese_help(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    for path, sub in _walk(command, (name,)):
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, result.output
        assert CJK.search(sub.help or ""), f"gkaudit {' '.join(path)} 没有中文帮助"


def test_unknown_command_is_a_clear_error() -> None:
    result = CliRunner().invoke(main, ["nosuch"])
    assert result.exit_code == 2
    assert "nosuch" in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_summary_is_the_commands_own(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert SUMMARIES[name] == command.get_short_help_str(limit=1000), f"请更新 SUMMARIES[{name!r}]"


def test_top_level_help_imports_no_command_settings_or_database() -> None:
    probe = (
        "import sys\n"
        "from audit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'pydantic_settings', 'audit.settings', 'scrapy', 'durable',"
        " 'rules', 'audit.rulebook', 'audit.store.db', 'audit.cli.check', 'audit.cli.ingest')\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr
    assert "命令:" in done.stdout or "命令：" in done.stdout
    for name, summary in SUMMARIES.items():
        assert name in done.stdout and summary[:6] in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "LOADED []"


def test_jobs_must_be_a_positive_number() -> None:
    result = CliRunner().invoke(main, ["audit", "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output
