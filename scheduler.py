"""Nightly schedule for gkaudit (placeholder until issue G builds the crawl + audit pipeline).

Running it today only says so; the scheduler proper (APScheduler 3.x, cron trigger in
Asia/Shanghai, coalesce, one instance, the crawl in a subprocess) comes with the crawler.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Explain that the nightly pipeline is not built yet and exit with status 2."""
    print(
        "定时任务尚未实现：抓取与整改流水线将在后续版本提供。当前可使用 gkaudit check / gkaudit parse。",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
