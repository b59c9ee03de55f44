"""The demo portals: agency websites built from report documents, served on 127.0.0.1.

``gkaudit demo serve`` builds the sites (:mod:`audit.demo.portals`), serves them
(:mod:`audit.demo.server`) and writes the registry that names them, so the whole pipeline runs
against them without any network: ``gkaudit crawl --sites REGISTRY`` then ``gkaudit audit``.

To add a CMS convention: add a style to :data:`audit.demo.portals.STYLES` with its paths
(``_paths``, ``list_path``), its page and list markup, and a site of that style to the crawl
integration test (tests/test_crawl_demo.py), which states the expected counts.
"""

from __future__ import annotations

import yaml

from audit.demo.portals import DemoSite, list_path
from audit.demo.server import Portals


def registry_text(sites: list[DemoSite], portals: Portals) -> str:
    """Return the registry (YAML, spec/cli.md) naming the served demo sites."""
    profiles = {"trs": "trs", "hanweb": "hanweb", "gkmlpt": "gkmlpt"}
    entries = []
    for site in sites:
        entry = {
            "name": site.agency,
            "region": site.region,
            "level": site.level,
            "lists": [portals.base(site.slug) + list_path(site)],
            "profile": profiles.get(site.style, "generic"),
        }
        if site.printed_name:
            entry["aliases"] = [site.printed_name]
        entries.append(entry)
    return yaml.safe_dump({"agencies": entries}, allow_unicode=True, sort_keys=False)
