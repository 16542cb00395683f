"""sign_in_session.sso_hash: a single sign-on's sessions carry the provider's sign-in, which
opens no new session once one of them has ended

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_session") as batch:
        batch.add_column(
            sa.Column("sso_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.create_index("ix_sign_in_session_sso_hash", ["sso_hash"])


def downgrade() -> None:
    with op.batch_alter_table("sign_in_session") as batch:
        batch.drop_index("ix_sign_in_session_sso_hash")
        batch.drop_column("sso_hash")
