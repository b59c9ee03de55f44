"""The spiders: :mod:`crawler.spiders.reports` (the nightly crawl, one base spider configured by site
profiles), :mod:`crawler.spiders.sites` (``gkaudit sites check`` and ``sites discover``).

To add a spider: subclass ``scrapy.Spider`` in a module here with a unique ``name``, register it in
:data:`SPIDERS`, let ``python -m crawler`` accept its arguments, and test that it yields requests
offline (tests/test_crawler_profiles.py).
"""

from __future__ import annotations

from crawler.spiders.reports import ReportSpider
from crawler.spiders.sites import DiscoverSpider, SiteCheckSpider

#: spider name -> class, as ``python -m crawler NAME`` runs it
SPIDERS = {s.name: s for s in (ReportSpider, SiteCheckSpider, DiscoverSpider)}
