"""The narrative of a generated report, written from the phrase pools in ``templates/phrases.yaml``.

A :class:`Writer` draws alternatives for one report (without repeating one while others are left)
and fills in the report's values; :func:`write_sections` composes the six sections, choosing per
report how sub-items are headed (own line or run into the paragraph), which optional paragraphs
appear and in what order. What a planted defect needs (a figure stated wrongly, a combined
statement, a paragraph left out) arrives as :class:`Wording` options.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import yaml

from audit.sample.agencies import Agency
from audit.sample.document import Para, Section, canonical_title

_SLOT = re.compile(r"\{([@#]?)([\w\-]+)\}")
ORDINALS = "一二三四五六七八九十"


@cache
def phrases() -> dict:
    """Return the phrase pools (package data ``templates/phrases.yaml``)."""
    text = files("audit.sample").joinpath("templates/phrases.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass
class Wording:
    """How the narrative departs from the plain report (set by planted defects)."""

    stated: dict[str, int] = field(default_factory=dict)  # figures the text states, when not the table's
    combined: bool = False  # state counts in combined sentences (分别为…, 含上年结转…)
    omit: set[str] = field(default_factory=set)  # paragraphs left out: last_year, fee, key_points, results
    titles: dict[str, str] = field(default_factory=dict)  # printed section titles, when not the form's
    forced: dict[str, int] = field(default_factory=dict)  # pool → the alternative to use


class Writer:
    """Draws phrases for one report and fills in its values."""

    def __init__(
        self,
        agency: Agency,
        values: dict[str, object],
        rng: random.Random,
        forced: dict[str, int] | None = None,
    ) -> None:
        """Prepare the pools of the agency's domain and the values the phrases may quote."""
        data = phrases()
        self.pools: dict[str, list[str]] = {k: v for k, v in data.items() if isinstance(v, list)}
        self.pools.update(data["domains"][agency.domain])
        self.values = values
        self.rng = rng
        self._left: dict[str, list[str]] = {}
        self.forced = forced or {}

    def draw(self, pool: str) -> str:
        """Return an alternative of ``pool`` not used yet in this report (while any is left), filled in."""
        if pool in self.forced:
            return self.fill(self.pools[pool][self.forced[pool]])
        left = self._left.get(pool)
        if not left:
            left = self._left[pool] = list(self.pools[pool])
        choice = left.pop(self.rng.randrange(len(left)))
        return self.fill(choice)

    def fill(self, template: str) -> str:
        """Return ``template`` with its slots filled (see the header of phrases.yaml)."""

        def slot(m: re.Match[str]) -> str:
            kind, name = m.groups()
            if kind == "@":
                return self.draw(name)
            if kind == "#":
                low, high = name.split("-")
                return str(self.rng.randint(int(low), int(high)))
            return str(self.values[name])

        return _SLOT.sub(slot, template)

    def some(self, pool: str, low: int, high: int) -> list[str]:
        """Return between ``low`` and ``high`` alternatives of ``pool``."""
        return [self.draw(pool) for _ in range(self.rng.randint(low, high))]


def enumerate_cn(items: list[str]) -> str:
    """Return items as 一是…；二是…；三是…。"""
    return "；".join(f"{ORDINALS[i]}是{text}" for i, text in enumerate(items)) + "。"


def _item(w: Writer, heading: str, body: list[str], run_in: bool) -> list[Para]:
    """Return a sub-item: its heading on a line of its own, or run into the paragraph."""
    text = "".join(body)
    if run_in:
        return [Para(f"{heading}。{text}")]
    return [Para(heading, "subheading"), Para(text)]


def _s1(w: Writer, agency: Agency, figures: dict[str, int], opts: Wording) -> list[Para]:
    """Return the paragraphs of 一、总体情况 (intro and the five topics)."""
    run_in = w.rng.random() < 0.5
    stated = {**figures, **opts.stated}
    w.values.update(stated)
    proactive = w.some("proactive", 2, 3)
    if "norm_made" in w.values and w.rng.random() < 0.6:
        proactive.append(w.draw("norms_statement"))
    if "reg_made" in w.values and agency.makes_rules and w.rng.random() < 0.5:
        proactive.append(w.draw("rules_statement"))
    if stated["new"] or stated["carry_in"]:
        request = [w.draw("request_some")]
        if opts.combined:
            request.append(w.draw("request_combined"))
        request += w.some("request_process", 1, 2)
    else:
        request = [w.draw("request_none")]
    if stated["reviews"] or stated["lawsuits"]:
        request.append(w.draw("appeals_combined" if opts.combined else "appeals_some"))
    else:
        request.append(w.draw("appeals_none"))
    platform = w.some("platform", 2, 3)
    if agency.kind.endswith("government") and w.rng.random() < 0.6:
        platform.append(w.draw("gazette"))
    oversight = w.some("oversight", 1, 2)
    if agency.is_government and "results" not in opts.omit:
        oversight += [
            w.draw("oversight_results"),
            w.draw("evaluation_results"),
            w.draw("accountability_results"),
        ]
    paras = [Para(w.draw("intro"))]
    for head, body in (
        ("head_proactive", proactive),
        ("head_request", request),
        ("head_management", w.some("management", 2, 3)),
        ("head_platform", platform),
        ("head_oversight", oversight),
    ):
        paras += _item(w, w.draw(head), body, run_in)
    return paras


def _s5(w: Writer, opts: Wording, last_problems: list[str]) -> tuple[list[Para], list[str]]:
    """Return the paragraphs of 五 and the problems it names (next year's report may recall one)."""
    problems = w.some("problems", 2, 3)
    measures = w.some("measures", 2, 4)
    if last_problems:
        w.pools["problems"] = last_problems  # last year's own problems, as the agency listed them
        w._left.pop("problems", None)
    paras_problems = w.draw("s5_problems_lead") + enumerate_cn(problems)
    paras_measures = w.draw("s5_measures_lead") + enumerate_cn(measures)
    last = "" if "last_year" in opts.omit else w.draw("last_year")
    if w.rng.random() < 0.5:
        paras = [Para(paras_problems), Para(paras_measures)]
        if last:
            paras.insert(1 if w.rng.random() < 0.5 else 2, Para(last))
        return paras, problems
    paras = [Para("（一）存在的主要问题", "subheading"), Para(paras_problems)]
    paras += [Para("（二）改进措施", "subheading"), Para(paras_measures)]
    if last:
        paras += [Para("（三）上年度问题整改情况", "subheading"), Para(last)]
    return paras, problems


def _s6(w: Writer, year: int, opts: Wording) -> list[Para]:
    """Return the paragraphs of 六: fee, 要点 and optional items, numbered or not."""
    items = []
    if "fee" not in opts.omit:
        items.append(("信息处理费收取情况", w.draw("fee")))
    if "key_points" not in opts.omit:
        items.append((f"{year}年政务公开工作要点落实情况", w.draw("key_points")))
    if w.rng.random() < 0.5:
        items.append(("人大代表建议和政协委员提案办理结果公开情况", w.draw("proposals")))
    if w.rng.random() < 0.3:
        items.append(("工作创新情况", w.draw("innovation")))
    if w.rng.random() < 0.6:
        return [Para(f"（{ORDINALS[i]}）{head}。{body}") for i, (head, body) in enumerate(items)]
    return [Para(body) for _, body in items]


def write_sections(
    w: Writer, agency: Agency, year: int, figures: dict[str, int], opts: Wording, last_problems: list[str]
) -> tuple[list[Section], list[str]]:
    """Return the six sections (tables are added by the draft) and the problems named in 五."""
    s5, problems = _s5(w, opts, last_problems)
    bodies = {"S1": _s1(w, agency, figures, opts), "S5": s5, "S6": _s6(w, year, opts)}
    sections = []
    for sid in ("S1", "S2", "S3", "S4", "S5", "S6"):
        title = opts.titles.get(sid, canonical_title(sid))
        sections.append(Section(sid, title, bodies.get(sid, [])))
    return sections, problems


def preamble(w: Writer, form: str) -> str:
    """Return the preamble (legal basis, statistical period, contact)."""
    return w.draw("preamble_2019" if form == "2019" else "preamble_2021")
