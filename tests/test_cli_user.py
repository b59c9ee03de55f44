"""What a clerk meets: wrong input refused in Chinese, non-reports refused, e-mail ingest, readable output.

Each test here failed on the code before issue U: wrong input was accepted silently and changed
findings, non-reports were audited, and the output spoke English codes.
"""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_store_support import db  # noqa: F401

from audit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "store"
AGENCY = "中卫市测试局"
NOTICE = (
    "关于召开2024年政务公开工作会议的通知\n各单位：\n定于2024年3月1日召开会议，请准时参加。\n特此通知。\n"
)


def gk(*args: str, today: str = "2024-12-01", code: int | None = 0) -> Result:
    result = CliRunner().invoke(main, list(args), env={"GKAUDIT_TODAY": today})
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def other_agency(tmp_path: Path) -> Path:
    """The 2023 fixture as another organ's report (石嘴山市审计局)."""
    path = tmp_path / "other.txt"
    path.write_text(
        (FIXTURES / "y2023_v1.txt").read_text(encoding="utf-8").replace(AGENCY, "石嘴山市审计局"), "utf-8"
    )
    return path


def test_ingest_refuses_another_organs_report_under_a_known_name(db: str, tmp_path: Path) -> None:  # noqa: F811
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency")
    refused = gk("ingest", str(other_agency(tmp_path)), "--agency", AGENCY, code=2).output
    assert "石嘴山市审计局" in refused and "不是同一机关" in refused
    gk("audit")
    assert len(gk("reports", "--json").output.splitlines()) == 1


def test_a_mistyped_agency_names_the_closest_and_creates_nothing(db: str) -> None:  # noqa: F811
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency")
    out = gk("ingest", str(FIXTURES / "y2024.txt"), "--agency", "中卫市测验局", "--force", code=2).output
    assert "库中没有机关“中卫市测验局”" in out and "中卫市测试局" in out and "--new-agency" in out


def test_printed_name_with_region_prefix_is_the_same_agency(db: str, tmp_path: Path) -> None:  # noqa: F811
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency")
    longer = tmp_path / "2024.txt"
    text = (FIXTURES / "y2024.txt").read_text(encoding="utf-8").replace(AGENCY, "宁夏回族自治区中卫市测试局")
    longer.write_text(text, encoding="utf-8")
    out = gk("ingest", str(longer), today="2025-02-01").output
    assert "对应库中机关“中卫市测试局”" in out
    gk("audit", today="2025-02-01")
    assert {r["agency"] for r in map(json.loads, gk("reports", "--json").output.splitlines())} == {AGENCY}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--year", "1899"), "报告年度应在 2008 至"),
        (("--published-on", "2030-01-01"), "不能是将来的日期"),
        (("--published-on", "2023-06-30"), "早于 2023 年度结束"),
    ],
)
def test_impossible_years_and_dates_are_refused(db: str, args: tuple[str, ...], message: str) -> None:  # noqa: F811
    out = gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency", *args, code=2).output
    assert message in out
    assert "Traceback" not in out


def test_an_early_publication_can_be_recorded_on_purpose(db: str) -> None:  # noqa: F811
    args = ("--new-agency", "--published-on", "2023-06-30", "--allow-early-publication")
    assert "新版本已入库" in gk("ingest", str(FIXTURES / "y2023_v1.txt"), *args).output


def test_check_refuses_a_previous_report_of_another_organ_or_the_same_file(tmp_path: Path) -> None:
    this = str(FIXTURES / "y2024.txt")
    same = gk("check", this, "--previous", this, code=2).output
    assert "同一份文件" in same and "相似度" not in same
    other = gk("check", this, "--previous", str(other_agency(tmp_path)), code=2).output
    assert "不是同一机关" in other


def test_a_meeting_notice_is_not_a_report(db: str, tmp_path: Path) -> None:  # noqa: F811
    notice = tmp_path / "会议通知.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    result = gk("check", str(notice), "--json", code=2)
    assert result.stdout == "" and "不是政府信息公开工作年度报告" in result.output
    assert (
        "不是政府信息公开工作年度报告"
        in gk("ingest", str(notice), "--agency", AGENCY, "--new-agency", code=2).output
    )
    gk("audit")
    assert gk("reports").output.strip() == "库中还没有报告。"


def _mail(tmp_path: Path, attachment: bytes | None, name: str = "年报.txt") -> Path:
    msg = EmailMessage()
    msg["From"] = "办公室 <office@zw.example.gov.cn>"
    msg["To"] = "gkb@example.gov.cn"
    msg["Subject"] = "报送2023年政府信息公开工作年度报告"
    msg["Date"] = "Mon, 22 Jan 2024 09:30:00 +0800"
    msg.set_content(NOTICE + "附件为我局2023年年报，请审核。")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="text", subtype="plain", filename=name)
    path = tmp_path / "来信.eml"
    path.write_bytes(bytes(msg))
    return path


def test_an_email_is_ingested_by_its_attachments_with_sender_and_date(db: str, tmp_path: Path) -> None:  # noqa: F811
    mail = _mail(tmp_path, (FIXTURES / "y2023_v1.txt").read_bytes())
    out = gk("ingest", str(mail), "--new-agency").output
    assert "来信.eml ▸ 年报.txt：新版本已入库" in out
    gk("audit")
    finding = json.loads(gk("findings", "--json").output.splitlines()[0])
    shown = json.loads(gk("finding", "show", str(finding["id"]), "--json").output)
    assert shown["document"]["received_from"] == "办公室 <office@zw.example.gov.cn>"
    assert shown["document"]["fetched_at"].startswith("2024-01-22T01:30")
    # the message body (a meeting notice) was never stored or audited
    assert len(gk("reports", "--json").output.splitlines()) == 1


def test_an_email_without_attachments_is_refused(db: str, tmp_path: Path) -> None:  # noqa: F811
    out = gk("ingest", str(_mail(tmp_path, None)), "--agency", AGENCY, "--new-agency", code=2).output
    assert "邮件没有附件" in out


def test_a_folder_is_ingested_file_by_file(db: str, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "收件"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes((FIXTURES / "y2023_v1.txt").read_bytes())
    (folder / "sub" / "notice.txt").write_text(NOTICE, encoding="utf-8")
    out = gk("ingest", str(folder), "--agency", AGENCY, "--new-agency", code=2).output
    assert "a.txt：新版本已入库" in out and "notice.txt：不是政府信息公开工作年度报告" in out
    assert "入库 1 份，失败或跳过 1 份" in out


def test_chinese_statuses_levels_and_click_messages(db: str) -> None:  # noqa: F811
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency", "--level", "部门")
    gk("audit")
    assert "共 3 个问题" in gk("findings", "--status", "待整改").output
    assert "没有符合条件的问题" in gk("findings", "--status", "fixed").output
    bad = gk("findings", "--status", "done", code=2).output
    assert "不是可选值" in bad and "待整改（open）" in bad
    for text in (gk("--help").output, bad, gk("check", code=2).output):
        assert not re.search(r"Usage:|Error:|Show this message|Missing argument|\[OPTIONS\]", text), text


def test_findings_speak_as_a_reader_and_show_all_evidence(db: str) -> None:  # noqa: F811
    gk(
        "ingest",
        str(FIXTURES / "y2023_v1.txt"),
        "--new-agency",
        "--url",
        "https://zw.example.gov.cn/2023.html",
    )
    gk("audit")
    listing = gk("findings").output
    assert "表三“总计”列" in listing and "第五部分" in listing
    assert "t3.total" not in listing and " S5 " not in listing
    rows = {r["locator"]: r for r in map(json.loads, gk("findings", "--json").output.splitlines())}
    bl03 = str(rows["t3.total"]["id"])
    gk("finding", "confirm", bl03, "--by", "审核员甲", "--reason", "已核实", today="2024-12-02")
    shown = gk("finding", "show", bl03).output
    assert "sha256" in shown and "https://zw.example.gov.cn/2023.html" in shown
    assert "第59行" in shown  # where the cited cell is printed
    assert "依据：" in shown and "第三十一条" in shown or "依据：" in shown
    assert "待整改 → 已确认（已核实）" in shown and "open" not in shown
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", shown)  # local times, not raw UTC ISO
    obj = json.loads(gk("finding", "show", bl03, "--json").output)
    assert obj["source"] == "https://zw.example.gov.cn/2023.html" and obj["document"]["version"] == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [("GKAUDIT_TODAY", "2026/12/01"), ("GKAUDIT_DEADLINE_DAYS", "error=abc"), ("GKAUDIT_DATA", "/proc/x")],
)
def test_bad_settings_are_one_line_never_a_traceback(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["findings"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：") and "Traceback" not in result.output
