"""Spreadsheet import and export with real .csv and .xlsx files: templates, every bad row
named, all-or-nothing commit, formulas kept harmless, exports that open again."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from data_access.core import records
from data_access.core.db import read_df, session_scope
from data_access.core.writes import SYSTEM
from data_access.updates import bulk
from domain import spreadsheets as sheets
from tests.factories import make_milestone, make_org, make_project

D = dt.date


def _count(url, table) -> int:
    return int(read_df(f"SELECT COUNT(*) AS n FROM {table}", url=url).n.item())


def _write_csv(path, header, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _write_xlsx(path, header, rows):
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _import(url, kind, path, actor=SYSTEM):
    """What the import page does: read, check against what is stored, then commit."""
    table = sheets.read_table(path.read_bytes(), path.name)
    parsed = sheets.parse(kind, table, sheets.lookups_from(records.choices(url)))
    if parsed.ok:
        with session_scope(url) as session:
            bulk.import_records(
                kind, parsed.rows, today=D(2026, 11, 25), session=session, actor=actor
            )
    return parsed


PROJECT_HEADER = [
    "Code",
    "Name",
    "Program",
    "Department",
    "Manager",
    "Baseline start",
    "Baseline finish",
    "Approved budget",
    "Percent complete",
]


def _project_rows(n=40):
    return [
        [
            f"IMP-{i:03d}",
            f"Imported {i}",
            "Core",
            "IT",
            "pm@example.org",
            "2027-01-04",
            "2027-09-30",
            "250,000",
            "0",
        ]
        for i in range(n)
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_bad_row_among_many_writes_nothing_and_names_the_row(db_url, tmp_path, fmt):
    make_org(db_url)
    rows = _project_rows()
    rows[22][6] = "2026-01-01"  # baseline finish before start: spreadsheet row 24
    rows[30][1] = ""  # no name: row 32
    write = _write_csv if fmt == "csv" else _write_xlsx
    path = write(tmp_path / f"projects.{fmt}", PROJECT_HEADER, rows)
    parsed = _import(db_url, "projects", path)
    assert not parsed.ok
    assert parsed.error_lines() == [
        "Row 24, Baseline finish: must not be before baseline start",
        "Row 32, Name: is required",
    ]
    assert _count(db_url, "project") == 0 and _count(db_url, "audit_log") == 0
    rows[22][6], rows[30][1] = "2027-09-30", "Fixed"
    parsed = _import(db_url, "projects", write(tmp_path / f"fixed.{fmt}", PROJECT_HEADER, rows))
    assert parsed.ok and _count(db_url, "project") == 40
    stored = read_df("SELECT approved_budget, forecast_finish FROM project", url=db_url)
    # Thousands separators are read, and an empty forecast finish is the baseline finish.
    assert set(stored.approved_budget) == {250_000.0}
    assert {str(v)[:10] for v in stored.forecast_finish} == {"2027-09-30"}


def test_every_problem_of_every_row_is_listed(db_url, tmp_path):
    org = make_org(db_url)
    make_project(db_url, org, code="P-1")
    path = _write_csv(
        tmp_path / "risks.csv",
        ["Project code", "Title", "Probability", "Impact", "Kind", "Response", "Owner", "Extra"],
        [
            ["P-1", "Fine", "3", "4", "threat", "mitigate", "pm@example.org", "x"],
            ["P-9", "", "7", "four", "menace", "", "nobody", ""],
            ["P-1", "Opportunity", "2", "2", "opportunity", "avoid", "", ""],
            ["", "", "", "", "", "", "", ""],
            ["P-1", "Half residual", "2", "2", "threat", "accept", "Pm", ""],
        ],
    )
    parsed = _import(db_url, "risks", path)
    assert parsed.ignored_columns == ["Extra"]
    assert parsed.errors == {
        3: {
            "Project code": "no project “P-9” is known: give an existing project code",
            "Probability": "must be at most 5",
            "Impact": "must be a whole number",
            "Kind": "must be one of: threat, opportunity",
            "Owner": "no person “nobody” is known: give an e-mail address or the exact name",
            "Title": "is required",
        },
        4: {
            "Response": "response for a opportunity must be one of: exploit, enhance, share, accept"
        },
    }
    # Row 5 is blank and skipped; rows 2 and 6 are fine (an owner by exact name).
    assert [row for row, _ in parsed.rows] == [2, 6]
    assert parsed.preview.Problems.tolist()[1].startswith("Project code: no project")
    assert _count(db_url, "risk") == 0


def test_milestones_and_raid_items_import_from_excel(db_url, tmp_path):
    org = make_org(db_url)
    make_project(db_url, org, code="P-1")
    make_project(db_url, org, code="P-2")
    path = _write_xlsx(
        tmp_path / "milestones.xlsx",
        ["Project code", "Name", "Baseline date", "Forecast date", "Actual date", "Key milestone"],
        [
            ["P-1", "Design", dt.datetime(2027, 2, 1), None, None, "yes"],
            ["p-2", "Build", "25 Mar 2027", "2027-04-15", None, 0],
        ],
    )
    assert _import(db_url, "milestones", path).ok
    stored = read_df(
        "SELECT name, forecast_date, is_key FROM milestone ORDER BY id", url=db_url
    ).to_dict("records")
    assert [(r["name"], str(r["forecast_date"])[:10], bool(r["is_key"])) for r in stored] == [
        ("Design", "2027-02-01", True),
        ("Build", "2027-04-15", False),
    ]
    assert _count(db_url, "milestone_history") == 2
    path = _write_csv(
        tmp_path / "raid.csv",
        ["Project code", "Kind", "Title", "Waits on project code", "Needed by"],
        [
            ["P-1", "dependency", "Needs the platform", "P-2", "2027-03-01"],
            ["P-1", "dependency", "Waits on nobody", "", ""],
            ["P-1", "Decision", "Phased rollout", "", ""],
        ],
        delimiter=";",  # as Excel writes CSV in many European locales
    )
    parsed = _import(db_url, "raid", path)
    assert parsed.errors == {
        3: {"Waits on project code": "a dependency names the project it waits on"}
    }
    del_row = sheets.read_table(path.read_bytes(), "raid.csv").drop(index=1)
    parsed = sheets.parse("raid", del_row, sheets.lookups_from(records.choices(db_url)))
    with session_scope(db_url) as session:
        assert (
            bulk.import_records(
                "raid", parsed.rows, today=D(2026, 11, 25), session=session, actor=SYSTEM
            )
            == 2
        )
    kinds = read_df("SELECT kind FROM raid_item ORDER BY id", url=db_url).kind.tolist()
    assert kinds == ["dependency", "decision"]


def test_templates_hold_the_columns_and_read_back(tmp_path):
    for kind in sheets.TEMPLATES:
        titles = [c.title for c in sheets.TEMPLATES[kind]]
        csv_path = tmp_path / f"{kind}.csv"
        csv_path.write_bytes(sheets.template_csv(kind))
        assert list(sheets.read_table(csv_path.read_bytes(), csv_path.name).columns) == titles
        xlsx_path = tmp_path / f"{kind}.xlsx"
        xlsx_path.write_bytes(sheets.template_xlsx(kind))
        book = openpyxl.load_workbook(xlsx_path)
        assert book.sheetnames == ["Data", "Help"]
        assert [c.value for c in book["Data"][1]] == titles
        help_rows = list(book["Help"].iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in help_rows] == titles
        parsed = sheets.parse(
            kind, sheets.read_table(xlsx_path.read_bytes(), "t.xlsx"), sheets.Lookups()
        )
        assert parsed.file_errors == ["The file has no rows to import below the header."]
    choices = openpyxl.load_workbook(tmp_path / "projects.xlsx")["Data"].data_validations
    assert any("Execution" in (v.formula1 or "") for v in choices.dataValidation)


def test_unreadable_files_say_why(tmp_path):
    with pytest.raises(sheets.UnreadableFile, match="not a readable Excel"):
        sheets.read_table(b"not a zip", "x.xlsx")
    with pytest.raises(sheets.UnreadableFile, match="choose a .csv or .xlsx"):
        sheets.read_table(b"a,b", "x.pdf")
    parsed = sheets.parse(
        "projects", sheets.read_table(b"Code,Name\nA,B\n", "p.csv"), sheets.Lookups()
    )
    assert parsed.file_errors[0].startswith("The file has no column “Program”")


def test_exports_open_as_csv_and_excel_and_defuse_formulas(db_url, tmp_path):
    org = make_org(db_url)
    pid = make_project(db_url, org, code="P-1", name='=HYPERLINK("http://x")')
    make_milestone(db_url, pid, D(2026, 6, 1), name="+cmd|' /C calc'!A0", is_key=True)
    ids = [pid]
    projects = sheets.export_frame("projects", records.export_table("projects", ids, db_url))
    assert list(projects.columns[:4]) == ["Code", "Name", "Description", "Program"]
    csv_path = tmp_path / "p.csv"
    csv_path.write_bytes(sheets.csv_bytes(projects))
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text  # a spreadsheet program shows it as text
    # Read back by the import, the apostrophe is dropped again and the text is as stored.
    table = sheets.read_table(csv_path.read_bytes(), "p.csv")
    lookups = sheets.lookups_from(records.choices(db_url))
    assert sheets.parse("projects", table, lookups).errors == {
        2: {"Code": "a project with this code already exists"}
    }
    table.loc[0, "Code"] = "P-NEW"
    ((row, values),) = sheets.parse("projects", table, lookups).rows
    assert values["name"] == '=HYPERLINK("http://x")'
    assert values["program_id"] == org["program"] and values["manager_id"] == org["pm"]
    milestones = sheets.export_frame("milestones", records.export_table("milestones", ids, db_url))
    xlsx_path = tmp_path / "m.xlsx"
    xlsx_path.write_bytes(sheets.xlsx_bytes(milestones, "milestones"))
    sheet = openpyxl.load_workbook(xlsx_path)["milestones"]
    assert [c.value for c in sheet[1]][:3] == ["Project code", "Name", "Baseline date"]
    name_cell, date_cell, key_cell = sheet["B2"], sheet["C2"], sheet["F2"]
    assert (name_cell.value, name_cell.data_type) == ("+cmd|' /C calc'!A0", "s")
    assert date_cell.value == dt.datetime(2026, 6, 1) and key_cell.value is True


def test_huge_files_are_refused_before_parsing():
    content = ("Code\n" + "x\n" * (sheets.MAX_ROWS + 1)).encode()
    with pytest.raises(sheets.UnreadableFile, match="import at most"):
        sheets.read_table(content, "big.csv")
