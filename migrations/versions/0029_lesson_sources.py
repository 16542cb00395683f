"""lesson.risk_id, lesson.raid_item_id: a lesson learned when a risk or RAID item was closed
keeps the link to it

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 07:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Added in place (no batch copy of the table on SQLite): copying `lesson` would drop the
# full-text triggers made in 0025.
LINKS = (("risk_id", "risk"), ("raid_item_id", "raid_item"))


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, table in LINKS:
        if sqlite:  # SQLite adds a column with its reference, not a constraint afterwards
            op.execute(f"ALTER TABLE lesson ADD COLUMN {column} INTEGER REFERENCES {table} (id)")
        else:
            op.add_column("lesson", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(f"fk_lesson_{column}", "lesson", table, [column], ["id"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, _ in LINKS:
        if not sqlite:
            op.drop_constraint(f"fk_lesson_{column}", "lesson", type_="foreignkey")
        op.drop_column("lesson", column)
