"""The demo portals: agency websites built from report documents, served on 127.0.0.1.

``gkaudit demo serve`` builds the sites (:mod:`audit.demo.portals`), serves them
(:mod:`audit.demo.server`) and writes the registry that names them, so the whole pipeline runs
against them without any network: ``gkaudit crawl --sites REGISTRY`` then ``gkaudit audit``.

To add a CMS convention: add a style to :data:`audit.demo.portals.STYLES` with its paths
(``_paths``, ``list_path``), its page and list markup, and a site of that style to the crawl
integration test (tests/test_crawl_demo.py), which states the expected counts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from audit.demo.portals import STYLES, DemoDocument, DemoSite, list_path
from audit.demo.server import Portals


def registry_text(sites: list[DemoSite], portals: Portals) -> str:
    """Return the registry (YAML, docs/cli.md) naming the served demo sites."""
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


def sites_from_manifest(data: dict | list, base: Path) -> list[DemoSite]:
    """Return the demo sites a manifest describes (file paths relative to ``base``).

    Either ``{"sites": [{agency, level, region, style, encoding?, printed_name?, documents: [...]}]}``
    or a list of documents ``{agency, year, level?, region?, kind|format, published_on|date, file,
    broken?, corrected_file?, corrected_on?}``; the agencies of a plain list get the styles in
    turn, and the second one is GBK-encoded.
    """
    if isinstance(data, dict) and "sites" in data:
        specs = data["sites"]
    else:
        rows = data["documents"] if isinstance(data, dict) else data
        grouped: dict[str, dict] = {}
        for row in rows:
            spec = grouped.setdefault(
                row["agency"],
                {
                    "agency": row["agency"],
                    "level": row.get("level") or "department",
                    "region": row.get("region") or "640500",
                },
            )
            spec.setdefault("documents", []).append(row)
        specs = list(grouped.values())
        for i, spec in enumerate(specs):
            spec.setdefault("style", STYLES[i % len(STYLES)])
            if i == 1:
                spec.setdefault("encoding", "gbk")
    sites = []
    for spec in specs:
        docs = [
            DemoDocument(
                year=int(d["year"]),
                data=(base / d["file"]).read_bytes(),
                kind=_kind(d.get("kind") or d.get("format") or Path(d["file"]).suffix.lstrip(".")),
                published_on=date.fromisoformat(d.get("published_on") or d["date"]),
                broken=bool(d.get("broken")),
                corrected=(base / d["corrected_file"]).read_bytes() if d.get("corrected_file") else None,
                corrected_on=date.fromisoformat(d["corrected_on"]) if d.get("corrected_on") else None,
            )
            for d in spec.get("documents", [])
        ]
        sites.append(
            DemoSite(
                agency=spec["agency"],
                level=spec.get("level") or "department",
                region=str(spec.get("region") or "640500"),
                style=spec.get("style") or "generic",
                documents=docs,
                encoding=spec.get("encoding") or "utf-8",
                printed_name=spec.get("printed_name"),
            )
        )
    return sites


def _kind(name: str) -> str:
    """Return the demo kind of a document format name (txt → text)."""
    name = name.lower()
    return {"txt": "text", "htm": "html"}.get(name, name)
