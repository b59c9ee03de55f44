"""``gkaudit ingest`` (documents received by e-mail or upload) and ``gkaudit audit``."""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from audit import genre, run
from audit.cli.common import (
    EXIT_INPUT,
    LEVEL,
    check_publication,
    fail,
    open_store,
    out,
    past_day_option,
    year_option,
)
from audit.mail import MailError, is_mail, read_mail
from audit.organs import same_organ
from audit.parse import parse_bytes
from audit.readers import UnreadableError
from audit.report import Report
from audit.store import agencies, archive
from audit.store import db as store

MAX_INGEST_BYTES = 200 * 1024 * 1024  # a single received file; larger is refused before reading


@dataclass
class Item:
    """One document to ingest: its bytes and where it came from."""

    label: str  # how it is named in messages (path, or path ▸ attachment)
    name: str  # the file name stored as original_name
    data: bytes
    origin: str = "ingest"
    received_from: str | None = None
    received_at: datetime | None = None


class Skip(Exception):
    """One input that cannot be ingested (message in Chinese); the others go on."""


def _read_file(path: Path) -> bytes:
    """Return a regular file's bytes (no FIFOs, devices or oversized files)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise Skip(f"{path}：无法读取文件（{exc.strerror or exc}）") from exc
    if not stat.S_ISREG(st.st_mode):
        raise Skip(f"{path}：不是普通文件（设备、管道等不能入库）")
    if st.st_size > MAX_INGEST_BYTES:
        raise Skip(f"{path}：文件过大（{st.st_size // 1_048_576} MB）")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Skip(f"{path}：无法读取文件（{exc.strerror or exc}）") from exc


def _items(paths: tuple[Path, ...]) -> Iterator[Item | Skip]:
    """Yield the documents named by ``paths``: files, folders (recursively) and e-mails' attachments."""
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not files:
                yield Skip(f"{path}：文件夹中没有文件")
            yield from _items(tuple(files))
            continue
        try:
            data = _read_file(path)
        except Skip as exc:
            yield exc
            continue
        if not is_mail(data, path.name):
            yield Item(str(path), path.name, data)
            continue
        try:
            message = read_mail(data, path.name)
        except MailError as exc:
            yield Skip(f"{path}：{exc}")
            continue
        if not message.attachments:
            yield Skip(f"{path}：邮件没有附件（邮件正文不作为年报审核）")
        for att in message.attachments:
            yield Item(
                f"{path} ▸ {att.name}",
                att.name,
                att.data,
                origin="email",
                received_from=message.sender,
                received_at=message.received,
            )


def _parse(item: Item) -> Report | None:
    """Return the parsed document, or None when it cannot be read (it may still be a report: TL03)."""
    if not item.data.strip():
        raise Skip(f"{item.label}：文件为空")
    try:
        report = parse_bytes(item.data, item.name)
    except UnreadableError:
        return None
    verdict = genre.judge(report)
    if verdict.is_report is False:
        raise Skip(f"{item.label}：{verdict.reason}，未入库")
    return report


def _agency(session: object, printed: str | None, given: str | None, new_agency: bool, force: bool) -> str:
    """Return the stored agency name the document belongs to, checking what was given against the print."""
    name = given or printed
    if not name:
        raise Skip("文档中未识别出机关名称，请用 --agency 指定")
    if given and printed and not same_organ(given, printed) and not force:
        raise Skip(
            f"文档中印的机关是“{printed}”，与 --agency “{given}”不是同一机关（确属本机关请加 --force）"
        )
    match = agencies.resolve(session, name)  # type: ignore[arg-type]
    if match.agency is not None:
        if match.how in ("same_organ", "alias"):
            out(f"    “{name}”对应库中机关“{match.agency.name}”")
        return match.agency.name
    if match.how == "ambiguous":
        raise Skip(f"“{name}”可能是库中多个机关之一：{'、'.join(match.candidates)}，请用 --agency 写明全称")
    if new_agency:
        return name
    hint = f"；相近的机关：{'、'.join(match.candidates)}" if match.candidates else ""
    raise Skip(f"库中没有机关“{name}”{hint}。新机关请加 --new-agency")


def _ingest_one(item: Item, opts: dict) -> str:
    """Store one document; return the line that says what happened."""
    report = _parse(item)
    if report is None and not opts["agency"]:
        raise Skip(f"{item.label}：无法读取，且未指定 --agency（无法机读的年报入库后记为 TL03）")
    year = opts["year"] or (report.year if report else None)
    check_publication(year, opts["published_on"], allow_early=opts["allow_early"])
    with store.session_scope() as session:
        name = _agency(
            session, report.agency if report else None, opts["agency"], opts["new_agency"], opts["force"]
        )
        doc, new = archive.store_document(
            session,
            item.data,
            agency=name,
            url=opts["url"],
            original_name=item.name,
            origin=item.origin,
            fetched_at=item.received_at,
            published_on=opts["published_on"],
            year=opts["year"],
            level=opts["level"],
            region=opts["region"],
            received_from=item.received_from,
        )
    state = "新版本已入库" if new else "内容相同，已存在"
    return f"{item.label}：{state}（{name}，文档 {doc.id}，sha256 {doc.sha256[:12]}…）"


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件或文件夹...")
@click.option("--agency", help="发布机关名称（默认取报告中印的机关名称）")
@click.option("--new-agency", is_flag=True, help="--agency 是库中还没有的新机关")
@click.option("--year", type=int, callback=year_option, help="报告年度（默认从文档读取）")
@click.option("--level", type=LEVEL, help="机关类型：政府（government）或部门（department）")
@click.option("--region", help="行政区划代码")
@click.option("--published-on", callback=past_day_option, help="发布日期 YYYY-MM-DD")
@click.option(
    "--allow-early-publication",
    "allow_early",
    is_flag=True,
    help="登记早于年度结束的发布日期（如实记录异常）",
)
@click.option("--url", help="文档的网址（如有）")
@click.option("--force", is_flag=True, help="文档中印的机关与 --agency 不一致时仍然入库")
def ingest(paths: tuple[Path, ...], **opts: object) -> None:
    """把通过邮件、上传等方式收到的报告存入库中（与抓取所得同等对待）。

    PATHS 可以是文件、文件夹（含子文件夹）或邮件（.eml/.msg，其附件逐个入库，记录发件人和日期）。
    不是年报的文件、与 --agency 不是同一机关的报告不会入库。

    \b
    示例：
      gkaudit ingest 年报.pdf --agency 某市信访局 --published-on 2025-01-20
      gkaudit ingest 收件箱/ --agency 某县人民政府 --new-agency
      gkaudit ingest 来信.eml
    """
    open_store()
    failed = done = 0
    for item in _items(paths):
        try:
            if isinstance(item, Skip):
                raise item
            out(_ingest_one(item, opts))
            done += 1
        except Skip as exc:
            out(str(exc), err=True)
            failed += 1
        except archive.StoreError as exc:
            out(f"{item.label}：{exc}", err=True)  # type: ignore[union-attr]
            failed += 1
        except click.BadParameter as exc:
            out(f"{item.label}：{exc.format_message()}", err=True)  # type: ignore[union-attr]
            failed += 1
    if failed:
        out(f"入库 {done} 份，失败或跳过 {failed} 份。", err=True)
        sys.exit(EXIT_INPUT)


def _positive(value: int | None) -> int | None:
    """Click callback: a number of worker processes, at least 1."""
    if value is not None and value < 1:
        raise click.BadParameter(f"工作进程数应至少为 1：{value}")
    return value


def _progress() -> run.Progress | None:
    """Return a progress printer for a terminal (None when output goes to a file or a pipe)."""
    if not sys.stderr.isatty():
        return None

    def show(message: str) -> None:
        click.echo(f"\r\x1b[K{message}", nl=False, err=True)

    return show


@click.command("audit")
@click.option("--all", "all_documents", is_flag=True, help="重新审核全部文档（默认只审核新增或变更的）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出本次审核摘要")
@click.option(
    "--jobs",
    type=int,
    metavar="N",
    callback=lambda _ctx, _param, value: _positive(value),
    help="并行解析和检查的工作进程数（默认取设置 GKAUDIT_JOBS，未设置时为 CPU 核数；1 为单进程）",
)
def audit(all_documents: bool, as_json: bool, jobs: int | None) -> None:
    """解析并审核新增或变更的报告，更新问题台账。

    --all 重新审核全部报告，但原件、读取程序和机关信息都未变的文档不再重新解析，规则、
    上年报告、雷同比对、已通知问题等都未变的报告不再重新检查（沿用上次结果）。

    \b
    退出码：0 全部审核完成；2 有文档解析或审核失败（其余照常完成，下次重试失败的文档）。
    示例：
      gkaudit audit
      gkaudit audit --all --json
      gkaudit audit --all --jobs 4
    """
    open_store()
    try:
        summary = run.run_audit(all_documents=all_documents, progress=_progress(), jobs=jobs)
    except store.Busy as exc:
        fail(str(exc))
    if sys.stderr.isatty():
        click.echo("", err=True)
    if as_json:
        click.echo(json.dumps(summary.__dict__, ensure_ascii=False, default=str))
    else:
        out(summary.summary())
        for err in summary.errors:
            where = err.get("source") or f"文档 {err.get('document', '')}{err.get('report', '')}"
            out(f"  错误：{where}：{err['error']}", err=True)
    if summary.status != "ok":
        sys.exit(EXIT_INPUT)
