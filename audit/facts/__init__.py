"""Facts: the small, flat records the rule base matches on, derived from a parsed report.

A rule in ``rules/catalog`` names one fact type and a condition over that fact's fields. Python
computes here what a declarative condition cannot (topic presence, numbers read from the
narrative, artefacts, years, similarity to last year, days after a deadline) and exposes it as
fields; the decision itself stays in the rule (``stated != table``, ``total != natural + …``).
Facts are observations, rules are decisions.

The facts come in families, one module each, each declaring its fact types and their fields in
one place (a :class:`~audit.facts.base.Family` with ``FACTS``) and registered with
:func:`~audit.facts.base.register`:

=============  ==========================================================  ===============
module         fact types                                                  rules
=============  ==========================================================  ===============
document       document                                                    TL01–TL04
structure      section, section_pair, table_cells, anomaly,                ST01–ST05,
               table_structure, outdated_marker                            FM01–FM05
topics         s1_topic, oversight                                         ST06, ST07
content        s5_content, s6_content                                      ST08–ST12
years          statistical_period, year_mention                            ST13, FM07
artefacts      artefacts                                                   FM06
tables         t3_row, t3_column, t4_group, rule_making                    BL01–BL04, PL01
stated         stated_applications, stated_no_applications,                NT01–NT07
               stated_outcome, stated_appeal, stated_t2, fee_statement,
               unread_statement (counted "not compared", no rule)
history        t3_carry, t2_continuity, similarity                         CY01–CY04
copies         copy                                                        CY05
rectification  notified_finding (last year's notified findings in 五)       CY06
measures       section_size, publication (for local rule packs)            (local packs)
=============  ==========================================================  ===============

:data:`FACT_FIELDS` (which the catalogue loader checks every rule against) is derived from the
declarations; :func:`build_facts` is the one entry point.

Conventions:

- one fact per possible defect instance (a table-3 row, a column, a section, a topic, a sentence),
  so that one finding is reported per defect instance;
- ``fields`` holds flat JSON scalars only (fewer than 240), exactly the declared ones; a missing
  cell is ``None`` and a rule never fires on a ``None`` field;
- ``evidence`` is what proves a finding: cell id → value, and the quoted sentence of the narrative;
- an unreadable report yields only the ``document`` fact (TL03), so no other rule can fire on it.

Recipe — add a fact (for a rule that needs an observation no fact gives yet):

1. in the family module it belongs to, add the type and its fields to the family's ``FACTS``
   (or a field to an existing type) and yield it from ``build`` with ``self.fact(type, key,
   fields, evidence)``; a new family is a new module with a ``@register``-ed class, imported
   below. Reading code for the narrative goes in :mod:`audit.facts.narrative` (counts) or beside
   the family (topics, years, artefacts);
2. add a test of the reading (``tests/test_narrative.py`` / ``tests/test_facts.py``) and, for a
   phrasing, a line in docs/wording.md.

Recipe — add a rule: write ``rules/catalog/<GROUP>/<ID>.yaml`` (basis, rationale, ``fact``,
``when`` over that fact's fields, locator and message templates) and ``tests/rules/cases/<ID>.yaml``
with at least one case that fires and one that does not (whole documents under ``cases``, the
condition's boundaries as fact cases under ``facts``: ``test_pass_*`` / ``test_fail_*``). A rule
that needs a new fact touches three files: the family module, the rule and its cases.
"""

from __future__ import annotations

# The family modules register their families on import, in this order.
from audit.facts import (  # noqa: F401
    artefacts,
    content,
    copies,
    document,
    history,
    measures,
    rectification,
    roster,
    stated,
    structure,
    tables,
    topics,
    years,
)
from audit.facts.base import FAMILIES, Fact, View
from audit.report import AuditContext, Report

__all__ = ["FACT_FIELDS", "FAMILIES", "Fact", "build_facts"]


def _fact_fields() -> dict[str, tuple[str, ...]]:
    return {type_: fields for family in FAMILIES for type_, fields in family.FACTS.items()}


#: Every fact type and its fields, as the families declare them (the catalogue loader checks
#: rules against this).
FACT_FIELDS: dict[str, tuple[str, ...]] = _fact_fields()


def build_facts(report: Report, ctx: AuditContext) -> list[Fact]:
    """Return the facts of a report (and its context) that the rule base matches on."""
    v = View(report, ctx)
    facts: list[Fact] = []
    for family in FAMILIES:
        if report.readable or family.UNREADABLE:
            facts.extend(family().build(v))
    return facts
