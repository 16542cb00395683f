"""lessons learned (the register, useful/applied marks, the full-text index) and training
(course catalogue, training records, competence rules) and the templates library

The index is the database's own: an FTS5 table kept in sync by triggers on SQLite, a generated
tsvector column with a GIN index on PostgreSQL. Both fold accents, so "reseau" finds "réseau".

Revision ID: 0025
Revises: 0016
Create Date: 2026-12-06 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0025"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL's generated column must be immutable, which unaccent() is not: translate() is.
ACCENTED = "àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőřśšşťùúûüūůűųýÿźżž"
PLAIN = "aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorssstuuuuuuuuyyzzz"
SEARCHED = ("title", "what_happened", "recommendation", "tags")

_FTS_TRIGGERS = {
    "lesson_fts_insert": "AFTER INSERT ON lesson BEGIN {insert} END",
    "lesson_fts_delete": "AFTER DELETE ON lesson BEGIN {delete} END",
    "lesson_fts_update": "AFTER UPDATE ON lesson BEGIN {delete} {insert} END",
}


def _sqlite_search() -> None:
    cols = ", ".join(SEARCHED)
    new = ", ".join(f"new.{c}" for c in SEARCHED)
    old = ", ".join(f"old.{c}" for c in SEARCHED)
    op.execute(
        f"CREATE VIRTUAL TABLE lesson_fts USING fts5({cols}, content='lesson', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    insert = f"INSERT INTO lesson_fts(rowid, {cols}) VALUES (new.id, {new});"
    delete = f"INSERT INTO lesson_fts(lesson_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
    for name, body in _FTS_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body.format(insert=insert, delete=delete)}")


def _postgres_search() -> None:
    text = " || ' ' || ".join(f"coalesce({c}, '')" for c in SEARCHED)
    op.execute(
        "ALTER TABLE lesson ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('english'::regconfig, translate(lower({text}), '{ACCENTED}', '{PLAIN}'))) "
        "STORED"
    )
    op.execute("CREATE INDEX search_vector_idx ON lesson USING GIN (search_vector)")


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    ]


def _training() -> None:
    op.create_table(
        "course",
        *_versioned(),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("valid_months", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('course', 'certification')", name="ck_course_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "training_record",
        *_versioned(),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= completed_on", name="ck_training_dates"
        ),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "course_id", name="uq_training_person_course"),
    )
    op.create_index("ix_training_record_person_id", "training_record", ["person_id"])
    op.create_table(
        "competence_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_size", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "project_size IN ('small', 'medium', 'large')", name="ck_competence_size"
        ),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_size", "course_id", name="uq_competence_rule"),
    )


def _library() -> None:
    op.create_table(
        "library_document",
        *_versioned(),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("phases", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "library_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("uploaded_on", sa.Date(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["library_document.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "number", name="uq_library_file"),
    )
    op.create_index("ix_library_file_document_id", "library_file", ["document_id"])


def upgrade() -> None:
    op.create_table(
        "lesson",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("what_happened", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recommendation", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("project_size", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tags", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("gate_review_id", sa.Integer(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('repeat', 'avoid')", name="ck_lesson_kind"),
        sa.CheckConstraint(
            "category IN ('scope', 'schedule', 'cost', 'quality', 'risk', 'stakeholders', "
            "'resources', 'procurement', 'technology', 'governance')",
            name="ck_lesson_category",
        ),
        sa.CheckConstraint(
            "phase IN ('Idea', 'Initiation', 'Planning', 'Execution', 'Closing', 'Closed')",
            name="ck_lesson_phase",
        ),
        sa.CheckConstraint("project_size IN ('small', 'medium', 'large')", name="ck_lesson_size"),
        sa.CheckConstraint(
            "status IN ('draft', 'accepted', 'merged', 'archived')", name="ck_lesson_status"
        ),
        sa.CheckConstraint("source IN ('manual', 'gate', 'closure')", name="ck_lesson_source"),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["gate_review_id"], ["gate_review.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lesson_department_id", "lesson", ["department_id"])
    op.create_index("ix_lesson_project_id", "lesson", ["project_id"])
    op.create_table(
        "lesson_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("marked_on", sa.Date(), nullable=False),
        sa.CheckConstraint("kind IN ('useful', 'applied')", name="ck_lesson_mark_kind"),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lesson_id", "person_id", "kind", name="uq_lesson_mark"),
    )
    op.create_index("ix_lesson_mark_lesson_id", "lesson_mark", ["lesson_id"])
    _training()
    _library()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_search()
    else:
        _postgres_search()


def downgrade() -> None:
    op.drop_index("ix_library_file_document_id", table_name="library_file")
    op.drop_table("library_file")
    op.drop_table("library_document")
    op.drop_table("competence_rule")
    op.drop_index("ix_training_record_person_id", table_name="training_record")
    op.drop_table("training_record")
    op.drop_table("course")
    if op.get_bind().dialect.name == "sqlite":
        for name in _FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS lesson_fts")
    op.drop_index("ix_lesson_mark_lesson_id", table_name="lesson_mark")
    op.drop_table("lesson_mark")
    op.drop_index("ix_lesson_project_id", table_name="lesson")
    op.drop_index("ix_lesson_department_id", table_name="lesson")
    op.drop_table("lesson")
