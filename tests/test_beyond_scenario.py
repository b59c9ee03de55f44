"""Issue J through the CLI: CY06 against last year's notices, correct-or-explain, rules impact, coverage, local packs.

Each scenario builds a store as an office does (``ingest``, ``audit``, ``notices draft|approve|send``,
``finding explain``, ``ledger import``) from the project's generated sample (:mod:`audit.sample`)
or the store fixtures (tests/fixtures/store), on SQLite.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import html as lxml_html
from openpyxl import load_workbook
from test_store_support import make_database

from audit.cli import main
from audit.sample import MANIFEST, write_sample

FIXTURES = Path(__file__).parent / "fixtures" / "store"
OVERLAY = Path(__file__).parent / "fixtures" / "overlay"
STORE_AGENCY = "中卫市测试局"
NR = "柳塘县自然资源和规划局"  # the sample's agency with FM02 (a table label) and FM03 (a title) in 2023


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The generated sample (written once): its folder and documents by (agency, year)."""
    folder = write_sample(tmp_path_factory.mktemp("sample") / "reports").parent
    docs = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["documents"]
    return {"folder": folder, "docs": {(d["agency"], d["year"]): d for d in docs}}


@pytest.fixture
def sqlite_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite store (the CLI migrates it on first use)."""
    yield from make_database("sqlite", tmp_path, monkeypatch)


def gk(*args: str, code: int = 0, today: str = "2026-06-30", env: dict | None = None) -> Result:
    """Run the CLI in-process with a frozen today; assert the exit code."""
    result = CliRunner().invoke(
        main, list(args), env={"GKAUDIT_TODAY": today, **(env or {})}, catch_exceptions=False
    )
    assert result.exit_code == code, result.output
    return result


def ingest_sample(sample: dict, agency: str, year: int, data: bytes | None = None, **kw: str) -> None:
    """Ingest one document of the sample (``data`` replaces its bytes) with its manifest's facts."""
    doc = sample["docs"][(agency, year)]
    path = sample["folder"] / doc["file"]
    if data is not None:
        path = path.parent / f"edited-{doc['file']}"
        path.write_bytes(data)
    gk(
        "ingest", str(path), "--agency", agency, "--year", str(year), "--level", doc["level"],
        "--published-on", doc["published_on"], "--url", doc["url"], "--new-agency", **kw,
    )  # fmt: skip


def findings(*filters: str, today: str = "2026-06-30", env: dict | None = None) -> list[dict]:
    return [
        json.loads(x) for x in gk("findings", "--json", *filters, today=today, env=env).output.splitlines()
    ]


def page_text(path: Path) -> str:
    return lxml_html.fromstring(path.read_text(encoding="utf-8")).text_content()


def snapshot(url: str) -> dict[str, list]:
    """Return every row of every table of a SQLite store (to prove nothing was written)."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return {t: sorted(map(repr, con.execute(f'select * from "{t}"'))) for t in tables}
    finally:
        con.close()


# --- CY06: last year's notified findings and this year's 五 -------------------------------------------


def _section_five(html: str, body: str) -> str:
    """Replace the paragraphs of 五 in a sample HTML report by ``body`` (one paragraph per line)."""
    start = html.index("五、存在的主要问题及改进情况")
    start = html.index("</p>", start) + len("</p>")
    end = html.index('<p style="text-indent:2em;"><strong>六、', start)
    paras = "".join(f'\n<p style="text-indent:2em;">{line}</p>' for line in body.splitlines())
    return html[:start] + paras + "\n" + html[end:]


def test_cy06_lists_exactly_the_notified_problems_section_five_does_not_mention(
    sqlite_db: str, sample: dict
) -> None:
    ingest_sample(sample, NR, 2023)
    gk("audit", today="2024-02-01")
    notified = {f["rule"]: f for f in findings(today="2024-02-01") if f["status"] == "open"}
    assert {"FM02", "FM03"} <= set(notified)
    gk("notices", "draft", "--agency", NR, "--by", "张三", today="2024-02-01")
    gk("notices", "approve", "1", "--by", "李四", today="2024-02-01")
    gk("notices", "send", "1", "--date", "2024-02-05", "--by", "王五", today="2024-02-06")
    (notice,) = [
        json.loads(x) for x in gk("notices", "list", "--json", today="2024-02-06").output.splitlines()
    ]
    assert set(notice["findings"]) == {f["id"] for f in notified.values()}

    # 2024: 五 reports the rectification of the title problem (FM03) but not of the table label (FM02)
    doc = sample["docs"][(NR, 2024)]
    html = (sample["folder"] / doc["file"]).read_bytes().decode("gbk")
    five = (
        "针对上年度整改通知指出的章节标题问题，已修改并重新发布。\n"
        "存在的主要问题：一是政府网站部分栏目更新不够及时；二是基层政务公开工作还不够深入。\n"
        "改进措施：下一步将加强栏目日常维护，推进政务公开向基层延伸。"
    )
    ingest_sample(sample, NR, 2024, _section_five(html, five).encode("gbk"))
    gk("audit", today="2025-02-10")
    cy06 = findings("--rule", "CY06", today="2025-02-10")
    assert [(f["year"], f["locator"]) for f in cy06] == [
        (2024, "S5:表格行列名称（上年度FM02，表二“行政规范性文件”行）")
    ]
    assert notice["number"] == "某政公开〔2024〕1号" and notice["number"] in cy06[0]["message"]
    assert (
        cy06[0]["severity"] == "warning"
        and cy06[0]["evidence"]["整改通知"] == f"{notice['number']}（2024-02-05）"
    )
    # the other CY rules and ST09 are satisfied: 五 reports last year's rectification
    assert not findings("--rule", "ST09", "--year", "2024", today="2025-02-10")


def test_cy06_does_not_count_a_notice_sent_after_the_report_was_published(
    sqlite_db: str, sample: dict
) -> None:
    ingest_sample(sample, NR, 2023)
    gk("audit", today="2025-02-01")
    gk("notices", "draft", "--agency", NR, "--by", "张三", today="2025-02-01")
    gk("notices", "approve", "1", "--by", "李四", today="2025-02-01")
    gk("notices", "send", "1", "--date", "2025-02-03", "--by", "王五", today="2025-02-03")
    ingest_sample(sample, NR, 2024)  # published 2025-01-30, before the notice
    gk("audit", today="2025-02-10")
    assert findings("--rule", "CY06", today="2025-02-10") == []


# --- correct-or-explain ----------------------------------------------------------------------------------


def _carry_in(text: str, value: int) -> str:
    """Set the natural-person and total 上年结转 (and 结转下年度, to keep table 3 balanced) of a fixture."""
    for label in ("二、上年结转政府信息公开申请数量", "四、结转下年度继续办理"):
        line = next(x for x in text.splitlines() if x.startswith(label))
        cells = line.split("\t")
        cells[2] = cells[8] = str(value)
        text = text.replace(line, "\t".join(cells))
    return text


def _store_years(tmp_path: Path) -> None:
    """中卫市测试局 2023 (corrected: carries 2 over), 2024 (carries 0 in: CY01) and 2025 (carries 5 in: CY01)."""
    y2024 = (FIXTURES / "y2024.txt").read_text(encoding="utf-8")
    y2025 = _carry_in(y2024.replace("2024", "2025").replace("2023", "2024"), 5)
    (tmp_path / "y2025.txt").write_text(y2025, encoding="utf-8")
    for path, year in ((FIXTURES / "y2023_v2.txt", 2023), (FIXTURES / "y2024.txt", 2024)):
        gk(
            "ingest",
            str(path),
            "--agency",
            STORE_AGENCY,
            "--year",
            str(year),
            "--new-agency",
            today="2025-03-01",
        )
    gk("audit", today="2025-03-01")


def test_an_explanation_resolves_a_finding_until_next_year_repeats_it(sqlite_db: str, tmp_path: Path) -> None:
    _store_years(tmp_path)
    cy01 = {f["locator"]: f for f in findings("--rule", "CY01", today="2025-03-01")}
    assert set(cy01) == {"t3.carry_in.natural", "t3.carry_in.total"}
    natural = cy01["t3.carry_in.natural"]
    assert natural["resolution"] == "correct_or_explain"
    st01 = findings("--rule", "ST01", "--year", "2024", today="2025-03-01")[0]

    # only a correct_or_explain rule can be explained; a refused explanation changes nothing
    refused = gk("finding", "explain", str(st01["id"]), "--text", "无", code=2, today="2025-03-01")
    assert "只能通过整改解决" in refused.output
    why = "机构改革中原某局并入本局，上年结转的2件由原某局办结，已在其年报中报告"
    done = gk("finding", "explain", str(natural["id"]), "--text", why, "--by", "赵六", today="2025-03-01")
    assert "已说明" in done.output
    shown = json.loads(gk("finding", "show", str(natural["id"]), "--json", today="2025-03-01").output)
    assert shown["status"] == "explained" and shown["explanation"] == why and shown["explained_by"] == "赵六"
    assert shown["events"][-1]["to"] == "explained" and why in shown["events"][-1]["reason"]
    # resolved, not active and not fixed; a human decision survives re-running the audit
    assert [f["id"] for f in findings("--status", "已说明", today="2025-03-01")] == [natural["id"]]
    gk("audit", "--all", today="2025-03-02")
    assert findings("--rule", "CY01", today="2025-03-02")[0]["status"] == "explained"

    # next year repeats it: the new finding opens (recurring), quoting last year's explanation
    gk("ingest", str(tmp_path / "y2025.txt"), "--agency", STORE_AGENCY, "--year", "2025", today="2026-03-01")
    gk("audit", today="2026-03-01")
    again = {f["locator"]: f for f in findings("--rule", "CY01", "--year", "2025", today="2026-03-01")}
    assert set(again) == {"t3.carry_in.natural", "t3.carry_in.total"}
    repeat = again["t3.carry_in.natural"]
    assert repeat["status"] == "open" and repeat["recurring"]
    first = json.loads(gk("finding", "show", str(repeat["id"]), "--json", today="2026-03-01").output)[
        "events"
    ][0]
    assert "上年度同一问题曾作说明" in first["reason"] and why in first["reason"]

    # the office takes a new explanation over from the 整改清单's reply column
    out = tmp_path / "out"
    gk("notices", "--out", str(out), today="2026-03-01")
    ledger = out / "ledgers" / "ledger-all.xlsx"
    wb = load_workbook(ledger)
    ws = wb.active
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert rows[natural["id"]][header.index("状态")].value == "已说明"
    assert rows[natural["id"]][header.index("已认可的说明")].value == why
    assert rows[repeat["id"]][header.index("可说明")].value == "是"
    assert rows[st01["id"]][header.index("可说明")].value == "否"
    st01_status = rows[st01["id"]][header.index("状态")].value
    rows[repeat["id"]][header.index("状态")].value = "已说明"
    rows[st01["id"]][header.index("状态")].value = "已说明"
    rows[st01["id"]][header.index("机关答复")].value = "已知悉"
    wb.save(ledger)
    refused = gk("ledger", "import", str(ledger), "--apply", code=1, today="2026-03-01").output
    assert "该规则的问题只能整改" in refused and "第" in refused
    assert [f["id"] for f in findings("--status", "已说明", today="2026-03-01")] == [natural["id"]]
    rows[st01["id"]][header.index("状态")].value = st01_status
    rows[st01["id"]][header.index("机关答复")].value = None
    rows[repeat["id"]][header.index("机关答复")].value = "本年度上年结转5件系原某局移交，另附移交清单"
    wb.save(ledger)
    gk("ledger", "import", str(ledger), "--apply", "--by", "赵六", today="2026-03-01")
    taken = json.loads(gk("finding", "show", str(repeat["id"]), "--json", today="2026-03-01").output)
    assert taken["status"] == "explained" and taken["explanation"].startswith("本年度上年结转5件")

    # the notice and the dashboard say so
    gk("notices", "--out", str(out), today="2026-03-01")
    notice = page_text(next((out / "notices").glob("preview-a*.html")))
    assert "已说明事项" in notice and why in notice
    dashboard = page_text(out / "index.html")
    assert "已说明" in dashboard and why in dashboard


# --- rules impact ----------------------------------------------------------------------------------------


def test_rules_impact_lists_the_new_copies_of_a_lower_cy05_threshold_and_writes_nothing(
    sqlite_db: str, sample: dict, tmp_path: Path
) -> None:
    for agency, year in sample["docs"]:
        ingest_sample(sample, agency, year)
    gk("audit")
    before = snapshot(sqlite_db)
    stored = {(f["agency"], f["year"], f["locator"]) for f in findings("--rule", "CY05")}
    catalog = tmp_path / "catalog"
    shutil.copytree(Path(__file__).parents[1] / "rules" / "catalog", catalog)
    cy05 = catalog / "CY" / "CY05.yaml"
    cy05.write_text(
        cy05.read_text(encoding="utf-8").replace("similarity >= 0.8", "similarity >= 0.3"), "utf-8"
    )

    result = json.loads(gk("rules", "impact", "--catalog", str(catalog), "--json").output)
    assert list(result["rules"]) == ["CY05"]  # only the changed rule is compared
    appear = result["rules"]["CY05"]["appear"]
    assert appear and result["rules"]["CY05"]["disappear"] == []
    assert all(0.3 <= float(re.search(r"相似度为([\d.]+)", c["message"]).group(1)) < 0.8 for c in appear)
    assert not {(c["agency"], c["year"], c["locator"]) for c in appear} & stored
    text = gk("rules", "impact", "--catalog", str(catalog)).output
    assert "CY05" in text and f"新增 {len(appear)} 个" in text and "例：" in text and "未写入" in text
    assert snapshot(sqlite_db) == before  # nothing written

    # --apply writes the difference through the lifecycle, recording the compared catalogue
    gk("rules", "impact", "--catalog", str(catalog), "--apply")
    after = {(f["agency"], f["year"], f["locator"]) for f in findings("--rule", "CY05")}
    assert after == stored | {(c["agency"], c["year"], c["locator"]) for c in appear}
    shown = json.loads(gk("rules", "impact", "--catalog", str(catalog), "--json").output)
    assert shown["rules"]["CY05"] == {"title": shown["rules"]["CY05"]["title"], "appear": [], "disappear": []}


# --- coverage ----------------------------------------------------------------------------------------------


def test_a_report_with_an_unreadable_table_shows_incomplete_coverage_on_its_notice(
    sqlite_db: str, tmp_path: Path
) -> None:
    text = (FIXTURES / "y2024.txt").read_text(encoding="utf-8")
    start, end = text.index("三、收到和处理政府信息公开申请情况"), text.index("四、政府信息公开行政复议")
    scanned = text[:start] + "三、收到和处理政府信息公开申请情况\n\n（本表为扫描图片）\n\n" + text[end:]
    (tmp_path / "scan.txt").write_text(scanned, encoding="utf-8")
    gk("ingest", str(tmp_path / "scan.txt"), "--agency", STORE_AGENCY, "--year", "2024", "--new-agency")
    whole = (FIXTURES / "y2023_v2.txt").read_text(encoding="utf-8").replace(STORE_AGENCY, "中卫市完整局")
    (tmp_path / "whole.txt").write_text(whole, encoding="utf-8")
    gk("ingest", str(tmp_path / "whole.txt"), "--agency", "中卫市完整局", "--year", "2023", "--new-agency")
    gk("audit")
    out = tmp_path / "out"
    gk("notices", "--out", str(out))
    notices = {page_text(p).split("：", 1)[0]: page_text(p) for p in (out / "notices").glob("preview-*.html")}
    scan = next(t for t in notices.values() if STORE_AGENCY in t)
    assert "2024年度报告未能完整审核" in scan and "未能读取表三" in scan
    assert re.search(r"BL01、BL02、BL03[^。]*未能检查", scan) and "未检查的部分不视为合格" in scan
    complete = next(t for t in notices.values() if "中卫市完整局" in t)
    assert re.search(r"2023年度报告各部分和表格均已读取，适用的\d+条规则已检查", complete)
    assert "CY01、CY02、CY03、CY04不适用（库中没有同一机关上一年度的年报" in complete
    dashboard = page_text(out / "index.html")
    assert "未能完整审核" in dashboard


# --- local rule packs ------------------------------------------------------------------------------------------


def test_a_local_pack_changes_one_severity_adds_one_rule_and_is_cited(
    sqlite_db: str, sample: dict, tmp_path: Path
) -> None:
    town = "柳塘县白沙镇人民政府"
    plain = gk("rules", "list").output.splitlines()[0]
    env = {"GKAUDIT_RULES_OVERLAY": str(OVERLAY)}
    local = gk("rules", "list", env=env).output.splitlines()[0]
    assert plain != local  # the catalogue version covers the pack
    ingest_sample(sample, town, 2024)
    gk("audit", env=env)
    found = {f["rule"]: f for f in findings(env=env)}
    assert found["ST09"]["severity"] == "error"  # warning in the catalogue, error in the pack
    assert found["LC01"]["severity"] == "warning" and found["LC01"]["locator"] == "S1"
    assert "少于本省规定的600字" in found["LC01"]["message"]
    version = re.search(r"版本 (\w+)", local).group(1)
    details = json.loads(gk("finding", "show", str(found["LC01"]["id"]), "--json", env=env).output)
    assert details["rule_version"] == version
    out = tmp_path / "out"
    gk("notices", "--out", str(out), env=env)
    notice = page_text(next((out / "notices").glob("preview-*.html")))
    assert "某政公开〔2024〕2号" in notice  # the local document is the basis of LC01 and of ST09's severity
    assert "本地规定：《某某省政务公开办" in notice and "第三条" in notice
