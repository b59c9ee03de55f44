"""The crawler: a Scrapy project (``SCRAPY_SETTINGS_MODULE=crawler.settings``) that only fetches and archives.

``gkaudit crawl`` starts it in a subprocess (:mod:`crawler.launch` → ``python -m crawler``).
One base spider (:mod:`crawler.spiders.reports`) reads every registered agency's 年报 column with
the options of its site profile (:mod:`crawler.profiles`) and what :mod:`crawler.extract` reads
from pages; the downloader middlewares (:mod:`crawler.middlewares`) keep it polite, contained and
archived as WARC; the store pipeline (:mod:`crawler.pipelines`, :mod:`crawler.state`) records
every fetch and stores new document versions through ``audit.store.archive.store_document``.

To support a new kind of website: add a profile (crawler/profiles.py) naming only what differs
from the defaults; when it needs a new page convention, add the option to :class:`Profile` with a
default and read it in crawler/extract.py. To add a guard: a downloader middleware in
crawler/middlewares.py, placed in ``DOWNLOADER_MIDDLEWARES`` (crawler/settings.py), tested offline
in tests/test_crawler_units.py and against a hostile server in tests/test_crawl_hostile.py.
"""
