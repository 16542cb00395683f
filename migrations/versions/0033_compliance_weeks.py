"""compliance_week: each project's compliance per policy at the end of each past week, recorded
by the worker for compliance over time

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = ("status", "risks", "gate", "criteria", "baselines")


def upgrade() -> None:
    op.create_table(
        "compliance_week",
        sa.Column("week_end", sa.Date(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        *(
            sa.Column(p, sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False)
            for p in POLICIES
        ),
        *(
            sa.CheckConstraint(
                f"{p} IN ('compliant', 'late', 'missing')", name=f"ck_compliance_week_{p}"
            )
            for p in POLICIES
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("week_end", "project_id"),
    )


def downgrade() -> None:
    op.drop_table("compliance_week")
