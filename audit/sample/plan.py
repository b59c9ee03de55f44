"""Which reports the sample holds: the curated handful, or thousands drawn at random.

The curated plan is the project's own sample (``make run``, the tests, the demo portals): six
invented agencies, 2023–2025 (and a 2019-form report for 2020), every medium, each planted defect
of interest once. ``柳塘县自然资源和规划局`` publishes nothing for 2025, so the store reports it as
missing (TL02) once its deadline has passed. The bulk plan enumerates invented agencies and gives
each three years in a random medium; its defects are drawn by the builder (they depend on the
figures drawn).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from audit.form import FORMAT_2019, FORMAT_2021
from audit.sample.agencies import Agency, curated, invented

AS_OF = date(2026, 6, 30)  # the day the sample describes: every report published, deadlines passed
YEARS = (2023, 2024, 2025)
RANDOM = None  # defects drawn by the builder


@dataclass(frozen=True)
class Planned:
    """One report to generate: whose, which year and form, in which medium, with which defects."""

    agency: Agency
    year: int
    form: str
    medium: str
    encoding: str = "utf-8"
    defects: tuple[str, ...] | None = RANDOM
    copy_from: str | None = None  # slug of the agency whose 五 this report copies (same year)

    @property
    def key(self) -> str:
        """Return the document's stable name: agency slug and year."""
        return f"{self.agency.slug}-{self.year}"


# slug, year, medium, defects (copied_other: the source agency after a colon)
_CURATED = (
    ("linxi-gov", 2023, "pdf", ()),
    ("linxi-gov", 2024, "pdf", ("narrative_new",)),
    ("linxi-gov", 2025, "html-trs", ("combined",)),
    ("liutang-gov", 2023, "html-trs", ("no_results",)),
    ("liutang-gov", 2024, "html-hanweb", ("carry_over",)),
    ("liutang-gov", 2025, "docx", ("late",)),
    ("baisha-town", 2020, "text", ()),
    ("baisha-town", 2024, "text", ("no_last_year",)),
    ("baisha-town", 2025, "html-hanweb", ("missing_section",)),
    ("linxi-market", 2023, "docx", ("t3_balance",)),
    ("linxi-market", 2024, "html-trs", ("copied_other:liutang-nr",)),
    ("linxi-market", 2025, "pdf", ()),
    ("liutang-nr", 2023, "text", ("title_variant", "norm_label")),
    ("liutang-nr", 2024, "html-hanweb", ()),
    ("linxi-zone", 2024, "pdf", ()),
    ("linxi-zone", 2025, "docx", ("copied_last_year",)),
)


def curated_plan() -> list[Planned]:
    """Return the reports of the project's own sample."""
    agencies = {a.slug: a for a in curated()}
    out = []
    for slug, year, medium, defects in _CURATED:
        agency = agencies[slug]
        names = tuple(d.split(":")[0] for d in defects)
        source = next((d.split(":")[1] for d in defects if ":" in d), None)
        encoding = "gbk" if medium == "html-hanweb" and agency.slug.startswith("liutang") else "utf-8"
        form = FORMAT_2019 if year < 2021 else FORMAT_2021
        out.append(Planned(agency, year, form, medium, encoding, names, source))
    return out


_MEDIUM_WEIGHTS = {"text": 25, "html": 40, "docx": 15, "pdf": 20}


def bulk_plan(count: int, seed: int) -> list[Planned]:
    """Return ``count`` reports of invented agencies, three years each (defects drawn later).

    A page is in the style of the agency's portal (half the Hanweb ones in GBK); one agency in
    twenty also has a 2020 report in the 2019 trial form.
    """
    rng = random.Random(f"plan:{seed}")
    agencies = invented(-(-count // len(YEARS)), rng)
    media = list(_MEDIUM_WEIGHTS)
    out: list[Planned] = []
    for agency in agencies:
        years = ((2020,) if rng.random() < 0.05 else ()) + YEARS
        for year in years:
            if len(out) == count:
                return out
            medium = rng.choices(media, weights=[_MEDIUM_WEIGHTS[m] for m in media])[0]
            if medium == "html":
                medium = f"html-{agency.cms}"
            encoding = "gbk" if medium == "html-hanweb" and rng.random() < 0.5 else "utf-8"
            form = FORMAT_2019 if year < 2021 else FORMAT_2021
            out.append(Planned(agency, year, form, medium, encoding))
    return out
