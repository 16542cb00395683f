"""project_change: the projects each version of a table keyed by project changed, so a cached
read of one row per project (health) recomputes those projects only

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("all_projects", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_project_change_table_version", "project_change", ["table_name", "version"])


def downgrade() -> None:
    op.drop_index("ix_project_change_table_version", table_name="project_change")
    op.drop_table("project_change")
