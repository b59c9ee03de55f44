"""The builder: plan → figures → defects → narrative → rendered documents with their findings.

Reports are built year by year so that each one can continue its agency's previous report (carry
over, 现行有效) and a copy can take last year's text. Every report draws from its own random
generator, seeded by the sample's seed and the report's name, so a report is the same whatever
else the sample holds.
"""

from __future__ import annotations

import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

from audit.form import FORMAT_2019
from audit.sample.agencies import Agency
from audit.sample.defects import DEFECTS, Job, compatible, expected
from audit.sample.document import Draft, Para, printed_number
from audit.sample.figures import draw_figures
from audit.sample.page import contact, document_url
from audit.sample.plan import AS_OF, Planned, bulk_plan, curated_plan
from audit.sample.render import EXTENSIONS, render
from audit.sample.wording import Writer, preamble, write_sections

PARALLEL_FROM = 200  # reports: from this many on, rendering uses every core
COPY_SHARE = 0.04  # bulk: share of reports whose 五 copies another agency's
DEFECT_SHARE = 0.45  # bulk: share of reports with at least one defect (one in five of them two)


@dataclass
class Document:
    """A generated report: its job (plan, draft, defects), file name, bytes and address."""

    job: Job
    file: str
    data: bytes
    url: str

    @property
    def findings(self) -> list[tuple[str, str]]:
        """Return the findings (rule id, locator) a correct audit gives for this report."""
        return expected(self.job)


def _published(job: Job, rng: random.Random) -> date:
    """Return a publication date before the statutory deadline (a late one is set by its defect)."""
    last = 30 if job.agency.level == "department" else 88
    return date(job.year + 1, 1, 1) + timedelta(days=rng.randint(7, last))


def _narrative_figures(job: Job) -> dict[str, int]:
    """Return the figures the narrative may state (from the printed table unless a defect says)."""
    f = job.figures
    values = {
        "new": int(f["t3.new.total"]),
        "carry_in": int(f["t3.carry_in.total"]),
        "carry_out": int(f["t3.carry_out.total"]),
        "reviews": int(f["t4.review.total"]),
        "lawsuits": int(f["t4.lit_direct.total"]) + int(f["t4.lit_after_review.total"]),
    }
    values["handled"] = values["new"] + values["carry_in"]
    if job.form != FORMAT_2019:
        for row in ("norm", "reg"):
            for col in ("made", "repealed", "valid"):
                values[f"{row}_{col}"] = int(f[f"t2.{row}.{col}"])
    return values


def _compose(job: Job, rng: random.Random) -> Draft:
    """Return the draft of a report whose figures and wording options are settled."""
    agency = job.agency
    values: dict[str, object] = {
        "year": job.year,
        "next": job.year + 1,
        "prev": job.year - 1,
        "agency": agency.name,
        "self": rng.choice(agency.self_names()),
        "scope": agency.scope,
        "site": agency.site,
        "host": agency.host,
        "office": agency.office,
        "place": agency.place,
        **contact(agency),
    }
    writer = Writer(agency, values, rng, job.wording.forced)
    last = job.previous.problems if job.previous else []
    sections, job.problems = write_sections(
        writer, agency, job.year, _narrative_figures(job), job.wording, last
    )
    title = f"{job.year}年政府信息公开工作年度报告"
    # one line when it fits the width of a page in 二号 type; else the organ on a line of its own
    titles = (
        [agency.name + title]
        if len(agency.name + title) <= 22 and rng.random() < 0.6
        else [agency.name, title]
    )
    closing = []
    if rng.random() < 0.5:
        signed = job.published_on - timedelta(days=rng.randint(1, 6))
        closing = [agency.name, f"{signed.year}年{signed.month}月{signed.day}日"]
    cells = {k: ("" if k in job.blank else printed_number(v)) for k, v in job.figures.items()}
    return Draft(agency, job.year, job.form, titles, [preamble(writer, job.form)], sections, cells,
                 closing=closing, published_on=job.published_on)  # fmt: skip


def _draw_defects(job: Job, rng: random.Random) -> None:
    """Plant zero, one or two random defects (bulk samples)."""
    if rng.random() >= DEFECT_SHARE:
        return
    names = [n for n in DEFECTS if n != "copied_other"]
    for _ in range(2 if rng.random() < 0.2 else 1):
        options = [n for n in names if compatible(job, n)]
        if options:
            job.defects.append(rng.choice(options))


def _copy(copier: Job, source: Job) -> None:
    """Make ``copier``'s 五 a copy of ``source``'s (same year, another agency)."""
    assert copier.draft is not None and source.draft is not None
    mine, theirs = copier.draft.section("S5"), source.draft.section("S5")
    assert mine is not None and theirs is not None
    mine.paras = [Para(p.text, p.role) for p in theirs.paras]
    copier.copy_of = source
    source.copied_by.append(copier)
    if "copied_other" not in copier.defects:
        copier.defects.append("copied_other")


def _plant_copies(jobs: list[Job], plans: dict[str, Planned], rng: random.Random, bulk: bool) -> None:
    """Plant the copies between agencies: the curated ones, or a few at random in bulk samples."""
    by_key = {j.slug: j for j in jobs}
    for job in jobs:
        source = plans[job.slug].copy_from
        if source:
            _copy(job, by_key[f"{source}-{job.year}"])
    if not bulk:
        return
    for job in jobs:
        if (
            rng.random() >= COPY_SHARE
            or any("S5" in DEFECTS[d].touches for d in job.defects)
            or job.copied_by
        ):
            continue
        sources = [
            j
            for j in jobs
            if j.year == job.year
            and j.agency != job.agency
            and not j.copy_of
            and not any("S5" in DEFECTS[d].touches for d in j.defects)
        ]
        if sources:
            _copy(job, rng.choice(sources))


def build(seed: int = 0, count: int | None = None, *, plans: list[Planned] | None = None) -> list[Document]:
    """Return the generated reports: the curated sample, ``count`` reports drawn at random, or ``plans``.

    A report is the same whatever else is built with it, so building a few plans again (one with
    its defects taken out, say) gives those reports exactly as the whole sample has them.
    """
    if plans is None:
        plans = curated_plan() if count is None else bulk_plan(count, seed)
    jobs: list[Job] = []
    latest: dict[tuple[str, int], Job] = {}
    for plan in sorted(plans, key=lambda p: (p.year, p.agency.slug)):
        rng = random.Random(f"{seed}:{plan.key}")
        job = Job(
            plan.agency, plan.year, plan.form, plan.medium, list(plan.defects or ()), date.min, plan.encoding
        )
        job.published_on = _published(job, rng)
        job.previous = latest.get((plan.agency.slug, plan.year - 1))
        job.last_in_series = not any(p.agency == plan.agency and p.year > plan.year for p in plans)
        job.figures = draw_figures(
            plan.agency, plan.form, rng, job.previous.figures if job.previous else None
        )
        if plan.defects is None:
            _draw_defects(job, rng)
        for name in job.defects:
            if name != "copied_other" and not DEFECTS[name].when(job):
                raise ValueError(f"{plan.key}：缺陷 {name} 不适用于该报告")
        for name in job.defects:
            if DEFECTS[name].figures:
                DEFECTS[name].figures(job)  # type: ignore[misc]
        job.draft = _compose(job, rng)
        for name in job.defects:
            if DEFECTS[name].draft:
                DEFECTS[name].draft(job)  # type: ignore[misc]
        job.draft.published_on = job.published_on
        latest[(plan.agency.slug, plan.year)] = job
        jobs.append(job)
    _plant_copies(jobs, {p.key: p for p in plans}, random.Random(f"copies:{seed}"), count is not None)
    urls = [document_url(j.agency, j.year, j.medium, j.published_on) for j in jobs]
    tasks = [(j.draft, j.medium, j.encoding, url) for j, url in zip(jobs, urls, strict=True)]
    workers = min(os.cpu_count() or 1, 8) if len(tasks) >= PARALLEL_FROM else 1
    if workers > 1:  # rendering (PDF, DOCX) is most of the time; each report renders alone
        with ProcessPoolExecutor(workers) as pool:
            datas = list(pool.map(_render, tasks, chunksize=32))
    else:
        datas = [_render(t) for t in tasks]
    return [
        Document(j, j.slug + EXTENSIONS[j.medium], data, url)
        for j, data, url in zip(jobs, datas, urls, strict=True)
    ]


def _render(task: tuple[Draft | None, str, str, str]) -> bytes:
    """Return the bytes of one report (a task of :func:`build`, run in a worker process or not)."""
    draft, medium, encoding, url = task
    assert draft is not None
    return render(draft, medium, encoding=encoding, url=url)


def missing_reports(docs: list[Document], as_of: date = AS_OF) -> list[tuple[Agency, int]]:
    """Return the (agency, year) pairs the store must report as missing (TL02) on ``as_of``."""
    year = as_of.year - 1
    agencies = {d.job.agency for d in docs}
    have = {d.job.agency for d in docs if d.job.year == year}
    return sorted(((a, year) for a in agencies - have), key=lambda x: x[0].slug)
