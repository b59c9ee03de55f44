"""The findings store: settings, migrations on both engines, pragmas, JSON, document versions."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select
from test_store_support import db, empty_db  # noqa: F401

from audit.store import archive
from audit.store import db as store
from audit.store import tables as m

TABLES = {"agency", "document", "report", "auditrun", "finding", "findingevent", "notice", "noticefinding"}


def test_default_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("GKAUDIT_DATA", str(tmp_path / "d"))
    assert store.database_url() == f"sqlite:///{tmp_path / 'd' / 'gkaudit.sqlite'}"
    assert store.archive_dir() == tmp_path / "d" / "archive"
    monkeypatch.setenv("GKAUDIT_TODAY", "2026-12-31")
    assert store.today() == date(2026, 12, 31)


def test_upgrade_empty_database_to_head(empty_db: str) -> None:  # noqa: F811
    assert store.current_revision() is None
    store.upgrade()
    assert store.current_revision() == store.head_revision()
    names = set(inspect(store.get_engine()).get_table_names())
    assert TABLES | {"alembic_version"} <= names
    store.ensure_schema()  # already at head: nothing to do
    assert store.current_revision() == store.head_revision()


def test_migrations_match_the_models(db: str) -> None:  # noqa: F811
    with store.get_engine().connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], "models changed without a migration: " + repr(diff)


def test_db_upgrade_command_from_another_directory(
    empty_db: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from audit.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "数据库已升级到版本" in result.output
    assert store.current_revision() == store.head_revision()


def test_sqlite_pragmas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKAUDIT_DATA", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store.dispose_engines()
    store.upgrade()
    with store.get_engine().connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    store.dispose_engines()


def test_foreign_keys_enforced(db: str) -> None:  # noqa: F811
    with pytest.raises(IntegrityError):
        with store.session_scope() as s:
            s.add(m.Document(agency_id=999, sha256="0" * 64, archive_path="x"))


def test_json_keeps_chinese_readable(db: str) -> None:  # noqa: F811
    with store.session_scope() as s:
        agency = archive.get_agency(s, "中卫市信访局")
        doc, _ = archive.store_document(s, "报告正文".encode(), agency=agency.name, original_name="a.txt")
        s.add(m.Report(agency_id=agency.id, document_id=doc.id, year=2024, parsed={"机关": "中卫市信访局"}))
    with store.get_engine().connect() as conn:
        raw = conn.execute(text("SELECT CAST(parsed AS TEXT) FROM report")).scalar()
    assert "中卫市信访局" in raw and "\\u" not in raw


def test_store_document_versions_and_archive(db: str) -> None:  # noqa: F811
    v1 = "石嘴山市信访局 2023 年政府信息公开工作年度报告\n一、总体情况\n".encode()
    v2 = v1 + "（更正版）".encode()
    with store.session_scope() as s:
        d1, new1 = archive.store_document(
            s, v1, agency="石嘴山市信访局", original_name="a.txt", level="department", region="640200"
        )
        d1b, new1b = archive.store_document(
            s,
            v1,
            agency="石嘴山市信访局",
            url="https://example.gov.cn/a.html",
            published_on=date(2024, 1, 20),
        )
        d2, new2 = archive.store_document(s, v2, agency="石嘴山市信访局", original_name="b.txt")
        assert (new1, new1b, new2) == (True, False, True)
        assert d1.id == d1b.id != d2.id
        assert d1b.url == "https://example.gov.cn/a.html" and d1b.published_on == date(2024, 1, 20)
        docs = s.exec(select(m.Document)).all()
        agency = s.exec(select(m.Agency)).one()
    assert len(docs) == 2
    assert (agency.level, agency.region) == ("department", "640200")
    archived = store.data_dir() / d1.archive_path
    assert archived.read_bytes() == v1
    assert d1.sha256 == hashlib.sha256(v1).hexdigest() and d1.sha256 in archived.name
    assert d1.content_type == "text/plain"


def test_empty_document_refused(db: str) -> None:  # noqa: F811
    with pytest.raises(archive.StoreError):
        with store.session_scope() as s:
            archive.store_document(s, b"", agency="某局", original_name="empty.txt")


def test_upgrade_keeps_data_across_revisions(empty_db: str) -> None:  # noqa: F811
    store.upgrade(revision="0001")
    with store.get_engine().begin() as conn:
        conn.execute(text("INSERT INTO agency (id, name, created_at) VALUES (1, '甲局', CURRENT_TIMESTAMP)"))
        conn.execute(
            text(
                "INSERT INTO auditrun (id, started_at, catalogue_version, status, documents, reports_audited,"
                " errors, findings_total, opened, reopened, fixed, error_detail)"
                " VALUES (1, CURRENT_TIMESTAMP, 'v', 'ok', 0, 0, 0, 0, 0, 0, 0, '[]')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO document (id, agency_id, sha256, size, origin, fetched_at, archive_path)"
                " VALUES (1, 1, 'ab', 1, 'ingest', CURRENT_TIMESTAMP, 'archive/x')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO report (id, agency_id, year, document_id, version, readable, parsed, narrative,"
                " parsed_at, finding_count) VALUES (1, 1, 2023, 1, 1, true, '{}', '{}', CURRENT_TIMESTAMP, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO finding (id, fingerprint, agency_id, year, rule, locator, rule_version, severity,"
                " message, evidence, status, recurring, first_seen_run_id, last_seen_run_id, first_report_id,"
                " last_report_id, first_seen_at, updated_at) VALUES (1, 'fp', 1, 2023, 'BL03', 't3.total', 'v',"
                " 'error', '表三不平衡', '{}', 'open', false, 1, 1, 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO findingevent (id, finding_id, at, actor, to_status) VALUES (1, 1, CURRENT_TIMESTAMP, 's', 'open')"
            )
        )
    store.upgrade()
    assert store.current_revision() == store.head_revision()
    with store.session_scope() as s:
        finding = s.get(m.Finding, 1)
        assert finding is not None and finding.message == "表三不平衡" and finding.first_report_id == 1
        assert s.get(m.FindingEvent, 1) is not None
        s.add(
            m.Finding(
                id=2,
                fingerprint="fp2",
                agency_id=1,
                year=2024,
                rule="TL02",
                locator="report",
                severity="error",
                message="未公布",
                first_seen_run_id=1,
                last_seen_run_id=1,
            )
        )


def test_only_one_audit_at_a_time(db: str) -> None:  # noqa: F811
    with store.exclusive("审核"):
        with pytest.raises(store.Busy, match="正在运行"):
            with store.exclusive("审核"):
                pass
    with store.exclusive("审核"):  # released
        pass
