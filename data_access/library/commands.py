"""Writes of the templates library: a PMO admin adds a document and uploads its versions;
anyone signed in downloads, which is counted.

An upload is checked before anything is written: not empty, at most 10 MB, of an accepted
type, and readable as that type (the file's first bytes match its extension; text is UTF-8).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.library_models import LibraryDocument, LibraryDocumentBase, LibraryFile
from data_access.core.models import PHASES
from data_access.core.permissions import refuse, require_admin
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    audit,
    check_text,
    commit,
    fetch_row,
    insert_row,
    validate,
)

MAX_BYTES = 10 * 1024 * 1024
OFFICE = b"PK\x03\x04"  # docx, xlsx and pptx are zip files
ACCEPTED = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", OFFICE),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", OFFICE),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", OFFICE),
    ".md": ("text/markdown", None),
    ".txt": ("text/plain", None),
}


def upload_problem(filename: str, content: bytes) -> str | None:
    """Why an upload is refused, in words; None when it is accepted."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in ACCEPTED:
        return f"files of type {suffix or '(none)'} are not accepted: use {', '.join(ACCEPTED)}"
    if not content:
        return "the file is empty"
    if len(content) > MAX_BYTES:
        return f"the file has {len(content) / 1_048_576:.1f} MB: at most 10 MB"
    magic = ACCEPTED[suffix][1]
    if magic is not None and not content.startswith(magic):
        return f"the file cannot be read as {suffix}: its content is of another type"
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return "the text file cannot be read: it is not UTF-8 text"
    return None


def _phases_problem(phases: str) -> str | None:
    unknown = [p.strip() for p in phases.split(",") if p.strip() and p.strip() not in PHASES]
    return f"unknown phase(s): {', '.join(unknown)}" if unknown else None


def add_document(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    require_admin(session, actor, "add a library document", entity="library_document")
    valid = validate(LibraryDocumentBase, data)
    problem = _phases_problem(valid.phases)
    if problem:
        raise ValidationFailed({"phases": problem})
    new_id = insert_row(session, LibraryDocument, valid.model_dump(), actor=actor, project_id=None)
    commit(session)
    return new_id


def upload_version(
    document_id: int,
    *,
    filename: str,
    content: bytes,
    note: str,
    on: dt.date,
    session: Session,
    actor: Actor,
) -> int:
    """A new version of a document; earlier versions stay downloadable."""
    require_admin(session, actor, "upload a template", entity="library_file", entity_id=document_id)
    fetch_row(session, LibraryDocument, document_id)
    problem = upload_problem(filename, content)
    if problem:
        raise ValidationFailed({"file": problem})
    check_text("note", note or "")
    number = (
        session.execute(
            sa.select(sa.func.max(LibraryFile.number)).where(LibraryFile.document_id == document_id)
        ).scalar()
        or 0
    ) + 1
    values = {
        "document_id": document_id,
        "number": number,
        "filename": PurePath(filename).name[:200],
        "media_type": ACCEPTED[PurePath(filename).suffix.lower()][0],
        "size": len(content),
        "note": (note or "").strip(),
        "uploaded_on": on,
        "uploaded_by_id": actor.person_id,
        "downloads": 0,
    }
    file_id = session.execute(
        sa.insert(LibraryFile.__table__).values(**values, content=content).returning(LibraryFile.id)
    ).scalar_one()
    audit(
        session,
        actor=actor,
        action="create",
        entity="library_file",
        entity_id=file_id,
        project_id=None,
        after={**values, "uploaded_on": on.isoformat()},  # the content itself stays out
    )
    commit(session)
    return file_id


def count_download(file_id: int, *, session: Session, actor: Actor) -> None:
    """One more download of a file, by someone signed in."""
    if actor.person_id is None:
        refuse(
            session,
            actor,
            "download a template",
            entity="library_file",
            entity_id=file_id,
            project_id=None,
        )
    session.execute(
        sa.update(LibraryFile.__table__)
        .where(LibraryFile.id == file_id)
        .values(downloads=LibraryFile.downloads + 1)
    )
    # A count, not a change anyone edits: no audit row and no new data version (which would
    # empty every cache at each download); the PMO sees it with the next change.
    session.commit()
