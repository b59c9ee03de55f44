"""``gkaudit db upgrade|current``: the database schema (Alembic migrations)."""

from __future__ import annotations

import click

from audit.cli.common import EXIT_INTERNAL, error_reason, fail
from audit.store import db as store


@click.group("db")
def db() -> None:
    """数据库管理（结构迁移）。

    \b
    示例：
      gkaudit db upgrade      建库或升级到最新结构
      gkaudit db current      查看当前结构版本
    """


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="目标版本")
def db_upgrade(revision: str) -> None:
    """将数据库结构升级到最新版本（Alembic 迁移，可重复运行）。"""
    try:
        store.upgrade(revision=revision)
        current = store.current_revision()
    except Exception as exc:  # noqa: BLE001 - one line, password masked
        fail(f"数据库升级失败（{store.safe_url()}）：{error_reason(exc)}", EXIT_INTERNAL)
    click.echo(f"数据库已升级到版本 {current}：{store.safe_url()}")


@db.command("current")
def db_current() -> None:
    """显示数据库当前的结构版本。"""
    try:
        current = store.current_revision()
    except Exception as exc:  # noqa: BLE001
        fail(f"无法读取数据库（{store.safe_url()}）：{error_reason(exc)}", EXIT_INTERNAL)
    click.echo(f"当前版本：{current or '（空库）'}；最新版本：{store.head_revision()}")
