"""The Schedule file section of Quick updates through Streamlit's AppTest on the demo
portfolio: a bad file is refused on the page and writes nothing; many files are imported one
project each with a report; the project's plan is exported as MS Project XML."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.common.safe_text import md_escape
from data_access.core.db import read_df
from tests.auth_helpers import open_app
from tests.schedule_samples import fixture_folder

CODE = "PRJ-0005"  # a demo project planned in MS Project (one in five is)


def open_section(url, monkeypatch) -> AppTest:
    at = open_app(url, monkeypatch, "pages/updates.py", project=CODE, section="Schedule file")
    return run(at)


def run(at: AppTest) -> AppTest:
    at.run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    return at


def count(url, table) -> int:
    return int(read_df(f"SELECT COUNT(*) AS n FROM {table}", url=url).n.item())


def test_a_truncated_file_is_refused_on_the_page_and_writes_nothing(demo_db_url, monkeypatch):
    at = open_section(demo_db_url, monkeypatch)
    assert any("Earlier imports" in m.value for m in at.markdown)
    before = count(demo_db_url, "audit_log")
    content = (fixture_folder() / "sample.mpp").read_bytes()[:6000]
    at.file_uploader(key="schedule-file-0").upload("plan.mpp", content, "application/octet-stream")
    at = run(at)
    assert f"{md_escape('plan.mpp')} cannot be imported" in at.error[0].value
    assert "damaged or truncated" in at.error[0].value
    assert not [b for b in at.button if b.label in ("Import", "Create the project")]
    assert count(demo_db_url, "audit_log") == before


def test_many_files_make_one_project_each_with_a_report(demo_db_url, monkeypatch):
    at = open_section(demo_db_url, monkeypatch)
    at.segmented_control(key="schedule-mode").set_value("bulk")
    at = run(at)
    folder = fixture_folder()
    uploader = at.file_uploader(key="schedule-bulk-0")
    uploader.upload("mpp9baseline.mpp", (folder / "mpp9baseline.mpp").read_bytes(), "x")
    uploader.upload("broken.mpp", (folder / "sample.mpp").read_bytes()[:6000], "x")
    at = run(at)
    projects = count(demo_db_url, "project")
    next(b for b in at.button if b.label == "Import 1 of 2 files").click()
    at = run(at)
    report = at.dataframe[0].value
    assert dict(zip(report.File, report.Result, strict=True)) == {
        "mpp9baseline.mpp": "created",
        "broken.mpp": "refused",
    }
    assert count(demo_db_url, "project") == projects + 1


def test_the_plan_is_exported_as_ms_project_xml(demo_db_url, monkeypatch):
    at = open_section(demo_db_url, monkeypatch)
    next(b for b in at.button if b.label == "Prepare the file").click()
    at = run(at)
    [download] = [b for b in at.get("download_button")]
    assert download.proto.label == "Download MS Project XML"
