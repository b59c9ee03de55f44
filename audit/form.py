"""The annual-report form as data: sections, tables, row/column labels and cell ids.

Mirrors ``spec/format.md`` and ``spec/format-schema.json`` (2021 form of 国办公开办函〔2021〕30号 and
the 2019 trial form of 国办公开办函〔2019〕60号). Every parser and rule refers to cells by the ids
defined here, e.g. ``t3.denied.state_secret.total``.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT_2021 = "2021"
FORMAT_2019 = "2019"


@dataclass(frozen=True)
class SectionDef:
    """One of the six prescribed sections of the report."""

    id: str
    number: str
    canonical: str
    keys: tuple[tuple[str, ...], ...]  # any one group of keywords, all present, identifies the title
    variants: tuple[str, ...] = ()


SECTIONS: tuple[SectionDef, ...] = (
    SectionDef("S1", "一", "一、总体情况", (("总体情况",), ("基本情况",)), ("一、工作基本情况",)),
    SectionDef("S2", "二", "二、主动公开政府信息情况", (("主动公开",),)),
    SectionDef("S3", "三", "三、收到和处理政府信息公开申请情况", (("收到", "申请"), ("处理", "申请情况"))),
    SectionDef(
        "S4",
        "四",
        "四、政府信息公开行政复议、行政诉讼情况",
        (("行政复议", "行政诉讼"), ("行政复议", "诉讼")),
        (
            "四、政府信息公开行政复议和行政诉讼情况",
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "四、因政府信息公开工作被申请行政复议提起行政诉讼情况",
            "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
        ),
    ),
    SectionDef(
        "S5",
        "五",
        "五、存在的主要问题及改进情况",
        (("问题", "改进"), ("问题", "整改"), ("存在", "问题")),
        (
            "五、政府信息公开工作存在的主要问题及改进情况",
            "五、政府信息公开工作存在的主要问题及改进措施",
            "五、存在主要问题及改进情况",
            "五、存在的问题及改进情况",
            "五、存在问题及改进情况",
        ),
    ),
    SectionDef(
        "S6",
        "六",
        "六、其他需要报告的事项",
        (("其他需要报告",), ("其它需要报告",), ("其他", "报告", "事项"), ("其它", "事项")),
        ("六、其它需要报告的事项", "六、其他需要报告事项", "六、其它需要报告事项"),
    ),
)
SECTION_IDS = tuple(s.id for s in SECTIONS)
SECTION_BY_ID = {s.id: s for s in SECTIONS}
#: Reader-facing names of the parts of the text: the preamble and the six sections.
SECTION_LABELS = {"preamble": "报告前言", **{s.id: s.canonical for s in SECTIONS}}
#: Reader-facing names of the three tables.
TABLE_LABELS = {
    "t2": "表二（主动公开政府信息情况）",
    "t3": "表三（收到和处理政府信息公开申请情况）",
    "t4": "表四（政府信息公开行政复议、行政诉讼情况）",
}


@dataclass(frozen=True)
class RowDef:
    """A row of a prescribed table: id, canonical printed label, accepted variants."""

    id: str
    label: str
    variants: tuple[str, ...] = ()
    kind: str = "data"  # data | group
    parent: str | None = None


@dataclass(frozen=True)
class ColumnDef:
    """A value column of a prescribed table."""

    id: str
    label: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class T2Block:
    """A block of table 2 (one 第二十条第（X）项 sub-table)."""

    id: str
    header: str
    columns: tuple[ColumnDef, ...]
    rows: tuple[RowDef, ...]
    decimal: bool = False


T2_2021: tuple[T2Block, ...] = (
    T2Block(
        "B1",
        "第二十条第（一）项",
        (
            ColumnDef("made", "本年制发件数"),
            ColumnDef("repealed", "本年废止件数"),
            ColumnDef("valid", "现行有效件数"),
        ),
        (RowDef("reg", "规章"), RowDef("norm", "行政规范性文件", ("规范性文件",))),
    ),
    T2Block(
        "B2",
        "第二十条第（五）项",
        (ColumnDef("decisions", "本年处理决定数量"),),
        (RowDef("license", "行政许可"),),
    ),
    T2Block(
        "B3",
        "第二十条第（六）项",
        (ColumnDef("decisions", "本年处理决定数量"),),
        (RowDef("penalty", "行政处罚"), RowDef("coercion", "行政强制")),
    ),
    T2Block(
        "B4",
        "第二十条第（八）项",
        (ColumnDef("amount", "本年收费金额（单位：万元）", ("本年收费金额（单位：万元，保留4位小数）",)),),
        (RowDef("fee", "行政事业性收费"),),
        decimal=True,
    ),
)

_PREV = (ColumnDef("prev_items", "上一年项目数量"), ColumnDef("change", "本年增/减"))
T2_2019: tuple[T2Block, ...] = (
    T2Block(
        "B1",
        "第二十条第（一）项",
        (
            ColumnDef("new_made", "本年新制作数量"),
            ColumnDef("new_published", "本年新公开数量"),
            ColumnDef("total_published", "对外公开总数量"),
        ),
        (RowDef("reg", "规章"), RowDef("norm", "规范性文件", ("行政规范性文件",))),
    ),
    T2Block(
        "B2",
        "第二十条第（五）项",
        (*_PREV, ColumnDef("decisions", "处理决定数量")),
        (RowDef("license", "行政许可"), RowDef("other_service", "其他对外管理服务事项")),
    ),
    T2Block(
        "B3",
        "第二十条第（六）项",
        (*_PREV, ColumnDef("decisions", "处理决定数量")),
        (RowDef("penalty", "行政处罚"), RowDef("coercion", "行政强制")),
    ),
    T2Block("B4", "第二十条第（八）项", _PREV, (RowDef("fee", "行政事业性收费"),)),
    T2Block(
        "B5",
        "第二十条第（九）项",
        (ColumnDef("items", "采购项目数量"), ColumnDef("amount", "采购总金额")),
        (RowDef("procurement", "政府集中采购"),),
        decimal=True,
    ),
)

T3_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef("natural", "自然人"),
    ColumnDef("commercial", "商业企业"),
    ColumnDef("research", "科研机构"),
    ColumnDef("social", "社会公益组织"),
    ColumnDef("legal", "法律服务机构"),
    ColumnDef("other_org", "其他"),
    ColumnDef("total", "总计"),
)
T3_COLUMN_IDS = tuple(c.id for c in T3_COLUMNS)
T3_PARTS = T3_COLUMN_IDS[:-1]

T3_ROWS: tuple[RowDef, ...] = (
    RowDef("new", "一、本年新收政府信息公开申请数量"),
    RowDef("carry_in", "二、上年结转政府信息公开申请数量"),
    RowDef("result", "三、本年度办理结果", kind="group"),
    RowDef("granted", "（一）予以公开", parent="result"),
    RowDef("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", parent="result"),
    RowDef("denied", "（三）不予公开", kind="group", parent="result"),
    RowDef("denied.state_secret", "1.属于国家秘密", parent="denied"),
    RowDef("denied.law_forbidden", "2.其他法律行政法规禁止公开", parent="denied"),
    RowDef("denied.security_stability", "3.危及“三安全一稳定”", parent="denied"),
    RowDef("denied.third_party", "4.保护第三方合法权益", parent="denied"),
    RowDef("denied.internal_affairs", "5.属于三类内部事务信息", parent="denied"),
    RowDef("denied.process_info", "6.属于四类过程性信息", parent="denied"),
    RowDef("denied.enforcement_file", "7.属于行政执法案卷", parent="denied"),
    RowDef("denied.admin_query", "8.属于行政查询事项", parent="denied"),
    RowDef("unable", "（四）无法提供", kind="group", parent="result"),
    RowDef("unable.not_held", "1.本机关不掌握相关政府信息", parent="unable"),
    RowDef("unable.needs_creation", "2.没有现成信息需要另行制作", parent="unable"),
    RowDef("unable.unclear", "3.补正后申请内容仍不明确", parent="unable"),
    RowDef("not_processed", "（五）不予处理", kind="group", parent="result"),
    RowDef("not_processed.petition", "1.信访举报投诉类申请", parent="not_processed"),
    RowDef("not_processed.repeat", "2.重复申请", parent="not_processed"),
    RowDef("not_processed.publication", "3.要求提供公开出版物", parent="not_processed"),
    RowDef("not_processed.mass_repeat", "4.无正当理由大量反复申请", parent="not_processed"),
    RowDef("not_processed.confirm_reissue", "5.要求行政机关确认或重新出具已获取信息", parent="not_processed"),
    RowDef("other", "（六）其他处理", kind="group", parent="result"),
    RowDef(
        "other.no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        parent="other",
    ),
    RowDef(
        "other.fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        parent="other",
    ),
    RowDef("other.other", "3.其他", parent="other"),
    RowDef("result_total", "（七）总计", parent="result"),
    RowDef("carry_out", "四、结转下年度继续办理"),
)
T3_ROW_BY_ID = {r.id: r for r in T3_ROWS}
T3_DATA_ROWS_2021 = tuple(r.id for r in T3_ROWS if r.kind == "data")
# 2019 trial form: （六）其他处理 is a single data row without sub-rows.
T3_DATA_ROWS_2019 = tuple(
    ("other" if r.id == "other" else r.id)
    for r in T3_ROWS
    if (r.kind == "data" and not r.id.startswith("other.")) or r.id == "other"
)
T3_RESULT_LEAVES_2021 = tuple(
    r for r in T3_DATA_ROWS_2021 if r not in ("new", "carry_in", "result_total", "carry_out")
)
T3_RESULT_LEAVES_2019 = tuple(
    r for r in T3_DATA_ROWS_2019 if r not in ("new", "carry_in", "result_total", "carry_out")
)


@dataclass(frozen=True)
class T4Group:
    """A column group of table 4: its id, its header as printed and the header above it."""

    id: str
    label: str  # as printed: 行政复议, 未经复议直接起诉, 复议后起诉
    parent: str = ""  # 行政诉讼 above the two lawsuit groups

    @property
    def full_label(self) -> str:
        """Return the label a reader understands alone, e.g. 行政诉讼（未经复议直接起诉）."""
        return f"{self.parent}（{self.label}）" if self.parent else self.label


T4_LITIGATION = "行政诉讼"
T4_GROUPS: tuple[T4Group, ...] = (
    T4Group("review", "行政复议"),
    T4Group("lit_direct", "未经复议直接起诉", T4_LITIGATION),
    T4Group("lit_after_review", "复议后起诉", T4_LITIGATION),
)
T4_GROUP_BY_ID = {g.id: g for g in T4_GROUPS}
T4_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef("upheld", "结果维持"),
    ColumnDef("corrected", "结果纠正"),
    ColumnDef("other", "其他结果"),
    ColumnDef("pending", "尚未审结"),
    ColumnDef("total", "总计"),
)
T4_CELLS = tuple(f"t4.{g.id}.{c.id}" for g in T4_GROUPS for c in T4_COLUMNS)

OUTDATED_STRONG_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "其他对外管理服务事项",
    "第二十条第（九）项",
    "采购项目数量",
    "采购总金额",
    "政府集中采购",
)


def t2_blocks(fmt: str) -> tuple[T2Block, ...]:
    """Return the table-2 blocks of a format (2021 or 2019)."""
    return T2_2019 if fmt == FORMAT_2019 else T2_2021


def t2_cells(fmt: str) -> tuple[str, ...]:
    """Return every table-2 cell id of a format, in printed order."""
    return tuple(f"t2.{r.id}.{c.id}" for b in t2_blocks(fmt) for r in b.rows for c in b.columns)


def t3_data_rows(fmt: str) -> tuple[str, ...]:
    """Return the table-3 data rows of a format."""
    return T3_DATA_ROWS_2019 if fmt == FORMAT_2019 else T3_DATA_ROWS_2021


def t3_result_leaves(fmt: str) -> tuple[str, ...]:
    """Return the table-3 rows that （七）总计 adds up, for a format."""
    return T3_RESULT_LEAVES_2019 if fmt == FORMAT_2019 else T3_RESULT_LEAVES_2021


def t3_cells(fmt: str) -> tuple[str, ...]:
    """Return every table-3 cell id of a format."""
    return tuple(f"t3.{r}.{c}" for r in t3_data_rows(fmt) for c in T3_COLUMN_IDS)


def all_cells(fmt: str) -> tuple[str, ...]:
    """Return every cell id of the three tables for a format, in printed order."""
    return t2_cells(fmt) + t3_cells(fmt) + T4_CELLS


def describe_cell(cell_id: str) -> str:
    """Return a reader-facing Chinese description of a cell id, e.g. 表三“（七）总计”行“总计”列."""
    parts = cell_id.split(".")
    table, col = parts[0], parts[-1]
    row = ".".join(parts[1:-1])
    if table == "t3":
        rdef = T3_ROW_BY_ID.get(row)
        cdef = next((c for c in T3_COLUMNS if c.id == col), None)
        if rdef and cdef:
            return f"表三“{rdef.label}”行“{cdef.label}”列"
    if table == "t4":
        g = T4_GROUP_BY_ID.get(row)
        cdef = next((c for c in T4_COLUMNS if c.id == col), None)
        if g and cdef:
            return f"表四“{g.full_label}”“{cdef.label}”"
    if table == "t2":
        for fmt in (FORMAT_2021, FORMAT_2019):
            for b in t2_blocks(fmt):
                for r in b.rows:
                    for c in b.columns:
                        if r.id == row and c.id == col:
                            return f"表二“{r.label}”行“{c.label}”"
    return cell_id


_TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}
_PLACES = {"report": "报告全文", "preamble": "报告前言", "title": "报告标题", "period": "统计期说明"}


def _describe_table_part(table: str, rest: str) -> str | None:
    """Return a row, column or group of a table as a reader says it (None when unknown)."""
    if table == "t3":
        if rest in T3_ROW_BY_ID:
            return f"表三“{T3_ROW_BY_ID[rest].label}”行"
        cdef = next((c for c in T3_COLUMNS if c.id == rest), None)
        if cdef:
            return f"表三“{cdef.label}”列"
    if table == "t4":
        if rest in T4_GROUP_BY_ID:
            return f"表四“{T4_GROUP_BY_ID[rest].full_label}”"
        if rest.startswith("lit."):
            cdef = next((c for c in T4_COLUMNS if c.id == rest[4:]), None)
            return f"表四“{T4_LITIGATION}”“{cdef.label}”" if cdef else None
    if table == "t2":
        for fmt in (FORMAT_2021, FORMAT_2019):
            for b in t2_blocks(fmt):
                for r in b.rows:
                    if r.id == rest:
                        return f"表二“{r.label}”行"
    return None


def describe_locator(locator: str | None) -> str:
    """Return where a finding points, as a reader says it.

    ``t3.denied.law_forbidden.total`` → 表三“2.其他法律行政法规禁止公开”行“总计”列; ``S5`` →
    第五部分“存在的主要问题及改进情况”; ``S1:公开平台建设`` → 第一部分“总体情况”（公开平台建设）;
    ``t3`` → 表三; ``report`` → 报告全文. An unknown locator is returned as it is.
    """
    loc = (locator or "").strip()
    if not loc:
        return "报告全文"
    if "+" in loc:  # a statement compared with the sum of several rows
        return "与".join(describe_locator(part) for part in loc.split("+"))
    if loc in _PLACES:
        return _PLACES[loc]
    sid, _, topic = loc.partition(":")
    if sid in SECTION_BY_ID:
        sec = SECTION_BY_ID[sid]
        where = f"第{sec.number}部分“{sec.canonical.split('、', 1)[-1]}”"
        return f"{where}（{topic}）" if topic else where
    table, _, rest = loc.partition(".")
    if table in _TABLE_NAMES:
        if not rest:
            return _TABLE_NAMES[table]
        cell = describe_cell(loc)
        if cell != loc:
            return cell
        return _describe_table_part(table, rest) or loc
    return loc
