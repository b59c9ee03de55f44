"""``gkaudit ledger``: export the 整改清单, edit it as an office would, import it back with a diff."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from openpyxl import load_workbook
from test_store_support import db  # noqa: F401

from audit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "store"


def gk(*args: str, code: int = 0, input: str | None = None) -> Result:  # noqa: A002
    env = {"GKAUDIT_TODAY": "2024-02-01"}
    result = CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def findings() -> dict[str, dict]:
    return {
        f"{r['rule']}:{r['locator']}": r
        for r in map(json.loads, gk("findings", "--json").output.splitlines())
    }


def edit(path: Path, changes: dict[int, dict[str, object]]) -> None:
    wb = load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        fid = row[header.index("编号")].value
        for key, value in changes.get(fid, {}).items():
            row[header.index(key)].value = value
    wb.save(path)


def _setup() -> tuple[int, int, int]:
    """Audit the 2023 fixture; return the ids of BL03 总计, BL03 自然人 and ST01."""
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--agency", "中卫市测试局", "--year", "2023", "--new-agency")
    gk("audit")
    f = findings()
    return f["BL03:t3.total"]["id"], f["BL03:t3.natural"]["id"], f["ST01:S5"]["id"]


def test_import_shows_a_diff_and_applies_only_when_asked(db: str, tmp_path: Path) -> None:  # noqa: F811
    total, natural, st01 = _setup()
    path = tmp_path / "清单.xlsx"
    assert "问题 3 个" in gk("ledger", "export", str(path)).output
    assert "没有需要导入的修改" in gk("ledger", "import", str(path)).output

    edit(
        path,
        {
            total: {"状态": "已确认", "机关答复": "已核实，将于3月更正"},
            natural: {"状态": "误报", "机关答复": "自然人列实为12件，系扫描错误"},
            st01: {"状态": "暂缓接受", "接受至": "2024-06-30", "机关答复": '=HYPERLINK("x")'},
        },
    )
    shown = gk("ledger", "import", str(path), input="n\n").output
    assert "待整改 → 已确认" in shown and "待整改 → 误报" in shown and "（至 2024-06-30）" in shown
    assert "答复 “（空）” → “已核实，将于3月更正”" in shown and "未导入" in shown
    assert findings()["BL03:t3.total"]["status"] == "open"  # declined: nothing changed

    gk("ledger", "import", str(path), "--apply", "--by", "审核员甲")
    after = findings()
    assert after["BL03:t3.total"]["status"] == "confirmed"
    assert after["BL03:t3.natural"]["status"] == "dismissed"
    assert after["ST01:S5"]["status"] == "accepted" and after["ST01:S5"]["accepted_until"] == "2024-06-30"
    events = json.loads(gk("finding", "show", str(total), "--json").output)["events"]
    assert [(e["to"], e["actor"]) for e in events[1:]] == [("open", "审核员甲"), ("confirmed", "审核员甲")]
    assert "已核实，将于3月更正" in events[1]["reason"]
    # the reply is exported back as it was typed (formula-looking text stays text)
    again = tmp_path / "again.xlsx"
    gk("ledger", "export", str(again))
    ws = load_workbook(again).active
    header = [c.value for c in ws[1]]
    cell = next(r for r in ws.iter_rows(min_row=2) if r[0].value == st01)[header.index("机关答复")]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
    assert "没有需要导入的修改" in gk("ledger", "import", str(again)).output


def test_import_refuses_the_whole_file_on_any_bad_row(db: str, tmp_path: Path) -> None:  # noqa: F811
    total, natural, st01 = _setup()
    path = tmp_path / "清单.xlsx"
    gk("ledger", "export", str(path))
    edit(
        path,
        {
            total: {"状态": "已确认"},  # fine on its own
            natural: {"状态": "已整改"},  # fixed is decided by a corrected re-publication
            st01: {"状态": "暂缓接受"},  # no date
        },
    )
    out = gk("ledger", "import", str(path), "--apply", code=1).output
    assert "状态不能改为“已整改”" in out and "须在“接受至”填写" in out and "未作任何更改" in out
    assert findings()["BL03:t3.total"]["status"] == "open"
    edit(path, {natural: {"状态": "待整改", "识别码": "000000000000"}, st01: {"状态": "待整改"}})
    assert "与本库不符" in gk("ledger", "import", str(path), "--apply", code=1).output
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"not a spreadsheet")
    assert "无法读取整改清单" in gk("ledger", "import", str(other), code=1).output
