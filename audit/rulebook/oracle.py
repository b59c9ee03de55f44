"""The plain-Python evaluator of the rule catalogue: the test oracle of :mod:`audit.rulebook.engine`.

Same API and semantics as :class:`audit.rulebook.engine.Engine`: a rule fires on a fact of its type when
every field its condition references is present and not ``None`` and the compiled predicate
holds (the predicate performs the same arithmetic, in the same order, as the durable condition).
Facts are validated the same way: shape, duplicates and field kinds.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.rulebook.catalog import Catalog
from audit.rulebook.condition import FactLike


class Oracle:
    """Evaluates a catalogue in plain Python."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def evaluate(self, facts: Sequence[FactLike], rule_ids: set[str] | None = None) -> list[tuple[str, int]]:
        """Return the sorted (rule id, fact index) pairs of every rule that fires on ``facts``."""
        self.catalog.check_facts(facts)
        out: list[tuple[str, int]] = []
        for index, fact in enumerate(facts):
            for rule in self.catalog.for_fact(fact.type):
                if rule_ids is not None and rule.id not in rule_ids:
                    continue
                cond = rule.condition
                if cond.applicable(fact.fields) and cond.predicate(fact.fields):
                    out.append((rule.id, index))
        return sorted(out)
