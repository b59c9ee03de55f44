"""Tests of the text reader and the label-driven parser."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit.form import all_cells
from audit.parse import parse_bytes, parse_path
from audit.readers import UnreadableError

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8")) if SEEDS.is_dir() else {}
SEED_NAMES = sorted(k for k in GOLD if not k.startswith("_"))
CLEAN = SEEDS / "003_552a8d10fa63c5da.txt"


def parse_text(text: str, name: str = "r.txt"):
    return parse_bytes(text.encode("utf-8"), name)


def kinds(report) -> list[tuple[str, str | None]]:
    return [(a.kind, a.locator) for a in report.anomalies]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_cells_match_gold(name: str) -> None:
    gold = GOLD[name]
    report = parse_path(SEEDS / name)
    assert report.agency == gold["agency"]
    assert report.year == gold["year"]
    assert report.level == gold["level"]
    assert report.format == gold["format"]
    got = {cid: c.value for cid, c in report.cells.items()}
    assert got == gold["cells"]


def test_every_cell_id_of_the_format_is_present_and_missing_is_none() -> None:
    report = parse_path(SEEDS / "003_552a8d10fa63c5da.txt")
    assert set(report.cells) == set(all_cells("2021"))
    assert report.value("t4.review.total") is None  # blank in the report: missing, never 0
    assert report.value("t4.lit_direct.other") == 1


def test_provenance_names_row_column_and_line() -> None:
    report = parse_path(CLEAN)
    cell = report.cells["t3.new.total"]
    assert cell.source is not None
    assert cell.source.table == "t3"
    assert "本年新收" in cell.source.row_label
    assert cell.source.column == "总计"
    line = CLEAN.read_text(encoding="utf-8").splitlines()[cell.source.line - 1]
    assert line.startswith("一、本年新收政府信息公开申请数量")


def test_sections_titles_and_variants() -> None:
    report = parse_path(SEEDS / "002_60d30e5d68c9d170.txt")
    assert all(s.present for s in report.sections.values())
    assert report.section_order == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert report.sections["S5"].title == "五、政府信息公开工作存在的主要问题及改进措施"
    assert ("section_title_variant", "S5") in kinds(report)
    assert "10965" in report.sections["S1"].text


def test_missing_section_and_order() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    start = text.index("六、其他需要报告的事项")
    report = parse_text(text[:start])
    assert not report.sections["S6"].present
    swapped = text.replace("五、存在主要问题及改进情况", "@@").replace(
        "六、其他需要报告的事项", "五、存在主要问题及改进情况"
    )
    swapped = swapped.replace("@@", "六、其他需要报告的事项")
    report = parse_text(swapped)
    assert report.section_order.index("S6") < report.section_order.index("S5")


def test_values_on_separate_line_and_extra_columns() -> None:
    report = parse_path(SEEDS / "004_1d8a7430696514a6.txt")
    assert report.value("t3.granted.total") == 0
    assert ("column_count", "t3.partial") in kinds(report)
    variants = [a for a in report.anomalies if a.kind == "label_variant"]
    assert [a.locator for a in variants] == ["t3.denied.law_forbidden"]
    assert variants[0].canonical == "2.其他法律行政法规禁止公开"


def test_shifted_row_label_and_value_shift() -> None:
    report = parse_path(SEEDS / "001_3b0ef87fded11b72.txt")
    assert report.value("t3.other.other.total") == 0
    assert report.value("t3.result_total.total") == 0
    assert not [a for a in report.anomalies if a.kind in ("missing_row", "unexpected_row")]


def test_changed_cell_value_is_read() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    text = text.replace(
        "一、本年新收政府信息公开申请数量\t\t12\t0\t0\t0\t0\t0\t12",
        "一、本年新收政府信息公开申请数量\t\t12\t0\t0\t0\t0\t3\t15",
    )
    report = parse_text(text)
    assert report.value("t3.new.other_org") == 3
    assert report.value("t3.new.total") == 15


def test_blank_and_dash_cells_are_missing_not_zero() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    text = text.replace(
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
        "二、上年结转政府信息公开申请数量\t\t-\t/\t—\t无\t0\t0\t0",
    )
    report = parse_text(text)
    assert [
        report.value(f"t3.carry_in.{c}") for c in ("natural", "commercial", "research", "social", "legal")
    ] == [
        None,
        None,
        None,
        None,
        0,
    ]


def test_not_a_number_is_an_anomaly() -> None:
    text = CLEAN.read_text(encoding="utf-8").replace("行政事业性收费\t0", "行政事业性收费\t251000元")
    report = parse_text(text)
    assert report.value("t2.fee.amount") is None
    assert ("not_a_number", "t2.fee.amount") in kinds(report)


def test_missing_prescribed_row_and_single_other_row_marker() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    lines = text.splitlines()
    out = []
    for ln in lines:
        if "1.申请人无正当理由逾期不补正" in ln:
            out.append("\t(六)其他处理\t2\t0\t0\t0\t0\t0\t2")
            continue
        if "2.申请人逾期未按收费通知" in ln or ln.strip().startswith("3.其他"):
            continue
        out.append(ln)
    report = parse_text("\n".join(out))
    assert report.value("t3.other.other.total") is None
    assert ("missing_row", "t3.other.no_correction") in kinds(report)
    assert ("unexpected_row", "t3.other") in kinds(report)
    assert any("其他处理" in m for m in report.markers)
    assert report.format == "2021"


def test_2019_trial_form_is_detected() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    t2_2019 = "\n".join(
        [
            "第二十条第（一）项\t\t\t",
            "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
            "规章\t0\t0\t0",
            "规范性文件\t2\t2\t30",
            "第二十条第（五）项\t\t\t",
            "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
            "行政许可\t10\t-2\t300",
            "其他对外管理服务事项\t0\t0\t0",
            "第二十条第（六）项\t\t\t",
            "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
            "行政处罚\t5\t1\t40",
            "行政强制\t0\t0\t0",
            "第二十条第（八）项\t\t\t",
            "信息内容\t上一年项目数量\t本年增/减\t",
            "行政事业性收费\t3\t0\t",
            "第二十条第（九）项\t\t\t",
            "信息内容\t采购项目数量\t采购总金额\t",
            "政府集中采购\t4\t12.5\t",
        ]
    )
    a = text.index("第二十条第（一）项")
    b = text.index("三、收到和处理政府信息公开申请情况")
    report = parse_text(text[:a] + t2_2019 + "\n\n" + text[b:])
    assert report.format == "2019"
    assert "本年新制作数量" in report.markers
    assert report.value("t2.norm.total_published") == 30
    assert report.value("t2.license.change") == -2
    assert report.value("t2.procurement.amount") == 12.5
    assert "t2.reg.made" not in report.cells


def test_space_separated_text_tables() -> None:
    text = CLEAN.read_text(encoding="utf-8").replace("\t", "    ")
    assert parse_text(text).value("t3.result_total.natural") == 12


def test_gbk_text_file() -> None:
    raw = CLEAN.read_text(encoding="utf-8").encode("gb18030")
    report = parse_bytes(raw, "gbk.txt")
    assert report.agency == "石嘴山市人民政府办公室"
    assert report.value("t3.new.total") == 12


def test_unreadable_inputs_raise(tmp_path: Path) -> None:
    with pytest.raises(UnreadableError):
        parse_path(tmp_path / "nope.txt")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableError):
        parse_path(empty)


def test_cli_parse_json_and_exit_codes(tmp_path: Path) -> None:
    exe = [str(Path(sys.executable).with_name("gkaudit"))]
    out = subprocess.run([*exe, "parse", str(CLEAN), "--json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["agency"] == "石嘴山市人民政府办公室"
    assert data["cells"]["t3.new.total"] == 12
    assert data["sections"]["S5"]["present"] is True
    bad = subprocess.run(
        [*exe, "parse", str(tmp_path / "missing.pdf"), "--json"], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "missing.pdf" in bad.stderr
    readable = subprocess.run([*exe, "parse", str(CLEAN)], capture_output=True, text=True, check=True)
    assert "石嘴山市人民政府办公室" in readable.stdout


def test_title_run_into_first_sentence() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    text = text.replace("一、总体情况\n\n2023 年，", "一、总体情况。2023 年，")
    report = parse_text(text)
    assert report.sections["S1"].present
    assert report.sections["S1"].title == "一、总体情况"
    assert report.sections["S1"].text.startswith("2023 年，石嘴山市人民政府办公室")


def test_title_wording_variants() -> None:
    base = CLEAN.read_text(encoding="utf-8")
    for title in ("2023年度政府信息公开工作年度报告", "关于2023年政府信息公开工作的年度报告"):
        report = parse_text(base.replace("2023 年政府信息公开工作年度报告", title, 1))
        assert report.year == 2023
        assert report.agency == "石嘴山市人民政府办公室"


def test_tables_published_as_pictures_make_the_report_unreadable() -> None:
    from audit.parse import parse_document
    from audit.readers.text import read as read_text
    from audit.report import IntermediateDoc

    text = CLEAN.read_text(encoding="utf-8")
    prose = "\n".join(line for line in text.splitlines() if "\t" not in line)
    doc = read_text(prose.encode("utf-8"), "pictures.html")
    assert parse_document(doc).readable  # no tables, but nothing suggests pictures: ST03–ST05 report it
    doc = IntermediateDoc(source=doc.source, blocks=doc.blocks, meta={"images": "3"})
    report = parse_document(doc)
    assert not report.readable
    assert "图片" in (report.unreadable_reason or "")


@pytest.mark.parametrize(
    ("title", "agency", "year", "level"),
    [
        ("2022年上海市政府信息公开工作年度报告", "上海市人民政府", 2022, "government"),
        ("洪泽区2023年政府信息公开工作年度报告", "洪泽区人民政府", 2023, "government"),
        ("中卫市信访局2024年度政府信息公开工作年度报告", "中卫市信访局", 2024, "department"),
    ],
)
def test_agency_from_title_forms(title: str, agency: str, year: int, level: str) -> None:
    text = CLEAN.read_text(encoding="utf-8")
    start = text.index("根据《中华人民共和国政府信息公开条例》")
    report = parse_text(title + "\n\n" + text[start:])
    assert (report.agency, report.year, report.level) == (
        agency,
        2023 if "2023" in title else report.year,
        level,
    )


def test_text_extracted_through_a_broken_font_is_unreadable() -> None:
    garbled = "(cid:1234)(cid:99)(cid:5)" * 40 + "\n二、主动公开政府信息情况\n"
    report = parse_text(garbled)
    assert not report.readable
    assert "字体" in (report.unreadable_reason or "")
    assert parse_text("\ufffd" * 200 + "\n一、总体情况\n").readable is False
    assert parse_path(CLEAN).readable


def test_section_lines_locate_a_quote() -> None:
    report = parse_path(SEEDS / "002_60d30e5d68c9d170.txt")
    line, _page = report.sections["S1"].locate("保留27件，宣布失效和废止25件")
    lines = (SEEDS / "002_60d30e5d68c9d170.txt").read_text(encoding="utf-8").splitlines()
    assert "保留 27 件" in lines[line - 1]


def _replace_row(text: str, marker: str, new_rows: list[str]) -> str:
    """Replace the one line holding ``marker`` by ``new_rows``."""
    lines = text.splitlines()
    (i,) = [n for n, line in enumerate(lines) if marker in line]
    return "\n".join(lines[:i] + new_rows + lines[i + 1 :])


def test_label_wrapped_onto_the_next_row() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    values = "\t".join(["3", "0", "0", "0", "0", "0", "3"])
    # values beside the first line of the label
    first = _replace_row(
        text,
        "1.申请人无正当理由逾期不补正",
        [
            f"\t(六)其他处理\t1.申请人无正当理由逾期不补正、\t{values}",
            "\t\t行政机关不再处理其政府信息公开申请",
        ],
    )
    report = parse_text(first)
    assert report.value("t3.other.no_correction.total") == 3
    assert not [a for a in report.anomalies if a.kind in ("label_variant", "unexpected_row", "missing_row")]
    # values beside the second line
    second = _replace_row(
        text,
        "1.申请人无正当理由逾期不补正",
        [
            "\t(六)其他处理\t1.申请人无正当理由逾期不补正、",
            f"\t\t行政机关不再处理其政府信息公开申请\t{values}",
        ],
    )
    report = parse_text(second)
    assert report.value("t3.other.no_correction.natural") == 3
    assert not [a for a in report.anomalies if a.kind in ("label_variant", "unexpected_row", "missing_row")]


def test_sub_heading_repeating_a_section_title_is_not_that_section() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    for sub in (
        "（一）主动公开政府信息情况",
        "(三)政府信息公开行政复议、行政诉讼情况",
        "2.存在的主要问题及改进情况",
    ):
        report = parse_text(text.replace("（一）主动公开情况。", sub + "\n", 1))
        assert report.section_order == ["S1", "S2", "S3", "S4", "S5", "S6"], sub
        assert "主动公开信息 400 余条" in report.sections["S1"].text


def test_a_title_quoted_in_the_preamble_names_the_organ_but_is_not_the_title() -> None:
    """“…要求，现公布某县人民政府2023年…年度报告” is the preamble: the organ is 某县人民政府."""
    from audit.parse import parse_document
    from audit.readers.text import read

    text = (
        "根据《中华人民共和国政府信息公开条例》规定和《中华人民共和国政府信息公开工作年度报告格式》"
        "（国办公开办函〔2021〕30号）要求，现公布柳塘县人民政府2023年政府信息公开工作年度报告。\n"
        "一、总体情况\n2023年，本县持续推进政务公开。\n"
    )
    report = parse_document(read(text.encode("utf-8"), "t.txt"))
    assert report.agency == "柳塘县人民政府" and report.year == 2023
    assert report.title is None
