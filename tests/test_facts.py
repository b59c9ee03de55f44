"""Facts derived from a report (audit.facts): shapes, one fact per defect instance, context facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audit.facts import FACT_FIELDS, FAMILIES, Fact, build_facts
from audit.facts.base import FactDeclarationError, Family, register
from audit.form import SECTIONS, all_cells
from audit.parse import parse_path
from audit.report import Anomaly, AuditContext, CellValue, Report, Section
from audit.rulebook.check import check_report

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLEAN = ["clean_gov_2023.txt", "clean_gov_2022.txt", "clean_dept_2023.txt", "clean_dept_2020.txt"]


def hand_report(fmt: str = "2021", **cells: int | float | None) -> Report:
    """A small, complete, balanced report built by hand (all cells 0 unless given)."""
    r = Report(source="hand.txt", agency="某市某区人民政府", year=2023, level="government", format=fmt)  # type: ignore[arg-type]
    for i, s in enumerate(SECTIONS):
        r.sections[s.id] = Section(id=s.id, present=True, title=s.canonical, text="", position=i)
    r.section_order = [s.id for s in SECTIONS]
    for cid in all_cells(fmt):
        r.cells[cid] = CellValue(value=0)
    for key, value in cells.items():
        r.cells[key.replace("__", ".")] = CellValue(value=value)
    r.tables_found = ["t2", "t3", "t4"]
    return r


def of_type(facts: list[Fact], type_: str) -> list[Fact]:
    return [f for f in facts if f.type == type_]


def by_key(facts: list[Fact], type_: str, key: str) -> Fact:
    return next(f for f in facts if f.key == f"{type_}:{key}")


# ---------------------------------------------------------------------------------------------
# Shape


@pytest.mark.parametrize("name", CLEAN)
def test_fact_shapes_are_flat_small_unique_and_declared(name: str) -> None:
    report = parse_path(REPORTS / name)
    previous = parse_path(REPORTS / "clean_gov_2022.txt")
    ctx = AuditContext(
        previous=previous,
        published_on=date(2024, 3, 1),
        copies=[
            {
                "section": "S5",
                "other_agency": "某局",
                "other_source": "x.txt",
                "similarity": 0.9,
                "cluster": 3,
            }
        ],
        http_status=200,
    )
    facts = build_facts(report, ctx)
    keys = [f.key for f in facts]
    assert len(keys) == len(set(keys))
    for f in facts:
        assert f.type in FACT_FIELDS, f.type
        assert set(f.fields) <= set(FACT_FIELDS[f.type]), (f.type, set(f.fields) - set(FACT_FIELDS[f.type]))
        assert len(f.fields) < 240
        assert not {"id", "sid"} & set(f.fields)
        for v in f.fields.values():
            assert v is None or isinstance(v, (str, int, float, bool)), (f.type, v)


def test_fact_fields_are_derived_from_the_family_declarations() -> None:
    declared = [(t, f) for family in FAMILIES for t, f in family.FACTS.items()]
    assert FACT_FIELDS == dict(declared)
    assert len(declared) == len(FACT_FIELDS)  # each type declared once


def test_a_fact_must_match_its_declaration() -> None:
    class Probe(Family):
        FACTS = {"probe": ("a", "b")}

    assert Probe.fact("probe", "k", {"a": 1, "b": None}).key == "probe:k"
    for fields in ({"a": 1}, {"a": 1, "b": 2, "c": 3}):
        with pytest.raises(FactDeclarationError):
            Probe.fact("probe", "k", fields)
    with pytest.raises(FactDeclarationError):
        Probe.fact("undeclared", "k", {})


def test_a_fact_type_is_declared_by_one_family() -> None:
    class Twin(Family):
        FACTS = {"section": ("section",)}

    with pytest.raises(FactDeclarationError):
        register(Twin)
    assert Twin not in FAMILIES


@pytest.mark.parametrize("name", CLEAN)
def test_clean_fixture_reports_have_no_findings(name: str) -> None:
    report = parse_path(REPORTS / name)
    assert check_report(report, AuditContext()) == []


def test_clean_government_report_against_its_previous_year_has_no_findings() -> None:
    report = parse_path(REPORTS / "clean_gov_2023.txt")
    ctx = AuditContext(previous=parse_path(REPORTS / "clean_gov_2022.txt"), published_on=date(2024, 3, 15))
    assert check_report(report, ctx) == []


# ---------------------------------------------------------------------------------------------
# Tables


def test_one_t3_row_fact_per_data_row_and_missing_stays_none() -> None:
    r = hand_report(**{"t3__granted__natural": 2, "t3__granted__total": None})
    facts = build_facts(r, AuditContext())
    rows = of_type(facts, "t3_row")
    assert len(rows) == 25
    granted = by_key(facts, "t3_row", "granted")
    assert granted.fields["natural"] == 2
    assert granted.fields["total"] is None
    assert granted.evidence["t3.granted.total"] is None
    assert granted.fields["row_label"] == "（一）予以公开"


def test_t3_column_sums_the_three_other_rows_and_is_none_when_one_is_missing() -> None:
    r = hand_report(**{"t3__other__no_correction__total": 1, "t3__other__fee_unpaid__total": 2})
    col = by_key(build_facts(r, AuditContext()), "t3_column", "total")
    assert col.fields["other"] == 3
    assert col.fields["column_label"] == "总计"
    r = hand_report(**{"t3__other__other__total": None})
    col = by_key(build_facts(r, AuditContext()), "t3_column", "total")
    assert col.fields["other"] is None
    assert col.fields["leaves_sum"] is None


def test_2019_form_uses_the_single_other_row() -> None:
    r = hand_report("2019", **{"t3__other__natural": 4})
    col = by_key(build_facts(r, AuditContext()), "t3_column", "natural")
    assert col.fields["other"] == 4
    assert not of_type(build_facts(r, AuditContext()), "rule_making")


def test_table_cells_fact_lists_missing_ids_in_evidence() -> None:
    r = hand_report(**{"t4__review__upheld": None, "t4__review__total": None})
    t4 = by_key(build_facts(r, AuditContext()), "table_cells", "t4")
    assert t4.fields["missing"] == 2
    assert t4.evidence == {"t4.review.upheld": None, "t4.review.total": None}
    assert by_key(build_facts(r, AuditContext()), "table_cells", "t3").fields["missing"] == 0


def test_t4_group_facts() -> None:
    r = hand_report(**{"t4__lit_direct__upheld": 1, "t4__lit_direct__total": 1})
    g = by_key(build_facts(r, AuditContext()), "t4_group", "lit_direct")
    assert (g.fields["upheld"], g.fields["total"], g.fields["parts_sum"]) == (1, 1, 1)
    assert g.fields["group_label"] == "行政诉讼（未经复议直接起诉）"


def test_structure_anomalies_are_one_fact_per_table_and_labels_one_per_anomaly() -> None:
    r = hand_report()
    r.anomalies = [
        Anomaly(kind="column_count", locator="t3.partial", detail="x"),
        Anomaly(kind="column_count", locator="t3.carry_out", detail="x"),
        Anomaly(kind="missing_row", locator="t3.other.other", detail="x"),
        Anomaly(kind="label_variant", locator="t2.norm", printed="规范性文件", canonical="行政规范性文件"),
        Anomaly(kind="section_title_variant", locator="S5", printed="五、存在主要问题及改进情况"),
        Anomaly(kind="not_a_number", locator="t2.fee.amount", printed="251000元", detail="不是数"),
    ]
    facts = build_facts(r, AuditContext())
    structure = of_type(facts, "table_structure")
    assert len(structure) == 1
    assert structure[0].fields["column_count"] == 2 and structure[0].fields["missing_rows"] == 1
    kinds = sorted(f.fields["kind"] for f in of_type(facts, "anomaly"))
    assert kinds == ["label_variant", "not_a_number", "section_title_variant"]
    label = next(f for f in of_type(facts, "anomaly") if f.fields["kind"] == "label_variant")
    assert label.fields["is_table"] is True
    assert label.evidence["印制"] == "规范性文件" and label.evidence["规定"] == "行政规范性文件"


def test_outdated_markers_are_grouped_by_table() -> None:
    r = hand_report()
    r.markers = ["本年新制作数量", "表三“（六）其他处理”为单行（2019试行格式），无1–3子项"]
    facts = of_type(build_facts(r, AuditContext()), "outdated_marker")
    assert sorted(f.fields["table"] for f in facts) == ["t2", "t3"]


# ---------------------------------------------------------------------------------------------
# Narrative facts


def test_stated_applications_compare_new_or_new_plus_carry() -> None:
    r = hand_report(**{"t3__new__total": 50, "t3__carry_in__total": 4})
    r.sections[
        "S1"
    ].text = "2023年共收到政府信息公开申请50件。办理政府信息公开申请54件（含上年结转申请4件）。"
    facts = of_type(build_facts(r, AuditContext()), "stated_applications")
    got = {(f.fields["kind"], f.fields["stated"], f.fields["table"]) for f in facts}
    assert got == {("new", 50, 50), ("new_plus_carry", 54, 54)}
    assert all(f.fields["locator"] == "t3.new.total" for f in facts)
    assert all(any(k.startswith("原文（S1") for k in f.evidence) for f in facts)


def test_stated_review_with_blank_total_counts_what_the_table_records() -> None:
    r = hand_report(
        **{f"t4__review__{c}": None for c in ("upheld", "corrected", "other", "pending", "total")},
        t4__lit_direct__other=1,
        t4__lit_direct__total=1,
    )
    r.sections["S1"].text = "因政府信息公开申请引发行政复议1件，后申请人撤销行政复议。"
    [fact] = of_type(build_facts(r, AuditContext()), "stated_appeal")
    assert fact.fields["stated"] == 1
    assert fact.fields["table"] == 0
    assert fact.fields["table_blank"] is True
    assert fact.fields["locator"] == "t4.review.total"


def test_litigation_is_compared_with_both_lawsuit_groups() -> None:
    r = hand_report(t4__lit_direct__total=2, t4__lit_after_review__total=1)
    r.sections["S1"].text = "政府信息公开行政诉讼3件。"
    [fact] = of_type(build_facts(r, AuditContext()), "stated_appeal")
    assert (fact.fields["stated"], fact.fields["table"], fact.fields["locator"]) == (3, 3, "t4")


def test_s6_and_s5_content_fields() -> None:
    r = hand_report()
    r.sections["S5"].text = "主要问题是公开不够及时。下一步将加强培训。"
    r.sections["S6"].text = "无。"
    facts = build_facts(r, AuditContext())
    s5 = by_key(facts, "s5_content", "S5").fields
    assert s5 == {"has_problems": True, "has_measures": True, "last_year_reported": False}
    s6 = by_key(facts, "s6_content", "S6").fields
    assert s6["text"] == "无" and s6["fee_reported"] is False


def test_absent_section_yields_no_content_fact() -> None:
    r = hand_report()
    r.sections["S6"] = Section(id="S6", present=False)
    facts = build_facts(r, AuditContext())
    assert not of_type(facts, "s6_content")
    assert by_key(facts, "section", "S6").fields["present"] is False


# ---------------------------------------------------------------------------------------------
# Context, level, organ


def test_unreadable_report_yields_only_the_document_fact() -> None:
    r = hand_report()
    r.readable = False
    r.unreadable_reason = "字体编码损坏"
    facts = build_facts(r, AuditContext(published_on=date(2024, 1, 1)))
    assert [f.type for f in facts] == ["document"]
    assert facts[0].fields["readable"] is False


@pytest.mark.parametrize(
    ("level", "published", "local", "deadline", "late"),
    [
        ("government", date(2024, 4, 2), None, "2024-03-31", 2),
        ("government", date(2024, 3, 31), None, "2024-03-31", 0),
        ("department", date(2024, 2, 1), None, "2024-01-31", 1),
        ("government", date(2024, 2, 25), date(2024, 2, 20), "2024-02-20", 5),
        ("department", date(2024, 1, 20), date(2024, 2, 28), "2024-01-31", -11),
    ],
)
def test_publication_deadline(
    level: str, published: date, local: date | None, deadline: str, late: int
) -> None:
    r = hand_report()
    r.level = level  # type: ignore[assignment]
    doc = by_key(
        build_facts(r, AuditContext(published_on=published, local_deadline=local)), "document", "report"
    )
    assert doc.fields["deadline"] == deadline
    assert doc.fields["days_late"] == late


def test_document_without_context_has_no_publication_fields() -> None:
    doc = by_key(build_facts(hand_report(), AuditContext()), "document", "report")
    assert doc.fields["days_late"] is None
    assert doc.fields["http_status"] is None


def test_previous_year_facts() -> None:
    r = hand_report(t3__carry_in__total=4, t2__norm__valid=25, t2__norm__made=3, t2__norm__repealed=2)
    prev = hand_report(t3__carry_out__total=3, t2__norm__valid=24)
    prev.year = 2022
    facts = build_facts(r, AuditContext(previous=prev))
    carry = by_key(facts, "t3_carry", "total").fields
    assert (carry["carry_in"], carry["prev_carry_out"], carry["prev_year"]) == (4, 3, 2022)
    cont = by_key(facts, "t2_continuity", "norm").fields
    assert (cont["valid"], cont["prev_valid"], cont["made"], cont["repealed"]) == (25, 24, 3, 2)
    assert not of_type(build_facts(r, AuditContext()), "t3_carry")


def test_similarity_facts_need_both_sections() -> None:
    r = hand_report()
    prev = hand_report()
    text = "（一）存在的主要问题。政策解读形式单一，图解视频偏少，基层专区建设不均衡。下一步将丰富解读形式。"
    r.sections["S5"].text = text
    prev.sections["S5"].text = text
    facts = of_type(build_facts(r, AuditContext(previous=prev)), "similarity")
    assert [(f.fields["section"], f.fields["similarity"]) for f in facts] == [("S5", 1.0)]


def test_copy_facts_come_from_the_context() -> None:
    copies = [
        {
            "section": "S1",
            "other_agency": "某局",
            "other_source": "a.txt",
            "similarity": 0.912345,
            "cluster": 7,
        }
    ]
    [fact] = of_type(build_facts(hand_report(), AuditContext(copies=copies)), "copy")
    assert fact.fields == {
        "section": "S1",
        "section_label": "一、总体情况",
        "other_agency": "某局",
        "other_source": "a.txt",
        "similarity": 0.912,
        "cluster": "7",
        "partners": 1,
    }


def test_missing_cells_are_described_as_a_reader_sees_them() -> None:
    from audit.facts.structure import describe_missing

    whole = [
        f"t3.other.fee_unpaid.{c}"
        for c in ("natural", "commercial", "research", "social", "legal", "other_org", "total")
    ]
    assert (
        describe_missing("t3", whole)
        == "“2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请”行"
    )
    assert describe_missing("t3", ["t3.new.natural"]) == "表三“一、本年新收政府信息公开申请数量”行“自然人”列"
    review = [f"t4.review.{c}" for c in ("upheld", "corrected", "other", "pending", "total")]
    assert describe_missing("t4", review) == "“行政复议”各栏"
    assert describe_missing("t2", ["t2.fee.amount"]) == "表二“行政事业性收费”行“本年收费金额（单位：万元）”"
