"""Command line: ``python -m audit.sample OUT_DIR [--seed N] [--count N]``."""

from __future__ import annotations

import time

import click

from audit.sample import MANIFEST, write_sample


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=0, show_default=True, help="随机种子（相同种子生成相同文件）")
@click.option("--count", type=click.IntRange(min=1), help="生成的报告份数（默认：项目自带的精选样本）")
def main(out_dir: str, seed: int, count: int | None) -> None:
    """生成样本年报（含已知缺陷）及其清单 manifest.json。

    \b
    示例：
      python -m audit.sample data/sample/docs
      python -m audit.sample /tmp/bench --count 2000 --seed 7
    """
    started = time.perf_counter()
    path = write_sample(out_dir, seed=seed, count=count)
    n = sum(1 for p in path.parent.iterdir() if p.name != MANIFEST)
    click.echo(f"已生成 {n} 份报告及清单 {path}（用时 {time.perf_counter() - started:.1f} 秒）")


if __name__ == "__main__":
    main()
