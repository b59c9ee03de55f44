"""report genre, finding product version, e-mail sender of a document

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_from", sa.String(), nullable=True))
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_report", sa.Boolean(), nullable=True))
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product_version", sa.String(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_column("product_version")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("is_report")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("received_from")
