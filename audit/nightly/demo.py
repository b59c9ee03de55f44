"""``gkaudit demo``: the whole pipeline against demo portals built from the project's own sample.

:func:`run_demo` needs nothing beside the repository and no network:

1. writes the generated sample (:mod:`audit.sample`) into a fresh data folder, with a fresh
   SQLite store there (``GKAUDIT_DATA``, ``DATABASE_URL`` and ``GKAUDIT_TODAY`` = the sample's
   ``as_of`` are set for the demo and restored afterwards);
2. turns the sample into agency websites (:func:`plan_sites`: one site per agency in the URL and
   page conventions of TRS, Hanweb (GBK), 集约化平台 and a plain site) and serves them on
   127.0.0.1 (:mod:`audit.demo`); imports the registry that names them;
3. night 1: crawl → audit → render (:func:`audit.nightly.pipeline.run_pipeline`); then the office
   issues a 整改通知 to the agency whose report gets corrected (drafted, approved, sent);
4. night 2: that agency has published a corrected report at the same address; crawl → audit →
   render again: the corrected findings are closed as 已整改, both versions kept;
5. says where the notices, lists and dashboard are, and where each planted case shows.

Besides what the sample plants (a late report: TL01; an agency that never publishes its 2025
report: TL02), the portals plant (:data:`PLANTED`): a broken attachment link (TL04), a report
corrected after publication, and an agency whose site prints its name without the region prefix
(registered with that name as an alias).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlmodel import select

from audit.demo import registry_text
from audit.demo.portals import STYLES, DemoDocument, DemoSite, build
from audit.demo.server import Portals
from audit.logs import setup_logging
from audit.nightly.console import Console
from audit.nightly.pipeline import Options, PipelineResult, run_pipeline
from audit.registry import import_sites, parse_yaml
from audit.render.office import office
from audit.sample import write_sample
from audit.sample.build import build as build_sample
from audit.sample.plan import curated_plan
from audit.store import db as store
from audit.store import notices as life
from audit.store import tables as m

#: Site style of each sample agency (the others: their CMS, else a plain site).
STYLE_OF = {"linxi-zone": "gkmlpt", "baisha-town": "generic"}
#: The planted cases of the portals: the agency (sample slug), the year and what is planted.
BROKEN = ("liutang-nr", 2022, date(2023, 1, 18))  # a 2022 report whose attachment link answers 404
CORRECTED = ("liutang-nr", 2023)  # republished without its defects on night 2
SHORT_NAME = "liutang-nr"  # its site prints the name without the region prefix
#: What the demo must show: (agency slug, year, rule) → what it is, in Chinese.
PLANTED = {
    ("liutang-gov", 2025, "TL01"): "逾期发布",
    ("liutang-nr", 2025, "TL02"): "期限届满未发布",
    ("liutang-nr", 2022, "TL04"): "年报附件链接失效",
}
#: Crawl settings for the portals on 127.0.0.1 (they are ours: no politeness delays needed).
FAST_CRAWL = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "GK_RETRY_BACKOFF": "0",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "10",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
}
_CHARSET_RE = re.compile(r"charset=[\"']?[\w-]+", re.I)


@dataclass
class DemoResult:
    """What the demo did: both nights' runs, the outputs, and what it says about the planted cases."""

    nights: list[PipelineResult]
    out: Path
    data: Path
    as_of: date
    lines: list[str] = field(default_factory=list)  # the closing report, in Chinese

    @property
    def exit_code(self) -> int:
        """Return 0 when both nights ran every step."""
        return max(n.exit_code for n in self.nights)


@contextmanager
def demo_environment(data: Path, today: date) -> Iterator[None]:
    """Point the store at a fresh SQLite database under ``data`` with today frozen; restore afterwards."""
    with store.environment(
        GKAUDIT_DATA=str(data),
        DATABASE_URL=f"sqlite:///{data / 'gkaudit.sqlite'}",
        GKAUDIT_TODAY=today.isoformat(),
    ):
        yield


def _html(data: bytes, encoding: str, site_encoding: str) -> bytes:
    """Return a sample page as the site serves it: in the site's encoding, declared as such (UTF-8 bytes in)."""
    text = data.decode("gb18030" if encoding == "gbk" else "utf-8")
    return _CHARSET_RE.sub(f"charset={site_encoding}", text, count=1).encode("utf-8")


def corrected_report(seed: int, slug: str, year: int) -> bytes:
    """Return the sample's report of ``slug`` for ``year`` rebuilt without its planted defects."""
    plans = [p for p in curated_plan() if p.agency.slug == slug and p.year <= year]
    fixed = [replace(p, defects=()) if p.year == year else p for p in plans]
    return next(d.data for d in build_sample(seed, plans=fixed) if d.job.year == year)


def plan_sites(manifest: dict, folder: Path, only: set[str] | None = None) -> list[DemoSite]:
    """Return the demo sites of a sample (its files in ``folder``), planted cases included."""
    slug_of = {a["name"]: a["slug"] for a in manifest["agencies"]}
    cms = {p.agency.slug: p.agency for p in curated_plan()}
    sites = []
    for agency in manifest["agencies"]:
        if only and agency["name"] not in only:
            continue
        slug = agency["slug"]
        rows = [d for d in manifest["documents"] if slug_of[d["agency"]] == slug]
        encoding = "gbk" if any(d["format"] == "html" and d["encoding"] == "gbk" for d in rows) else "utf-8"
        docs = []
        for d in rows:
            data, kind = (folder / d["file"]).read_bytes(), d["format"]
            if kind == "html":
                data = _html(data, d["encoding"], encoding)
            day = date.fromisoformat(d["published_on"])
            doc = DemoDocument(d["year"], data, kind, day)
            if (slug, d["year"]) == CORRECTED:  # republished at the same address on the sample's day
                doc.corrected = corrected_report(manifest["seed"], slug, d["year"])
                doc.corrected_on = date.fromisoformat(manifest["as_of"])
            docs.append(doc)
        if slug == BROKEN[0]:
            docs.append(DemoDocument(BROKEN[1], b"", "pdf", BROKEN[2], broken=True))
        style = STYLE_OF.get(slug) or (
            cms[slug].cms if slug in cms and cms[slug].cms in STYLES else "generic"
        )
        region = agency["region"] if len(agency["region"]) in (6, 12) else agency["region"].ljust(12, "0")
        short = agency["name"].removeprefix(cms[slug].place) if slug == SHORT_NAME and slug in cms else None
        sites.append(
            DemoSite(agency["name"], agency["level"], region, style, docs, encoding, short or None, slug=slug)
        )
    return sites


def _issue_notice(agency: str, today: date) -> str:
    """Draft, approve and send a 整改通知 of all open findings of ``agency``; return its 文号."""
    with store.session_scope() as session:
        owner = session.exec(select(m.Agency).where(m.Agency.name == agency)).one()
        notice = life.draft(session, agency=owner, actor="演示起草人")
        life.approve(session, notice.id, actor="演示审核人", on=today, prefix=office().prefix)  # type: ignore[arg-type]
        sent = life.send(session, notice.id, actor="演示经办人", on=today, today=today)  # type: ignore[arg-type]
        return sent.number or ""


def run_demo(
    out: Path,
    data: Path,
    *,
    only: set[str] | None = None,
    console: Console | None = None,
    stop: threading.Event | None = None,
    seed: int = 0,
) -> DemoResult:
    """Run the demo (see the module docstring) with a fresh store in ``data``; outputs into ``out``."""
    console = console or Console()
    sample = data / "sample"
    manifest = json.loads(write_sample(sample, seed=seed).read_text(encoding="utf-8"))
    as_of = date.fromisoformat(manifest["as_of"])
    unknown = sorted((only or set()) - {a["name"] for a in manifest["agencies"]})
    if unknown:
        known = "、".join(a["name"] for a in manifest["agencies"])
        raise ValueError(f"样本中没有这些机关：{'、'.join(unknown)}（样本中的机关：{known}）")
    sites = plan_sites(manifest, sample, only)
    build(sites, data / "portals", night=1)
    portals = Portals(sites, data / "portals")
    nights: list[PipelineResult] = []
    try:
        with demo_environment(data, as_of):
            setup_logging(store.data_dir())
            store.upgrade()
            registry = registry_text(sites, portals)
            (data / "demo-sites.yaml").write_text(registry, encoding="utf-8")
            with store.session_scope() as session:
                import_sites(session, parse_yaml(registry, str(data / "demo-sites.yaml")))
            options = Options(trigger="demo", out=out, crawl_time_limit=600, crawl_settings=dict(FAST_CRAWL))
            nights.append(run_pipeline(options, console=console, stop=stop))
            corrected = next((s for s in sites if s.slug == CORRECTED[0]), None)
            number = _issue_notice(corrected.agency, as_of) if corrected else ""
            if not (stop and stop.is_set()):
                build(sites, data / "portals", night=2)
                nights.append(run_pipeline(options, console=console, stop=stop))
            result = DemoResult(nights, out.resolve(), data.resolve(), as_of)
            result.lines = report(result, manifest, sites, number, complete=not only)
    finally:
        portals.close()
    return result


def _findings(slugs: dict[str, str]) -> list[dict]:
    """Return every finding of the store: agency (and its sample slug), year, rule, locator, status, id."""
    with store.session_scope() as session:
        rows = session.exec(select(m.Finding, m.Agency.name).join(m.Agency)).all()
        return [
            {
                "slug": slugs.get(name, name),
                "agency": name,
                "year": f.year,
                "rule": f.rule,
                "locator": f.locator,
                "status": f.status,
                "id": f.id,
            }
            for f, name in rows
        ]


def report(
    result: DemoResult, manifest: dict, sites: list[DemoSite], number: str, *, complete: bool
) -> list[str]:
    """Return the demo's closing report: where the outputs are and where each planted case shows."""
    out = result.out
    slugs = {s.agency: s.slug for s in sites}
    names = {s.slug: s.agency for s in sites}
    found = _findings(slugs)
    evidence = {f["id"]: out / "evidence" / f"finding-{f['id']}.html" for f in found}
    lines = [
        f"演示完成（审核日 {result.as_of}，两夜：第二夜一家机关发布了更正版本）。输出在 {out}：",
        f"  看板：{out / 'index.html'}",
        f"  整改通知：{out / 'notices'}（正式通知 {number or '无'}，其余机关为预览）",
        f"  整改清单：{out / 'ledgers' / 'ledger-all.xlsx'} 及各地区清单",
        f"  通报：{out / 'bulletin.html'}、{out / 'bulletin.docx'}",
        "埋设的情形：",
    ]
    for (slug, year, rule), what in PLANTED.items():
        if slug not in names:
            continue
        hit = [f for f in found if (f["slug"], f["year"], f["rule"]) == (slug, year, rule)]
        where = f"已查出，证据页 {evidence[hit[0]['id']]}" if hit else "未查出"
        lines.append(f"  {what}（{rule}）：{names[slug]} {year} 年度 —— {where}")
    if CORRECTED[0] in names:
        fixed = sorted(
            f["rule"] for f in found if (f["slug"], f["year"]) == CORRECTED and f["status"] == m.FIXED
        )
        lines.append(
            f"  发布后更正：{names[CORRECTED[0]]} {CORRECTED[1]} 年度第二夜发布更正版本，"
            f"已整改 {len(fixed)} 个问题（{'、'.join(fixed) or '无'}），两个版本都已存档"
        )
    short = next((s for s in sites if s.slug == SHORT_NAME and s.printed_name), None)
    if short:
        lines.append(
            f"  网站印“{short.printed_name}”（不带区划前缀）：登记为 {short.agency} 的别名，其年报归入该机关"
        )
    if complete:
        lines += _compare(manifest, found, names)
    lines.append(
        f"演示数据在 {result.data}（数据库 gkaudit.sqlite、样本 sample/、网站 portals/）；"
        f"查看问题：GKAUDIT_DATA={result.data} DATABASE_URL= GKAUDIT_TODAY={result.as_of} gkaudit findings"
    )
    return lines


def _compare(manifest: dict, found: list[dict], names: dict[str, str]) -> list[str]:
    """Return how the findings compare with what the sample's manifest (and the portals) plant."""
    slug_of = {a["name"]: a["slug"] for a in manifest["agencies"]}
    expected = {
        (slug_of[d["agency"]], d["year"], f["rule"], f["locator"])
        for d in [*manifest["documents"], *manifest["missing"]]
        for f in d["findings"]
    } | {(slug, year, rule, "report") for slug, year, rule in PLANTED if rule == "TL04"}
    got = {(f["slug"], f["year"], f["rule"], f["locator"]) for f in found}
    extra, missed = sorted(got - expected), sorted(expected - got)

    def say(rows: list[tuple]) -> str:
        return "；".join(f"{names.get(s, s)} {y} {r}（{loc}）" for s, y, r, loc in rows)

    lines = [f"与样本清单相比：应查出 {len(expected)} 个问题，查出 {len(got & expected)} 个"]
    if extra:
        lines.append(f"  清单之外另查出 {len(extra)} 个：{say(extra)}")
    if missed:
        lines.append(f"  未查出 {len(missed)} 个：{say(missed)}")
    return lines
