"""The title, agency and year of a report, and its six sections (found by their printed titles)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from audit.form import (
    SECTIONS,
    SectionDef,
)
from audit.parse.rows import Row
from audit.report import Anomaly, Report, Section
from audit.text import (
    RUN_IN_TITLE_RE,
    SECTION_NUMBER_RE,
    SUBITEM_RE,
    is_value_cell,
    norm,
    strip_numbering,
)

# ----------------------------------------------------------------------------------------------
# Title, agency, year, level

_TITLE_RE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<mid>[\u4e00-\u9fa5]{2,20}?)?\s*(?:的)?\s*"
    r"政(?:府信息|务)\s*公开\s*(?:工作)?\s*(?:的)?\s*年\s*度\s*报\s*告"
)
# A bare place name as the reporting organ ("2022年上海市政府信息公开…", "XX县2023年…") means its government.
_PLACE_SUFFIX = re.compile(r"(省|自治区|市|区|县|旗|自治州|州|盟)$")
_PERIOD_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_ORGAN_SUFFIX = re.compile(
    r"(人民政府|政府|办公室|办公厅|局|委员会|委|厅|部|署|院|中心|管委会|管理委员会|街道办事处|办事处|镇|乡|所|会|队|站|处|馆|社)$"
)


def _clean_agency(text: str) -> str:
    s = re.sub(r"[\s\u3000]+", "", text)
    s = s.strip("《》“”\"'：:，,。 ")
    s = re.sub(r"^(关于|印发)", "", s)
    return s


# What ends a clause before a quoted title: punctuation, or a verb of publishing.
_SENTENCE_RE = re.compile(r"[，。；：,;:《〈“”\"]|现予?公布|现予?发布|现将|予以公布|特?发布|印发|公开发布")


def _find_title(rows: list[Row], limit: int) -> tuple[str | None, str | None, int | None, int]:
    """Return (title, agency, year, index of the title row) from the first rows."""
    for row in rows[:limit]:
        text = " ".join(c for c in row.cells if c)
        m = _TITLE_RE.search(text)
        if not m:
            continue
        year = int(m.group("year"))
        prefix = text[: m.start()]
        if _SENTENCE_RE.search(prefix):
            # The title quoted inside a sentence (“…要求，现公布某县人民政府2023年…年度报告”): the organ
            # is the name right before the year, and this line is the preamble, not the title line.
            named = _clean_agency(m.group("mid") or _SENTENCE_RE.split(prefix)[-1])
            if named and len(named) <= 40 and (_ORGAN_SUFFIX.search(named) or _PLACE_SUFFIX.search(named)):
                return None, named, year, -1
            continue
        agency = _clean_agency(m.group("mid") or prefix)
        if not agency or not (_ORGAN_SUFFIX.search(agency) or _PLACE_SUFFIX.search(agency)):
            # The organ is printed on the line(s) above the year line.
            for prev in reversed(rows[max(0, row.index - 3) : row.index]):
                cand = _clean_agency(" ".join(prev.cells))
                if cand and len(cand) <= 40 and _ORGAN_SUFFIX.search(cand):
                    agency = cand + agency if agency and not _ORGAN_SUFFIX.search(agency) else cand
                    break
        if agency and _PLACE_SUFFIX.search(agency) and not _ORGAN_SUFFIX.search(agency):
            agency += "人民政府"
        title = f"{agency or ''}{year}年政府信息公开工作年度报告"
        return title, agency or None, year, row.index
    return None, None, None, -1


# ----------------------------------------------------------------------------------------------
# Sections


def _section_body(title: str) -> str:
    return strip_numbering(title)


def _title_equal(a: str, b: str) -> bool:
    return _section_body(a) == _section_body(b)


def _match_section(text: str) -> SectionDef | None:
    """Return the section a short title line announces, or None."""
    t = norm(text)
    if not t or len(t) > 48 or SUBITEM_RE.match(t):
        return None  # "（一）主动公开政府信息情况" is a sub-item of 一, not section 二
    m = SECTION_NUMBER_RE.match(t)
    body = _section_body(t)
    for sdef in SECTIONS:
        keyed = any(all(k in body for k in group) for group in sdef.keys)
        if not keyed:
            continue
        if m and m.group(1) == sdef.number:
            return sdef
        best = max(
            SequenceMatcher(None, body, _section_body(c)).ratio() for c in (sdef.canonical, *sdef.variants)
        )
        if best >= 0.8:
            return sdef
    return None


def _detect_sections(rows: list[Row], start: int) -> dict[str, tuple[int, str, Row, str]]:
    """Return section id → (row index, printed title, row, text run in after the title)."""
    found: dict[str, tuple[int, str, Row, str]] = {}
    for row in rows[start + 1 if start >= 0 else 0 :]:
        if row.is_table and sum(1 for c in row.cells if c.strip()) > 1:
            continue
        text = next((c for c in row.cells if c.strip()), "").strip()
        if any(is_value_cell(c) for c in row.cells[1:]):
            continue
        sdef, title, rest = _match_section(text), text, ""
        if sdef is None and len(norm(text)) > 12:
            # a title run into the first sentence of its section: "一、总体情况。2023年，我局……"
            m = RUN_IN_TITLE_RE.match(text)
            if m:
                sdef, title, rest = _match_section(m.group(1)), m.group(1).strip(), text[m.end() :].strip()
        if sdef and sdef.id not in found:
            found[sdef.id] = (row.index, title, row, rest)
    return found


# A signature (落款) after the last section: the organ's name alone on a line, a date alone on a line.
_DATE_LINE_RE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}|"
    r"[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$"
)
_SIGNATURE_LINES = 3


def _signature_lines(texts: list[str]) -> int:
    """Return how many trailing lines of the last section are a signature (organ name, date), not content."""
    n = 0
    for text in reversed(texts[-_SIGNATURE_LINES:]):
        s = re.sub(r"\s+", "", text)
        is_date = bool(_DATE_LINE_RE.match(s))
        is_organ = bool(s) and len(s) <= 30 and bool(_ORGAN_SUFFIX.search(s)) and not _SENTENCE_RE.search(s)
        if not (is_date or is_organ):
            break
        n += 1
    return n if n < len(texts) else 0  # a section made only of such lines keeps them


def fill_sections(report: Report, rows: list[Row], title_idx: int) -> dict[str, tuple[int, int]]:
    """Find the six sections, fill ``report.sections`` and ``report.preamble``; return the sections' row bounds.

    The last section's text stops before a signature (落款: the organ's name and the date on lines
    of their own), so that “六、其他需要报告的事项 无。” followed by a signature reads as a nil 六.
    """
    found = _detect_sections(rows, title_idx)
    order = sorted(found.items(), key=lambda kv: kv[1][0])
    report.section_order = [sid for sid, _ in order]
    bounds: dict[str, tuple[int, int]] = {}
    for i, (sid, (idx, *_rest)) in enumerate(order):
        end = order[i + 1][1][0] if i + 1 < len(order) else len(rows)
        bounds[sid] = (idx, end)
    last = order[-1][0] if order else None
    for sdef in SECTIONS:
        sec = Section(id=sdef.id)
        if sdef.id in found:
            _idx, printed, row, run_in = found[sdef.id]
            start, end = bounds[sdef.id]
            sec.present, sec.title, sec.line, sec.page = True, printed, row.line, row.page
            sec.position = report.section_order.index(sdef.id)
            body = [r for r in rows[start + 1 : end] if not r.is_table]
            texts = [" ".join(c for c in r.cells if c) for r in body]
            if sdef.id == last and (cut := _signature_lines(texts)):
                body, texts = body[:-cut], texts[:-cut]
            sec.lines, sec.pages = [r.line for r in body], [r.page for r in body]
            if run_in:
                texts, sec.lines, sec.pages = [run_in, *texts], [row.line, *sec.lines], [row.page, *sec.pages]
            sec.text = "\n".join(texts)
            if not _title_equal(printed, sdef.canonical):
                report.anomalies.append(
                    Anomaly(
                        kind="section_title_variant",
                        locator=sdef.id,
                        detail=f"章节标题“{printed}”与规定格式“{sdef.canonical}”不一致",
                        printed=printed,
                        canonical=sdef.canonical,
                        line=row.line,
                        page=row.page,
                    )
                )
        report.sections[sdef.id] = sec
    first_section = order[0][1][0] if order else len(rows)
    report.preamble = "\n".join(
        " ".join(c for c in r.cells if c) for r in rows[title_idx + 1 : first_section] if r.cells
    )
    return bounds
