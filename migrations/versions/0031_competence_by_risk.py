"""competence_rule.project_size -> applies_to: the rule also names courses for projects whose
highest open risk is High or Critical

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 10:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIZES = "('small', 'medium', 'large')"
CLASSES = "('small', 'medium', 'large', 'risk_high', 'risk_critical')"


def upgrade() -> None:
    # The unique constraint follows the renamed column by itself.
    with op.batch_alter_table("competence_rule") as batch:
        batch.drop_constraint("ck_competence_size", type_="check")
        batch.alter_column("project_size", new_column_name="applies_to")
        batch.create_check_constraint("ck_competence_applies_to", f"applies_to IN {CLASSES}")


def downgrade() -> None:
    op.execute("DELETE FROM competence_rule WHERE applies_to NOT IN " + SIZES)
    with op.batch_alter_table("competence_rule") as batch:
        batch.drop_constraint("ck_competence_applies_to", type_="check")
        batch.alter_column("applies_to", new_column_name="project_size")
        batch.create_check_constraint("ck_competence_size", f"project_size IN {SIZES}")
