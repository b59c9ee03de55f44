"""The invented agencies of the sample: a handful for the curated sample, thousands on demand.

Every name is invented (place names are pairs of syllables that no real division carries; region
codes start with 99, which no province has). An agency's ``kind`` decides its level, what it may
print in table 2 (only a 设区的市 government makes 规章), the magnitudes of its figures and the
vocabulary of its narrative (``domain``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from audit.organs import Level

# kind → (level, self-reference in the narrative, scope word, site suffix)
KINDS: dict[str, tuple[Level, tuple[str, ...], str]] = {
    "city_government": ("government", ("市政府", "市人民政府"), "全市"),
    "county_government": ("government", ("县政府", "县人民政府"), "全县"),
    "district_government": ("government", ("区政府", "区人民政府"), "全区"),
    "township": ("department", ("镇政府", "本镇", "我镇"), "全镇"),
    "city_bureau": ("department", ("我局", "本机关", "市{bureau_short}"), "全市"),
    "county_bureau": ("department", ("我局", "本机关", "县{bureau_short}"), "全县"),
    # A 管委会 reports as a government in this (invented) province: the registry says so.
    "zone": ("government", ("管委会", "开发区管委会"), "全区"),
}

# domain → (bureau name, short name used in the narrative)
BUREAUS: dict[str, tuple[str, str]] = {
    "market": ("市场监督管理局", "市场监管局"),
    "natural_resources": ("自然资源和规划局", "自然资源和规划局"),
    "hrss": ("人力资源和社会保障局", "人社局"),
    "housing": ("住房和城乡建设局", "住建局"),
    "education": ("教育局", "教育局"),
    "ecology": ("生态环境局", "生态环境局"),
    "transport": ("交通运输局", "交通运输局"),
    "health": ("卫生健康委员会", "卫健委"),
    "civil": ("民政局", "民政局"),
    "agriculture": ("农业农村局", "农业农村局"),
}


@dataclass(frozen=True)
class Agency:
    """An invented agency: its printed name, level, region and what its reports talk about."""

    slug: str  # ASCII, used in file names
    name: str  # as printed in its reports
    kind: str
    region: str  # administrative division code (invented: 99…)
    domain: str  # "government", "township", "zone" or a key of BUREAUS
    place: str  # the place name the agency belongs to (临溪市, 柳塘县 …)
    host: str  # invented web host of its portal
    cms: str  # "trs" or "hanweb": the page style of its portal

    @property
    def level(self) -> Level:
        """Return the level the registry gives the agency (the one the audit uses)."""
        return KINDS[self.kind][0]

    @property
    def scope(self) -> str:
        """Return the scope word of the narrative (全市, 全县 …)."""
        return KINDS[self.kind][2]

    @property
    def makes_rules(self) -> bool:
        """Return whether the agency may make 规章 (only a 设区的市 government here)."""
        return self.kind == "city_government"

    @property
    def is_government(self) -> bool:
        """Return whether the agency is a government reporting for itself."""
        return self.level == "government"

    def self_names(self) -> tuple[str, ...]:
        """Return the ways the narrative refers to the agency itself."""
        short = BUREAUS.get(self.domain, ("", ""))[1]
        return tuple(s.format(bureau_short=short) for s in KINDS[self.kind][1])

    @property
    def site(self) -> str:
        """Return the name of the agency's portal as printed in its reports."""
        if self.kind in ("city_bureau", "county_bureau"):
            return f"{self.place}人民政府门户网站"
        return f"{self.name}门户网站"

    @property
    def office(self) -> str:
        """Return the office that compiles the report (named in the preamble)."""
        if self.is_government and self.kind != "zone":
            return f"{self.name}办公室"
        if self.kind == "zone":
            return f"{self.name}党政办公室"
        return f"{self.name}办公室"


def curated() -> list[Agency]:
    """Return the handful of agencies of the default sample (one of each kind that matters)."""
    return [
        Agency(
            "linxi-gov",
            "临溪市人民政府",
            "city_government",
            "990100",
            "government",
            "临溪市",
            "www.linxi.gov.cn",
            "trs",
        ),
        Agency(
            "liutang-gov",
            "柳塘县人民政府",
            "county_government",
            "990123",
            "government",
            "柳塘县",
            "www.liutang.gov.cn",
            "hanweb",
        ),
        Agency(
            "baisha-town",
            "柳塘县白沙镇人民政府",
            "township",
            "990123101",
            "township",
            "柳塘县",
            "www.liutang.gov.cn",
            "hanweb",
        ),
        Agency(
            "linxi-market",
            "临溪市市场监督管理局",
            "city_bureau",
            "990100",
            "market",
            "临溪市",
            "www.linxi.gov.cn",
            "trs",
        ),
        Agency(
            "liutang-nr",
            "柳塘县自然资源和规划局",
            "county_bureau",
            "990123",
            "natural_resources",
            "柳塘县",
            "www.liutang.gov.cn",
            "hanweb",
        ),
        Agency(
            "linxi-zone",
            "临溪高新技术产业开发区管理委员会",
            "zone",
            "990171",
            "zone",
            "临溪市",
            "lxhz.linxi.gov.cn",
            "trs",
        ),
    ]


_CITY = "临溪云岫澄川青屿桐岭枫渚汀阳岚浦星垣柘原梧渊苍澜瑶川溯阳霁川泓澈"
_COUNTY_A = "柳杏栗橦蒲芦槐苇茅桑荻檀楮榴菱蓼芷蘅荇蔚"
_COUNTY_B = "塘坪阳湾岭洲川溪坞原"
_TOWNS = "白沙石桥青石沙溪梅坞竹园枫林双河马鞍黄泥新塘长乐水口观音大坪"


def _pairs(chars: str) -> list[str]:
    return [chars[i : i + 2] for i in range(0, len(chars) - 1, 2)]


def _organs(slug: str, place: str, kind: str, code: str, host: str, cms: str) -> list[Agency]:
    """Return a place's government and its bureaus."""
    bureau = "city_bureau" if kind == "city_government" else "county_bureau"
    out = [Agency(f"{slug}-gov", f"{place}人民政府", kind, code, "government", place, host, cms)]
    for domain, (name, _short) in BUREAUS.items():
        out.append(Agency(f"{slug}-{domain}", f"{place}{name}", bureau, code, domain, place, host, cms))
    return out


def invented(count: int, rng: random.Random) -> list[Agency]:
    """Return ``count`` distinct invented agencies of every kind, for bulk samples.

    Cities, counties (one syllable from each of two lists) and towns are enumerated; each city has
    its government, bureaus and a development zone, each county its government, bureaus and towns.
    """
    out: list[Agency] = []
    counties = [a + b for b in _COUNTY_B for a in _COUNTY_A]
    rng.shuffle(counties)
    cities = _pairs(_CITY)
    per_city = len(counties) // len(cities)
    for ci, city in enumerate(cities):
        slug, place, cms = f"c{ci:02d}", f"{city}市", ("trs", "hanweb")[ci % 2]
        out += _organs(slug, place, "city_government", f"99{ci + 1:02d}00", f"www.city{ci:02d}.gov.cn", cms)
        zone = f"{city}经济技术开发区管理委员会"
        out.append(
            Agency(
                f"{slug}-zone",
                zone,
                "zone",
                f"99{ci + 1:02d}71",
                "zone",
                place,
                f"jkq.city{ci:02d}.gov.cn",
                cms,
            )
        )
        for ki, county in enumerate(counties[ci * per_city : (ci + 1) * per_city]):
            kslug, kplace, kcode = f"{slug}k{ki:02d}", f"{county}县", f"99{ci + 1:02d}{ki + 21:02d}"
            khost, kcms = f"www.{kslug}.gov.cn", ("trs", "hanweb")[(ci + ki) % 2]
            out += _organs(kslug, kplace, "county_government", kcode, khost, kcms)
            for ti, town in enumerate(_pairs(_TOWNS)):
                name = f"{kplace}{town}镇人民政府"
                out.append(
                    Agency(
                        f"{kslug}t{ti:02d}",
                        name,
                        "township",
                        f"{kcode}{ti + 101:03d}",
                        "township",
                        kplace,
                        khost,
                        kcms,
                    )
                )
        if len(out) >= count * 4:
            break
    rng.shuffle(out)
    return out[:count]
