"""audit cache: what each report's parse and check depended on; a run's reuse counts and roster key

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ("parse_key", "check_key", "copies_key", "year_key")
COUNTS = ("reports_unchanged", "documents_reused")
# what planning an audit reads of every report, in a covering index (SQLite keeps the row's later
# columns behind its large JSON)
REUSE = ("year", "agency_id", "document_id", "id", "readable", "audited_run_id", *KEYS)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("report", schema=None) as batch_op:
        for name in KEYS:
            batch_op.add_column(sa.Column(name, sa.String(length=64), nullable=True))
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index("ix_report_parse_key", ["document_id", "parse_key"], unique=False)
        batch_op.create_index("ix_report_reuse", list(REUSE), unique=False)
    with op.batch_alter_table("auditrun", schema=None) as batch_op:
        for name in COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("roster_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("auditrun", schema=None) as batch_op:
        batch_op.drop_column("roster_key")
        for name in COUNTS:
            batch_op.drop_column(name)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_reuse")
        batch_op.drop_index("ix_report_parse_key")
    with op.batch_alter_table("report", schema=None) as batch_op:
        for name in KEYS:
            batch_op.drop_column(name)
