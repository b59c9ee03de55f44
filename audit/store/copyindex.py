"""The store's incremental CY05 index: signatures per report, pairs per year, updated by the audit run.

Per current report (the newest version of each agency's report of a year) a
:class:`~audit.store.tables.CopySignature` keeps, per narrative section, the stable hashes of its
kept sentences, its sampled shingles and its cleaned length (:mod:`audit.facts.similarity`); a
:class:`~audit.store.tables.CopyPair` keeps each pair of reports whose section is alike down to
the search floor; a :class:`~audit.store.tables.CopyYear` keeps the floor the pairs were searched
to and the year's boilerplate sentences. :func:`refresh_year` brings a year up to date:

1. reports that are no longer current lose their signature and pairs; a new or re-parsed report
   whose narrative changed gets its signature computed (only those narratives are read);
2. boilerplate (sentences in the reports of more than ``max(5, 30 %)`` of the year's agencies) is
   counted again from the stored sentence hashes of every current report — a few hundred thousand
   integers, so it is computed, not stored per sentence; a report containing a sentence that
   became or stopped being boilerplate has its cleaned text and sample computed again;
3. only those changed reports probe the rest of the year (all of it is searched again when the
   floor changed, the index is new or more than one report in ``WHOLE_YEAR`` changed);
4. pairs are replaced where they changed, and each report whose copy set changed records the run
   (``copies_run``): :func:`due_rechecks` gives the reports checked before their copies changed,
   so that a partner is checked again only when its copy set changes, also after a crash.

The result equals a search of the whole year from scratch (tests/test_copy_index.py checks it).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, or_, update
from sqlmodel import Session, col, select

from audit.facts import similarity as sim
from audit.store import tables as m
from audit.store.copycodec import SectionSig, pack, pack_sets, unpack, unpack_sets
from audit.store.queries import current_report_keys, current_reports, report_sources

CHUNK = 2000  # ids per IN (...) clause
WHOLE_YEAR = 8  # search the whole year when more than one report in WHOLE_YEAR changed


def narrative_digest(narrative: dict) -> str:
    """Return a stable digest of a report's narrative sections."""
    text = json.dumps(narrative or {}, ensure_ascii=False, sort_keys=True)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """Yield ids in lists short enough for one ``IN (...)``."""
    items = sorted(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


@dataclass
class Work:
    """One year's index while :func:`refresh_year` updates it."""

    year: int
    floor: float
    names: dict[int, str]  # agency id → name
    current: dict[int, tuple[int, datetime]]  # report id → (agency id, parsed_at)
    sigs: dict[int, dict[str, SectionSig]] = field(default_factory=dict)
    readable: dict[int, bool] = field(default_factory=dict)
    kept: dict[int, dict[str, sim.Kept]] = field(default_factory=dict)  # narratives read this time
    digests: dict[int, str] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)  # cleaned text changed: probes the year
    touched: set[int] = field(default_factory=set)  # signature row to write again
    gone: set[int] = field(default_factory=set)  # no longer current: signature and pairs dropped

    def read(self, session: Session, ids: Iterable[int]) -> dict[int, dict]:
        """Read the narratives of reports; keep their kept sentences and digests."""
        narratives: dict[int, dict] = {}
        for chunk in _chunks(ids):
            stmt = select(m.Report.id, m.Report.narrative).where(col(m.Report.id).in_(chunk))
            narratives.update({rid: n or {} for rid, n in session.exec(stmt).all()})  # type: ignore[misc]
        for rid, narrative in narratives.items():
            agency = self.names[self.current[rid][0]]
            self.kept[rid] = {s: sim.Kept.of(narrative.get(s) or "", agency) for s in sim.NARRATIVE_SECTIONS}
            self.digests[rid] = narrative_digest(narrative)
            self.readable[rid] = bool(narrative)
        return narratives

    def cleaned(self, rid: int, boiler: dict[str, frozenset[int]], section: str) -> str:
        """Return a report's cleaned text of a section (its narrative must have been read)."""
        return self.kept[rid][section].cleaned(boiler[section])


def _load(session: Session, work: Work) -> tuple[set[int], dict[int, int | None]]:
    """Load the year's stored signatures; return the reports to read again and each row's ``copies_run``."""
    stmt = select(
        m.CopySignature.report_id,
        m.CopySignature.parsed_at,
        m.CopySignature.digest,
        m.CopySignature.method,
        m.CopySignature.readable,
        m.CopySignature.data,
        m.CopySignature.copies_run,
    ).where(m.CopySignature.year == work.year)
    runs: dict[int, int | None] = {}
    changed: set[int] = set()
    for rid, parsed_at, digest, method, readable, data, copies_run in session.exec(stmt).all():
        if rid not in work.current:
            work.gone.add(rid)
            continue
        runs[rid] = copies_run
        if method != sim.METHOD:
            continue
        work.sigs[rid], work.readable[rid], work.digests[rid] = unpack(data), readable, digest
        if parsed_at != work.current[rid][1]:
            changed.add(rid)
    return (set(work.current) - set(work.sigs)) | changed, runs


def _read_changed(session: Session, work: Work, ids: set[int]) -> None:
    """Read new and re-parsed reports: a changed narrative makes the report dirty, any makes it touched."""
    before = {rid: work.digests.get(rid) for rid in ids}
    work.read(session, ids)
    work.touched |= ids
    work.dirty |= {rid for rid in ids if before[rid] is None or before[rid] != work.digests[rid]}


def _sentences(work: Work, rid: int, section: str) -> Iterable[int]:
    """Return a report's kept sentence hashes of a section (read this time, else stored)."""
    if rid in work.kept:
        return work.kept[rid][section].hashes
    return work.sigs[rid][section].sentences


def _boilerplate(work: Work) -> dict[str, frozenset[int]]:
    """Return per section the sentence hashes in the reports of too many of the year's agencies."""
    readable = [rid for rid in work.current if work.readable.get(rid)]
    out = {}
    for section in sim.NARRATIVE_SECTIONS:
        df: Counter[int] = Counter()
        for rid in readable:
            df.update(set(_sentences(work, rid, section)))
        out[section] = sim.boilerplate(df, len(readable))
    return out


def _reclean(session: Session, work: Work, boiler: dict, previous: dict | None) -> None:
    """Make dirty the reports containing a sentence that became or stopped being boilerplate."""
    readable = [rid for rid in work.current if work.readable.get(rid) and rid not in work.dirty]
    if previous is None:
        affected = set(readable)
    else:
        toggled = {s: boiler[s] ^ previous.get(s, frozenset()) for s in sim.NARRATIVE_SECTIONS}
        affected = {
            rid
            for rid in readable
            if any(toggled[s] and not toggled[s].isdisjoint(_sentences(work, rid, s)) for s in toggled)
        }
    work.read(session, affected - set(work.kept))
    work.dirty |= affected
    work.touched |= affected


def _resample(work: Work, boiler: dict[str, frozenset[int]]) -> None:
    """Compute the signatures of the dirty reports with the year's boilerplate."""
    for rid in work.dirty:
        sections = {}
        for s in sim.NARRATIVE_SECTIONS:
            cleaned = work.cleaned(rid, boiler, s)
            sig = sim.Signature.of(cleaned)
            sections[s] = SectionSig(sig.chars, tuple(work.kept[rid][s].hashes), sig.sample)
        work.sigs[rid] = sections


def _search(session: Session, work: Work, boiler: dict, whole: bool) -> dict[str, list[sim.Pair]]:
    """Return per section the measured pairs: of the whole year, or those of the dirty reports."""
    ids = sorted(rid for rid in work.current if work.readable.get(rid))
    found: dict[str, list[tuple[int, int]]] = {}
    for s in sim.NARRATIVE_SECTIONS:
        entries = [
            sim.Entry(rid, work.names[work.current[rid][0]], work.sigs[rid][s].sample)
            for rid in ids
            if work.sigs[rid][s].chars >= sim.MIN_CHARS
        ]
        if whole:
            cands = sim.all_candidates(entries, work.floor)
        else:
            cands = sim.candidates_of(
                entries, [i for i, e in enumerate(entries) if e.key in work.dirty], work.floor
            )
        found[s] = [(entries[a].key, entries[b].key) for a, b in cands]  # type: ignore[misc]
    work.read(session, {k for pairs in found.values() for p in pairs for k in p} - set(work.kept))
    out = {}
    for s, cands in found.items():
        cache: dict[int, set[str]] = {}

        def full(rid: int, s: str = s, cache: dict = cache) -> set[str]:
            if rid not in cache:
                cache[rid] = sim.shingles(work.cleaned(rid, boiler, s))
            return cache[rid]

        out[s] = sim.measure(cands, full, work.floor)  # type: ignore[arg-type]
    return out


Key = tuple[str, int, int]  # (section, lower report id, higher report id)


def _shown(values: tuple[float, float]) -> tuple[float, float]:
    """Return a pair's similarity and Jaccard as the checks see them (3 decimals)."""
    return round(values[0], 3), round(values[1], 3)


def _new_pairs(
    work: Work, old: dict[Key, tuple], found: dict[str, list[sim.Pair]], whole: bool
) -> dict[Key, tuple]:
    """Return the year's pairs after the update: those found, plus the old ones the update did not touch."""
    new: dict[Key, tuple] = {}
    for section, pairs in found.items():
        for p in pairs:
            a, b = sorted((p.a, p.b))  # type: ignore[type-var]
            new[(section, a, b)] = (p.similarity, p.jaccard)
    if not whole:
        redone = work.dirty | work.gone
        new.update({k: v[:2] for k, v in old.items() if k[1] not in redone and k[2] not in redone})
    return new


def _write_pairs(session: Session, work: Work, old: dict[Key, tuple], new: dict[Key, tuple]) -> set[int]:
    """Replace the pairs that changed; return the reports whose copy set changed."""
    changed = {
        k
        for k in old.keys() | new.keys()
        if k not in old or k not in new or _shown(old[k][:2]) != _shown(new[k])
    }
    stale = [old[k][2] for k in changed if k in old]
    for chunk in _chunks(stale):
        session.execute(delete(m.CopyPair).where(col(m.CopyPair.id).in_(chunk)))
    rows = [
        {
            "year": work.year,
            "section": k[0],
            "report_a": k[1],
            "report_b": k[2],
            "similarity": v[0],
            "jaccard": v[1],
        }
        for k, v in new.items()
        if k in changed
    ]
    if rows:
        session.execute(insert(m.CopyPair), rows)
    return {r for k in changed for r in k[1:]}  # type: ignore[misc]


def _write_signatures(session: Session, work: Work, runs: dict[int, int | None]) -> None:
    """Write the signatures of touched reports again; drop those of reports no longer current."""
    for chunk in _chunks(work.gone | work.touched):
        session.execute(delete(m.CopySignature).where(col(m.CopySignature.report_id).in_(chunk)))
    rows = [
        {
            "report_id": rid,
            "year": work.year,
            "agency_id": work.current[rid][0],
            "parsed_at": work.current[rid][1],
            "digest": work.digests[rid],
            "method": sim.METHOD,
            "readable": work.readable[rid],
            "data": pack(work.sigs.get(rid, {})),
            "copies_run": runs.get(rid),
        }
        for rid in sorted(work.touched)
    ]
    if rows:
        session.execute(insert(m.CopySignature), rows)


def _pairs_of(session: Session, year: int) -> list[tuple[str, int, int, float, float, int]]:
    """Return the year's stored pairs: (section, report a, report b, similarity, Jaccard, row id)."""
    c = m.CopyPair
    stmt = select(c.section, c.report_a, c.report_b, c.similarity, c.jaccard, c.id).where(c.year == year)
    return list(session.exec(stmt).all())  # type: ignore[arg-type]


def _old_pairs(session: Session, year: int) -> dict[Key, tuple]:
    """Return the year's stored pairs: key → (similarity, Jaccard, row id)."""
    return {(s, a, b): (v, j, pid) for s, a, b, v, j, pid in _pairs_of(session, year)}


@dataclass
class Refreshed:
    """What :func:`refresh_year` did: reports read and probed, whole-year search or not, copy sets changed."""

    year: int
    reports: int
    read: int
    probes: int
    whole: bool
    pairs: int
    changed: set[int]

    def __str__(self) -> str:
        return (
            f"{self.year}: {self.reports} reports, {self.read} read, {self.probes} probed, "
            f"{'whole year' if self.whole else 'incremental'}, {self.pairs} pairs, {len(self.changed)} copy sets changed"
        )


def refresh_year(session: Session, year: int, floor: float, run_id: int | None) -> Refreshed:
    """Bring the copy index of ``year`` up to date (the caller's transaction); return what it did.

    Each report whose copy set changed records ``run_id`` (see :func:`due_rechecks`).
    """
    names = dict(session.exec(select(m.Agency.id, m.Agency.name)).all())
    current = {rid: (aid, parsed) for rid, aid, parsed in current_report_keys(session, year)}
    work = Work(year, floor, names, current)  # type: ignore[arg-type]
    to_read, runs = _load(session, work)
    _moved_out(session, work, to_read - set(runs), run_id)
    _read_changed(session, work, to_read)
    state = session.get(m.CopyYear, year)
    previous = unpack_sets(state.boilerplate) if state is not None and state.method == sim.METHOD else None
    boiler = _boilerplate(work)
    _reclean(session, work, boiler, previous)
    _resample(work, boiler)
    whole = previous is None or state.floor != floor or len(work.dirty) * WHOLE_YEAR > len(current)  # type: ignore[union-attr]
    found = _search(session, work, boiler, whole)
    old = _old_pairs(session, year)
    new = _new_pairs(work, old, found, whole)
    changed = _write_pairs(session, work, old, new) - work.gone
    for rid in changed & work.touched:
        runs[rid] = run_id
    _write_signatures(session, work, runs)
    for chunk in _chunks(changed - work.touched):
        session.execute(
            update(m.CopySignature).where(col(m.CopySignature.report_id).in_(chunk)).values(copies_run=run_id)
        )
    if state is None:
        state = m.CopyYear(year=year, floor=floor, method=sim.METHOD, boilerplate=b"")
    state.floor, state.method, state.boilerplate, state.updated_at = (
        floor,
        sim.METHOD,
        pack_sets(boiler),
        m.utcnow(),
    )
    session.add(state)
    session.flush()
    return Refreshed(year, len(current), len(work.kept), len(work.dirty), whole, len(new), changed)


def _moved_out(session: Session, work: Work, ids: set[int], run_id: int | None) -> None:
    """Drop the signatures and pairs that reports new to this year kept under another year."""
    moved = set()
    for chunk in _chunks(ids):
        moved |= set(
            session.exec(
                select(m.CopySignature.report_id).where(col(m.CopySignature.report_id).in_(chunk))
            ).all()
        )
    for chunk in _chunks(moved):
        involved = or_(col(m.CopyPair.report_a).in_(chunk), col(m.CopyPair.report_b).in_(chunk))
        partners = {
            r
            for a, b in session.exec(select(m.CopyPair.report_a, m.CopyPair.report_b).where(involved)).all()
            for r in (a, b)
        }
        session.execute(delete(m.CopyPair).where(involved))
        session.execute(delete(m.CopySignature).where(col(m.CopySignature.report_id).in_(chunk)))
        session.execute(
            update(m.CopySignature)
            .where(col(m.CopySignature.report_id).in_(partners - moved))
            .values(copies_run=run_id)
        )


def is_fresh(session: Session, year: int, floor: float) -> bool:
    """Return whether the stored pairs of ``year`` are those of its current reports, searched down to ``floor``."""
    state = session.get(m.CopyYear, year)
    if state is None or state.floor != floor or state.method != sim.METHOD:
        return False
    current = {(rid, parsed) for rid, _, parsed in current_report_keys(session, year)}
    stmt = select(m.CopySignature.report_id, m.CopySignature.parsed_at).where(m.CopySignature.year == year)
    return current == {tuple(r) for r in session.exec(stmt).all()}


def stored_copies(session: Session, year: int) -> sim.CopyResult:
    """Return the copies and clusters of ``year`` from the stored pairs (keys are report ids)."""
    pairs: dict[str, list[sim.Pair]] = {s: [] for s in sim.NARRATIVE_SECTIONS}
    for section, a, b, v, j, _ in _pairs_of(session, year):
        pairs.setdefault(section, []).append(sim.Pair(a, b, v, j))
    ids = sorted({k for found in pairs.values() for p in found for k in (p.a, p.b)})
    if not ids:
        return sim.CopyResult()
    names = dict(session.exec(select(m.Agency.id, m.Agency.name)).all())
    agency, source = {}, {}
    for chunk in _chunks(ids):
        rows = session.exec(select(m.Report.id, m.Report.agency_id).where(col(m.Report.id).in_(chunk))).all()
        agency.update({rid: names[aid] for rid, aid in rows})
        source.update(report_sources(session, chunk))
    return sim.assemble(pairs, agency, source, prefix=f"{year}-")  # type: ignore[arg-type]


def copies_for_year(session: Session, year: int, floor: float) -> sim.CopyResult:
    """Return the copies of ``year`` down to ``floor``: stored when the index is up to date, else searched in memory.

    Nothing is written (``gkaudit copies``, ``rules impact``).
    """
    if is_fresh(session, year, floor):
        return stored_copies(session, year)
    rows = [r for r in current_reports(session, year) if r.narrative]
    names = dict(session.exec(select(m.Agency.id, m.Agency.name)).all())
    sources = report_sources(session, [r.id for r in rows])  # type: ignore[misc]
    items = [sim.Narrative(r.id, names[r.agency_id], sources[r.id], r.narrative) for r in rows]  # type: ignore[index]
    return sim.find_copies(items, floor=floor, cluster_prefix=f"{year}-")


def years_to_search_again(session: Session, floor: float) -> set[int]:
    """Return the indexed years whose pairs were searched down to another floor or by another method."""
    rows = session.exec(select(m.CopyYear.year, m.CopyYear.floor, m.CopyYear.method)).all()
    return {year for year, f, method in rows if f != floor or method != sim.METHOD}


def due_rechecks(session: Session, year: int | None = None) -> set[int]:
    """Return the current reports (of ``year``, or of every year) audited before their copy set last changed."""
    stmt = (
        select(m.CopySignature.report_id)
        .join(m.Report, col(m.Report.id) == m.CopySignature.report_id)
        .where(
            col(m.CopySignature.copies_run).is_not(None),
            or_(
                col(m.Report.audited_run_id).is_(None),
                col(m.Report.audited_run_id) < m.CopySignature.copies_run,
            ),
        )
    )
    if year is not None:
        stmt = stmt.where(m.CopySignature.year == year)
    return set(session.exec(stmt).all())
