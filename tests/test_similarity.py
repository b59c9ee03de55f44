"""CY05: cross-agency near-duplicate narratives, template sentences excluded, clusters."""

from __future__ import annotations

import random

from audit.facts import similarity
from audit.facts.similarity import Narrative
from audit.rulebook.bounds import copy_floor
from audit.rulebook.check import default_catalog

FLOOR = copy_floor(default_catalog())  # the similarity CY05 fires at (its YAML)

FIELDS = [
    "重大项目",
    "乡村振兴",
    "安全生产",
    "生态环境",
    "住房保障",
    "社会救助",
    "食品药品",
    "卫生健康",
    "教育招生",
    "就业创业",
    "财政预决算",
    "政府采购",
    "营商环境",
    "养老服务",
    "交通运输",
    "水利建设",
    "农业农村",
    "市场监管",
    "应急管理",
    "城市更新",
    "文化旅游",
    "医疗保障",
    "退役军人",
    "民族宗教",
]
VERBS = ["围绕", "聚焦", "紧扣", "突出", "深化", "加强", "推进", "强化", "健全", "完善", "优化", "拓展"]
ACTIONS = [
    "开设专栏集中发布政策文件",
    "主动公开各类信息",
    "开展政策解读",
    "回应社会关切",
    "组织业务培训",
    "完善保密审查机制",
    "清理过期信息",
    "规范栏目设置",
    "推进数据开放",
    "加强督促检查",
    "落实三审三校制度",
    "开展网站巡查",
    "整合政务新媒体",
    "公开办事指南",
    "发布工作动态",
]
OBJECTS = [
    "群众办事更加便捷",
    "公开质量稳步提升",
    "政策知晓度明显提高",
    "监督渠道更加畅通",
    "信息发布更加规范",
    "平台运行平稳有序",
    "答复质量持续改进",
    "公众参与度不断提升",
]
TEMPLATE = [
    "本报告统计数据从{y}年1月1日至12月31日",
    "根据《中华人民共和国政府信息公开条例》规定，现发布本年度报告",
    "{y}年，本机关未收取信息处理费",
]
COMMON = "认真贯彻落实党中央国务院关于全面推进政务公开工作的决策部署，持续提升政务公开标准化规范化水平"


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(VERBS)}{rng.choice(FIELDS)}、{rng.choice(FIELDS)}等领域，{rng.choice(ACTIONS)}"
        f"{rng.randint(10, 900)}条，{rng.choice(VERBS)}{rng.choice(ACTIONS)}，{rng.choice(OBJECTS)}。"
    )


def make_narrative(rng: random.Random, agency: str, year: int = 2024) -> dict[str, str]:
    """A distinct narrative: random sentences over a shared vocabulary, plus template sentences."""

    def body(n: int) -> str:
        return "".join(_sentence(rng) for _ in range(n))

    template = "".join(t.format(y=year) + "。" for t in TEMPLATE)
    return {
        "S1": f"{year}年，{agency}{COMMON}。" + body(8) + template,
        "S5": "（一）存在问题。" + body(4) + "（二）改进措施。" + body(4),
        "S6": template + body(5),
    }


def corpus(n: int, seed: int = 7) -> list[Narrative]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        agency = f"测试市第{i + 1}局"
        items.append(
            Narrative(key=i, agency=agency, source=f"r{i}.txt", sections=make_narrative(rng, agency))
        )
    return items


def find_copies(items: list[Narrative], **kw: object) -> similarity.CopyResult:
    """Search the copies down to the catalogue's floor (CY05's threshold)."""
    return similarity.find_copies(items, floor=FLOOR, **kw)  # type: ignore[arg-type]


def plant_copy(original: Narrative, key: int, agency: str) -> Narrative:
    """Copy another agency's narrative: its name replaced, numbers changed, one sentence rewritten."""
    sections = {}
    for sid, text in original.sections.items():
        copied = text.replace(original.agency, agency)
        copied = "".join(str((int(c) + 3) % 10) if c.isdigit() else c for c in copied)
        sections[sid] = copied.replace("。", "。加强统筹协调，", 1)
    return Narrative(key=key, agency=agency, source="copy.txt", sections=sections)


def test_distinct_reports_give_no_copy() -> None:
    result = find_copies(corpus(50))
    assert result.copies == {}
    assert result.clusters == []


def test_planted_copy_found_among_50() -> None:
    items = corpus(50)
    items[31] = plant_copy(items[12], 31, items[31].agency)
    result = find_copies(items, cluster_prefix="2024-")
    assert set(result.copies) == {12, 31}
    sections = {c["section"] for c in result.copies[31]}
    assert sections == {"S1", "S5", "S6"}
    for copy in result.copies[31]:
        assert copy["other_agency"] == "测试市第13局"
        assert copy["other_source"] == "r12.txt"
        assert copy["similarity"] >= FLOOR and copy["jaccard"] <= copy["similarity"]
        assert copy["cluster"].startswith("2024-")
    assert {c.section for c in result.clusters} == {"S1", "S5", "S6"}
    assert all(sorted(c.members) == [12, 31] for c in result.clusters)


def test_three_copies_form_one_cluster() -> None:
    items = corpus(20)
    items[5] = plant_copy(items[2], 5, items[5].agency)
    items[9] = plant_copy(items[5], 9, items[9].agency)
    result = find_copies(items)
    s5 = [c for c in result.clusters if c.section == "S5"]
    assert len(s5) == 1 and sorted(s5[0].members) == [2, 5, 9]
    assert {c["cluster"] for c in result.copies[9] if c["section"] == "S5"} == {s5[0].id}


def test_template_sentences_do_not_make_a_copy() -> None:
    # Two reports that share only the official template and the common opening are not copies.
    rng = random.Random(3)
    a = Narrative(key="a", agency="甲局", source="a", sections=make_narrative(rng, "甲局"))
    b = Narrative(key="b", agency="乙局", source="b", sections=make_narrative(rng, "乙局"))
    b.sections["S6"] = a.sections["S6"].split("。")[0] + "。" + b.sections["S6"]
    assert find_copies([a, b]).copies == {}
    assert similarity.is_template(similarity.normalise_sentence("本报告统计数据从2024年1月1日至12月31日"))


def test_same_agency_versions_are_not_copies() -> None:
    items = corpus(3)
    twin = Narrative(key=99, agency=items[0].agency, source="v2", sections=dict(items[0].sections))
    assert find_copies([*items, twin]).copies == {}


def test_planted_copy_among_a_thousand() -> None:
    # 1,000 reports of a deliberately repetitive vocabulary (every shingle common: the worst case for
    # the prefix filter); its speed is measured by scripts/bench.py, not here.
    items = corpus(1000, seed=11)
    items[500] = plant_copy(items[100], 500, items[500].agency)
    result = find_copies(items)
    assert set(result.copies) == {100, 500}
