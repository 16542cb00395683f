"""The templates library on SQLite and PostgreSQL: versions numbered per document, uploads
refused (too large, refused type, unreadable) with a reason and nothing written, only a PMO
admin uploads, and downloads counted for signed-in people only."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.core.db import read_scalar, session_scope
from data_access.core.writes import Actor, PermissionDenied, ValidationFailed
from data_access.library import commands, reads
from tests.auth_helpers import open_app
from tests.factories import make_org

ON = dt.date(2026, 11, 25)
PDF = b"%PDF-1.7\n% a charter\n"


def _admin(org):
    return Actor(org["admin"], "admin", "admin")


def _document(url, org, name="Project charter", phases="Initiation"):
    with session_scope(url) as s:
        return commands.add_document(
            {"name": name, "description": "The charter template", "phases": phases},
            session=s,
            actor=_admin(org),
        )


def _upload(url, org, doc, filename="charter.pdf", content=PDF, actor=None):
    with session_scope(url) as s:
        return commands.upload_version(
            doc,
            filename=filename,
            content=content,
            note="",
            on=ON,
            session=s,
            actor=actor or _admin(org),
        )


def test_versions_are_numbered_and_the_latest_is_current(db_url):
    org = make_org(db_url)
    doc = _document(db_url, org)
    _upload(db_url, org, doc)
    second = _upload(db_url, org, doc, "charter-v2.md", "# Charter\n\nÉtape 1".encode())
    current = reads.documents(url=db_url).iloc[0]
    assert (current.number, current.filename, current.file_id) == (2, "charter-v2.md", second)
    assert reads.versions(doc, url=db_url).number.tolist() == [2, 1]
    assert reads.file_content(second, url=db_url) == (
        "charter-v2.md",
        "text/markdown",
        "# Charter\n\nÉtape 1".encode(),
    )


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("big.pdf", b"%PDF" + b"0" * commands.MAX_BYTES, "at most 10 MB"),
        ("macro.exe", b"MZ...", "not accepted"),
        ("fake.docx", b"%PDF-1.4", "cannot be read as .docx"),
        ("latin.txt", "café".encode("latin-1"), "not UTF-8"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_refused_upload_says_why_and_writes_nothing(db_url, filename, content, reason):
    org = make_org(db_url)
    doc = _document(db_url, org)
    with pytest.raises(ValidationFailed) as exc:
        _upload(db_url, org, doc, filename, content)
    assert reason in exc.value.errors["file"]
    assert read_scalar("SELECT COUNT(*) FROM library_file", url=db_url) == 0


def test_only_the_pmo_uploads_and_downloads_are_counted(db_url):
    org = make_org(db_url)
    doc = _document(db_url, org)
    with pytest.raises(PermissionDenied):
        _upload(db_url, org, doc, actor=Actor(org["pm"], "pm", "project_manager"))
    file_id = _upload(db_url, org, doc)
    for _ in range(2):
        with session_scope(db_url) as s:
            commands.count_download(file_id, session=s, actor=Actor(org["viewer"], "v", "viewer"))
    with pytest.raises(PermissionDenied), session_scope(db_url) as s:
        commands.count_download(file_id, session=s, actor=Actor(None, "nobody", "viewer"))
    assert reads.documents(url=db_url).downloads.tolist() == [2]


def test_a_phase_lists_its_documents_at_their_current_version(db_url):
    org = make_org(db_url)
    charter = _document(db_url, org)
    plan = _document(db_url, org, name="Test plan", phases="Planning, Execution")
    _document(db_url, org, name="Risk log", phases="Planning")  # nothing uploaded yet
    _upload(db_url, org, charter)
    _upload(db_url, org, plan, filename="plan-1.pdf")
    _upload(db_url, org, plan, filename="plan-2.pdf")
    planning = reads.documents_for_phase("Planning", url=db_url)
    assert planning[["name", "number", "filename"]].values.tolist() == [
        ["Test plan", 2, "plan-2.pdf"]
    ]
    assert reads.documents_for_phase("Initiation", url=db_url).name.tolist() == ["Project charter"]
    assert reads.documents_for_phase("Closing", url=db_url).empty


def test_the_project_page_links_the_phases_templates(demo_db_url, monkeypatch):
    stage = read_scalar("SELECT phase FROM project WHERE code = 'PRJ-0001'", url=demo_db_url)
    expected = reads.documents_for_phase(stage, url=demo_db_url)
    at = open_app(
        demo_db_url, monkeypatch, "pages/project.py", project="PRJ-0001", tab="Lifecycle and gates"
    )
    labels = [b.label for b in at.get("download_button")]
    assert not expected.empty
    for doc in expected.itertuples():
        assert f"{doc.name} (version {doc.number})" in labels


def test_templates_tab_lists_the_demo_library(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py", tab="Templates")
    assert not at.error, [e.value for e in at.error]
    shown = [m.value for m in at.markdown if "download(s)" in m.value]
    assert len(shown) == 10 and any("Project charter" in m for m in shown)
