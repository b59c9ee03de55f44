"""Scrapy settings of the crawl (``SCRAPY_SETTINGS_MODULE=crawler.settings``): polite and contained.

Every setting below is a default; ``python -m crawler`` adds the registry's hosts and the crawl
run, and ``gkaudit crawl -s NAME=VALUE`` overrides any of them (tests use short timeouts).
The User-Agent, the timeout and the size limit come from the product's settings
(:mod:`audit.settings`: ``crawl_user_agent``, ``crawl_timeout``, ``crawl_maxsize``).

To add a setting: add it here with a comment saying why its value, and to the README's table
when it is read from the environment.
"""

from __future__ import annotations

from audit.settings import get_settings

_SETTINGS = get_settings()
BOT_NAME = "gkaudit"
SPIDER_MODULES = ["crawler.spiders"]

# The User-Agent names the office that crawls and why, so that a site's administrator knows whom
# to call. Set the crawl_user_agent setting to the office's name and contact in production.
USER_AGENT = _SETTINGS.crawl_user_agent

# Polite: robots.txt obeyed; at most 2 requests at a time per host, throttled by the server's latency.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16  # across many small sites
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # small government servers

# Contained: time, size and redirects are bounded; cookies and the telnet console are off.
DOWNLOAD_TIMEOUT = _SETTINGS.crawl_timeout  # the default 180 s is too long
DOWNLOAD_MAXSIZE = _SETTINGS.crawl_maxsize  # a report is rarely over 20 MB
DOWNLOAD_WARNSIZE = 10 * 2**20
DOWNLOAD_FAIL_ON_DATALOSS = True  # a body shorter than its Content-Length is an error, not a document
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 40  # list pages are also capped per list by the profile's max_list_pages
RETRY_ENABLED = True
RETRY_TIMES = 2
GK_RETRY_BACKOFF = 2.0  # seconds before the first retry, doubled for each next one
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DNSCACHE_ENABLED = True
DNS_TIMEOUT = 20
TWISTED_DNS_RESOLVER = "crawler.middlewares.GuardedResolver"

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.HostGuard": 50,  # before robots.txt, so no request of any kind leaves
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxt": 100,  # Scrapy's, fixed: concurrent first requests obey it too
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetry": 550,
    "crawler.middlewares.ConditionalRequests": 560,
    "crawler.middlewares.Charset": 570,  # responses pass 590 (decompression) first, then 580, then 570
    "crawler.middlewares.WarcArchive": 580,
}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}

# Filled in by ``python -m crawler`` from the registry and the store.
GK_ALLOWED_HOSTS: list[str] = []  # hosts of the list URLs and of ``hosts:``
GK_EXPLICIT_HOSTS: list[str] = []  # hosts that may resolve to internal addresses
GK_CRAWL_RUN: int | None = None  # the CrawlRun row this process reports to
GK_WARC_DIR = ""  # where WARC files go (default <data>/warc)
GK_IDLE_SECONDS = 0  # distributed mode: wait this long on an empty shared frontier before closing

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"


def redis_settings(url: str, frontier: str) -> dict:
    """Return the settings that move the frontier to Redis (scrapy-redis), keys under ``frontier``.

    Every worker of one night uses the same ``frontier`` name: they share one request queue and
    one dupefilter, so each URL is fetched once between them. The keys persist (a worker that
    finishes early must not clear the dupefilter under the others): use a new ``frontier`` name
    each night (the date) and delete old keys with redis-cli (README).
    """
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": f"{frontier}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{frontier}:dupefilter",
        "REDIS_URL": url,
        "GK_IDLE_SECONDS": 10,
    }
