"""The project's own sample: generated annual reports with planted defects and known findings.

``python -m audit.sample OUT_DIR [--seed N] [--count N]`` writes the reports and ``manifest.json``.
Without ``--count`` it writes the curated sample (six invented agencies, 2023–2025 and a 2019-form
report, every medium, each planted defect once): ``make run`` audits it and the tests check that
every planted defect is found and nothing else. With ``--count N`` it writes N distinct reports of
invented agencies with defects drawn at random, for benchmarks and demo portals.

The manifest states for each document its agency, year, level, form, medium, encoding,
publication date, address and the exact findings (rule id and locator) a correct audit gives;
``missing`` lists the agencies the store must report without a report (TL02) on ``as_of``.

The parts, in the order a report is made:

- ``agencies``: the invented agencies (name, kind → level, region, portal);
- ``plan``: which reports (agency, year, form, medium, defects);
- ``figures``: tables 2–4 that balance and continue last year's;
- ``defects``: the defects and the findings each must give;
- ``wording`` with ``templates/phrases.yaml``: the narrative;
- ``document``: the draft (sections and form tables with merged cells);
- ``render`` (``text``, ``html`` with ``templates/*.html``, ``docx``, ``pdf``) and ``page``:
  the published documents and their addresses;
- ``build``: the whole chain.

Recipes: a new defect goes into ``defects.DEFECTS`` (see its docstring); new wording into
``templates/phrases.yaml`` (keep Latin letters out); a new medium into ``render``; a new kind
of agency into ``agencies.KINDS`` with its magnitudes in ``figures``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from audit.sample.build import Document, build, missing_reports
from audit.sample.defects import DEFECTS
from audit.sample.plan import AS_OF

MANIFEST = "manifest.json"
__all__ = ["AS_OF", "MANIFEST", "Document", "build", "manifest", "missing_reports", "write_sample"]


def _media_fields(doc: Document) -> dict[str, str]:
    medium = doc.job.medium
    if medium.startswith("html-"):
        return {"format": "html", "cms": medium.removeprefix("html-"), "encoding": doc.job.encoding}
    return {"format": medium, "encoding": "utf-8" if medium == "text" else "binary"}


def manifest(docs: list[Document], *, seed: int, count: int | None, as_of: date = AS_OF) -> dict:
    """Return the manifest of a generated sample (see the module docstring)."""
    agencies = {d.job.agency.slug: d.job.agency for d in docs}
    return {
        "generator": "audit.sample",
        "seed": seed,
        "count": count,
        "as_of": as_of.isoformat(),
        "agencies": [
            {"name": a.name, "slug": a.slug, "level": a.level, "region": a.region, "host": a.host}
            for a in sorted(agencies.values(), key=lambda a: a.slug)
        ],
        "documents": [
            {
                "file": d.file,
                "agency": d.job.agency.name,
                "year": d.job.year,
                "level": d.job.agency.level,
                "form": d.job.form,
                **_media_fields(d),
                "published_on": d.job.published_on.isoformat(),
                "url": d.url,
                "defects": [{"name": n, "title": DEFECTS[n].title} for n in d.job.defects],
                "findings": [{"rule": r, "locator": loc} for r, loc in d.findings],
            }
            for d in docs
        ],
        "missing": [
            {"agency": a.name, "year": y, "findings": [{"rule": "TL02", "locator": "report"}]}
            for a, y in missing_reports(docs, as_of)
        ],
    }


def write_sample(out_dir: str | Path, *, seed: int = 0, count: int | None = None) -> Path:
    """Write the generated reports and ``manifest.json`` into ``out_dir``; return the manifest's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = build(seed, count)
    for doc in docs:
        (out / doc.file).write_bytes(doc.data)
    path = out / MANIFEST
    text = json.dumps(manifest(docs, seed=seed, count=count), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
    return path
