"""lesson.guidance_template_id, lesson.guidance_phase: a lesson merged into a phase's guidance
keeps the template revision and the phase it changed

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place, as in 0029: a batch copy of `lesson` on SQLite would drop its full-text triggers.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE lesson ADD COLUMN guidance_template_id INTEGER "
            "REFERENCES lifecycle_template (id)"
        )
    else:
        op.add_column("lesson", sa.Column("guidance_template_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_lesson_guidance_template_id",
            "lesson",
            "lifecycle_template",
            ["guidance_template_id"],
            ["id"],
        )
    op.add_column("lesson", sa.Column("guidance_phase", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("lesson", "guidance_phase")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_lesson_guidance_template_id", "lesson", type_="foreignkey")
    op.drop_column("lesson", "guidance_template_id")
