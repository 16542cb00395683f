"""The PMO's templates and resources library: documents, each with numbered versions whose
files are kept in the database, the phases they belong to, and a download count."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from data_access.core.models import NAME_MAX, TEXT_MAX, Versioned, _strip


class LibraryDocumentBase(SQLModel):
    name: str = Field(min_length=3, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    # Lifecycle stages (data_access.core.models.PHASES) it is meant for, comma-separated.
    phases: str = Field(default="", max_length=200)

    _strip_name = field_validator("name", mode="before")(_strip)


class LibraryDocument(LibraryDocumentBase, Versioned, table=True):
    __tablename__ = "library_document"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, sa_column_kwargs={"unique": True})


class LibraryFile(SQLModel, table=True):
    """One uploaded version of a document (never rewritten: a new upload is a new row)."""

    __tablename__ = "library_file"
    __table_args__ = (sa.UniqueConstraint("document_id", "number", name="uq_library_file"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="library_document.id", index=True)
    number: int = Field(ge=1)
    filename: str = Field(max_length=NAME_MAX)
    media_type: str = Field(max_length=120)
    size: int = Field(ge=0)
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    note: str = Field(default="", max_length=TEXT_MAX)
    uploaded_on: dt.date
    uploaded_by_id: int | None = Field(default=None, foreign_key="person.id")
    downloads: int = Field(default=0, ge=0)
