"""The figures of a generated report: tables 2, 3 and 4 that balance, in real reports' magnitudes.

Table 3 is drawn per applicant column: the applications handled (new + carried in) minus a few
carried out are spread over the result rows with weights taken from published reports (about a
third granted, a quarter 本机关不掌握, a few per cent in each refusal ground), so every column and
row balances. Year after year an agency's 上年结转 is last year's 结转下年度继续办理 and its 现行有效
件数 is last year's plus 制发 minus 废止, so a clean series raises no cross-year finding.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from audit.form import (
    FORMAT_2019,
    T3_COLUMN_IDS,
    T3_PARTS,
    T4_COLUMNS,
    T4_GROUPS,
    t3_data_rows,
    t3_result_leaves,
)
from audit.sample.agencies import Agency

Cells = dict[str, int | float]


@dataclass(frozen=True)
class Profile:
    """The magnitudes of a kind of agency's tables (ranges are inclusive)."""

    applications: tuple[int, int]  # new applications a year, when there are any
    no_applications: float  # share of years without any
    reviews: tuple[int, int]  # 行政复议 a year
    norms: tuple[int, int]  # 行政规范性文件 制发 a year
    fees: tuple[int, int] | None  # 行政事业性收费, 万元 (None: the agency collects none)


_PROFILES = {
    "city_government": Profile((150, 600), 0.0, (3, 20), (5, 20), (2000, 40000)),
    "county_government": Profile((40, 200), 0.0, (1, 10), (3, 12), (500, 8000)),
    "district_government": Profile((40, 200), 0.0, (1, 10), (3, 12), (500, 8000)),
    "township": Profile((1, 8), 0.45, (0, 1), (0, 2), None),
    "city_bureau": Profile((12, 150), 0.05, (0, 6), (1, 8), None),
    "county_bureau": Profile((1, 40), 0.3, (0, 2), (0, 4), None),
    "zone": Profile((5, 60), 0.05, (0, 3), (1, 6), (50, 1500)),
}
_APPLICANT_WEIGHTS = {
    "natural": 88,
    "commercial": 6,
    "research": 0.4,
    "social": 0.6,
    "legal": 3,
    "other_org": 2,
}
_RESULT_WEIGHTS = {
    "granted": 30,
    "partial": 8,
    "denied.state_secret": 0.2,
    "denied.law_forbidden": 0.5,
    "denied.security_stability": 0.5,
    "denied.third_party": 2,
    "denied.internal_affairs": 1,
    "denied.process_info": 2,
    "denied.enforcement_file": 1,
    "denied.admin_query": 2,
    "unable.not_held": 25,
    "unable.needs_creation": 3,
    "unable.unclear": 2,
    "not_processed.petition": 5,
    "not_processed.repeat": 3,
    "not_processed.publication": 0.5,
    "not_processed.mass_repeat": 1,
    "not_processed.confirm_reissue": 1,
    "other.no_correction": 5,
    "other.fee_unpaid": 0,
    "other.other": 4,
    "other": 9,  # the single （六） row of the 2019 form
}
_T4_WEIGHTS = {"upheld": 55, "corrected": 10, "other": 20, "pending": 15}

# kind or domain → (license, penalty) decision ranges of table 2
_DECISIONS = {
    "city_government": ((5000, 30000), (1000, 8000)),
    "county_government": ((2000, 12000), (300, 3000)),
    "district_government": ((2000, 12000), (300, 3000)),
    "township": ((0, 80), (0, 40)),
    "zone": ((300, 3000), (10, 200)),
    "market": ((2000, 8000), (300, 1500)),
    "natural_resources": ((200, 900), (20, 150)),
    "hrss": ((500, 3000), (5, 60)),
    "housing": ((300, 1500), (20, 300)),
    "education": ((20, 300), (0, 10)),
    "ecology": ((50, 400), (30, 200)),
    "transport": ((800, 5000), (100, 900)),
    "health": ((400, 3000), (30, 300)),
    "civil": ((30, 300), (0, 20)),
    "agriculture": ((100, 800), (10, 120)),
}


def _spread(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    """Return ``n`` items spread over the keys of ``weights`` at random (multinomial)."""
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=[weights[k] for k in keys], k=n):
        out[key] += 1
    return out


def _t3(agency: Agency, form: str, rng: random.Random, carry_in: dict[str, int] | None) -> Cells:
    """Return the table-3 cells: every column and every row balances."""
    profile = _PROFILES[agency.kind]
    new_total = 0 if rng.random() < profile.no_applications else rng.randint(*profile.applications)
    new = _spread(rng, new_total, _APPLICANT_WEIGHTS)
    if carry_in is None:  # the first report of the series: a few carried in, if any
        carry_in = {c: (rng.random() < 0.05 * new[c] ** 0.5) * rng.randint(0, 2) for c in T3_PARTS}
    leaves = t3_result_leaves(form)
    weights = {k: v for k, v in _RESULT_WEIGHTS.items() if k in leaves}
    cells: Cells = {}
    for col in T3_PARTS:
        handled = new[col] + carry_in.get(col, 0)
        carry_out = sum(rng.random() < 0.03 for _ in range(handled))
        results = _spread(rng, handled - carry_out, weights)
        cells[f"t3.new.{col}"] = new[col]
        cells[f"t3.carry_in.{col}"] = carry_in.get(col, 0)
        cells[f"t3.carry_out.{col}"] = carry_out
        cells[f"t3.result_total.{col}"] = handled - carry_out
        for row, value in results.items():
            cells[f"t3.{row}.{col}"] = value
    for row in t3_data_rows(form):
        cells[f"t3.{row}.total"] = sum(int(cells[f"t3.{row}.{c}"]) for c in T3_PARTS)
    return cells


def _t4(agency: Agency, rng: random.Random) -> Cells:
    """Return the table-4 cells: each group's 总计 is the sum of its four results."""
    reviews = rng.randint(*_PROFILES[agency.kind].reviews)
    counts = {
        "review": reviews,
        "lit_direct": rng.randint(0, max(0, reviews * 3 // 5)),
        "lit_after_review": rng.randint(0, max(0, reviews // 3)),
    }
    cells: Cells = {}
    for group in (g.id for g in T4_GROUPS):
        parts = _spread(rng, counts[group], _T4_WEIGHTS)
        for col in T4_COLUMNS[:-1]:
            cells[f"t4.{group}.{col.id}"] = parts[col.id]
        cells[f"t4.{group}.total"] = counts[group]
    return cells


def _amount(rng: random.Random, low: float, high: float) -> float:
    """Return an amount in 万元 printed as real reports do (whole, two or four decimals)."""
    digits = rng.choice((0, 2, 2, 4))
    return round(rng.uniform(low, high), digits) if digits else float(rng.randint(int(low), int(high)))


def _t2_2021(agency: Agency, rng: random.Random, previous: Cells | None) -> Cells:
    """Return the 2021-form table 2; 现行有效 continues last year's."""
    cells: Cells = {}
    rows = (("reg", (0, 3) if agency.makes_rules else (0, 0)), ("norm", _PROFILES[agency.kind].norms))
    for row, (low, high) in rows:
        made = rng.randint(low, high)
        prev = previous.get(f"t2.{row}.valid") if previous else None
        if prev is None:
            prev = rng.randint(20, 70) if row == "reg" else rng.randint(high * 3, high * 12 + 2)
            prev = prev if high else 0
        repealed = rng.randint(0, min(int(prev), max(1, made + 2))) if prev else 0
        cells[f"t2.{row}.made"] = made
        cells[f"t2.{row}.repealed"] = repealed
        cells[f"t2.{row}.valid"] = int(prev) + made - repealed
    (lic_low, lic_high), (pen_low, pen_high) = _DECISIONS.get(agency.domain) or _DECISIONS[agency.kind]
    cells["t2.license.decisions"] = rng.randint(lic_low, lic_high)
    penalty = rng.randint(pen_low, pen_high)
    cells["t2.penalty.decisions"] = penalty
    cells["t2.coercion.decisions"] = rng.randint(0, penalty // 8)
    fee = _PROFILES[agency.kind].fees
    cells["t2.fee.amount"] = _amount(rng, *fee) if fee else 0
    return cells


def _t2_2019(agency: Agency, rng: random.Random) -> Cells:
    """Return the 2019 trial form's table 2 (items and changes, procurement)."""
    cells: Cells = {}
    for row, (low, high) in (
        ("reg", (0, 3) if agency.makes_rules else (0, 0)),
        ("norm", _PROFILES[agency.kind].norms),
    ):
        made = rng.randint(low, high)
        cells[f"t2.{row}.new_made"] = made
        cells[f"t2.{row}.new_published"] = made
        cells[f"t2.{row}.total_published"] = made + (rng.randint(high * 2, high * 8) if high else 0)
    (lic_low, lic_high), (pen_low, pen_high) = _DECISIONS.get(agency.domain) or _DECISIONS[agency.kind]
    for row, low, high in (
        ("license", lic_low, lic_high),
        ("other_service", lic_low // 4, lic_high // 4),
        ("penalty", pen_low, pen_high),
        ("coercion", 0, pen_high // 8),
    ):
        items = rng.randint(5, 60) if high else 0
        cells[f"t2.{row}.prev_items"] = items
        cells[f"t2.{row}.change"] = rng.randint(-min(items, 3), 4) if items else 0
        cells[f"t2.{row}.decisions"] = rng.randint(low, high)
    fee_items = rng.randint(0, 12) if agency.kind != "township" else 0
    cells["t2.fee.prev_items"] = fee_items
    cells["t2.fee.change"] = rng.randint(-min(fee_items, 2), 1) if fee_items else 0
    cells["t2.procurement.items"] = rng.randint(0, 40)
    cells["t2.procurement.amount"] = _amount(rng, 5, 900) if cells["t2.procurement.items"] else 0
    return cells


def draw_figures(agency: Agency, form: str, rng: random.Random, previous: Cells | None) -> Cells:
    """Return every cell of tables 2–4 for one report; ``previous`` is last year's (or None)."""
    carry_in = None
    if previous is not None:
        carry_in = {c: int(previous[f"t3.carry_out.{c}"]) for c in T3_PARTS}
    t2 = _t2_2019(agency, rng) if form == FORMAT_2019 else _t2_2021(agency, rng, previous)
    return {**t2, **_t3(agency, form, rng, carry_in), **_t4(agency, rng)}


def check_balance(cells: Cells, form: str) -> list[str]:
    """Return the equations of tables 3 and 4 that ``cells`` break (empty for a clean table)."""
    broken = []
    for row in t3_data_rows(form):
        if cells[f"t3.{row}.total"] != sum(cells[f"t3.{row}.{c}"] for c in T3_PARTS):
            broken.append(f"row {row}")
    for col in T3_COLUMN_IDS:
        leaves = sum(cells[f"t3.{r}.{col}"] for r in t3_result_leaves(form))
        if leaves != cells[f"t3.result_total.{col}"]:
            broken.append(f"results {col}")
        if (
            cells[f"t3.new.{col}"] + cells[f"t3.carry_in.{col}"]
            != cells[f"t3.result_total.{col}"] + cells[f"t3.carry_out.{col}"]
        ):
            broken.append(f"balance {col}")
    for group in (g.id for g in T4_GROUPS):
        if cells[f"t4.{group}.total"] != sum(cells[f"t4.{group}.{c.id}"] for c in T4_COLUMNS[:-1]):
            broken.append(f"t4 {group}")
    return broken
