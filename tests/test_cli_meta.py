"""Meta-test over the command registry: every command loads and has a Chinese help text."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from audit.cli import COMMANDS, main

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
