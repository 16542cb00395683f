"""Spreadsheet import and export, without Streamlit: templates, reading CSV and Excel files,
turning each row into the values a write function takes (with every problem of every row
named by its row number), and writing any table to CSV or Excel.

Row numbers are the ones the user sees in their spreadsheet program: the header is row 1, the
first record row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from data_access.core.models import (
    PHASES,
    PRIORITIES,
    PROJECT_STATUSES,
    RAID_KINDS,
    RISK_KINDS,
    RISK_RESPONSES,
    MilestoneCreate,
    ProjectCreate,
    RaidItemCreate,
    RiskCreate,
)
from data_access.core.writes import ValidationFailed, validate
from domain.labels import field_of_rule, label, without_label

MAX_ROWS = 20_000
# A cell starting with one of these is run as a formula by spreadsheet programs; exported text
# cells get a leading apostrophe in CSV (and are stored as text in Excel), imports drop it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    field: str
    kind: str  # text, int, float, date, bool, choice, person, program, department, project
    required: bool = False
    choices: tuple[str, ...] = ()
    example: Any = ""
    header: str = ""
    help: str = ""

    @property
    def title(self) -> str:
        return self.header or label(self.field)


TEMPLATES: dict[str, tuple[Column, ...]] = {
    "projects": (
        Column("code", "text", True, example="PRJ-0100"),
        Column("name", "text", True, example="New customer portal"),
        Column("description", "text", example="Self-service portal for customers"),
        Column("program_id", "program", True, example="Customer Experience"),
        Column("department_id", "department", True, example="IT", help="name or code"),
        Column("sponsor_id", "person", example="jane.doe@example.org", help="e-mail or name"),
        Column("manager_id", "person", example="john.roe@example.org", help="e-mail or name"),
        Column("phase", "choice", choices=PHASES, example="Initiation"),
        Column("status", "choice", choices=PROJECT_STATUSES, example="active"),
        Column("priority", "choice", choices=PRIORITIES, example="medium"),
        Column("baseline_start", "date", True, example=dt.date(2027, 1, 4)),
        Column("baseline_finish", "date", True, example=dt.date(2027, 9, 30)),
        Column(
            "forecast_finish", "date", example=dt.date(2027, 9, 30), help="empty: baseline finish"
        ),
        Column("approved_budget", "float", example=250000),
        Column("actual_cost", "float", example=0),
        Column("forecast_at_completion", "float", example=250000, help="empty: the budget"),
        Column("percent_complete", "float", example=0, help="0 to 100"),
    ),
    "milestones": (
        Column("project_id", "project", True, example="PRJ-0100", header="Project code"),
        Column("name", "text", True, example="Design approved"),
        Column("baseline_date", "date", True, example=dt.date(2027, 3, 31)),
        Column("forecast_date", "date", example=dt.date(2027, 3, 31), help="empty: baseline"),
        Column("actual_date", "date", help="only when reached"),
        Column("is_key", "bool", example="yes", help="yes or no"),
    ),
    "risks": (
        Column("project_id", "project", True, example="PRJ-0100", header="Project code"),
        Column("title", "text", True, example="Supplier delivers late"),
        Column("description", "text"),
        Column("category", "text", example="Supplier"),
        Column("kind", "choice", choices=RISK_KINDS, example="threat"),
        Column("probability", "int", True, example=3, help="1 (rare) to 5 (almost certain)"),
        Column("impact", "int", True, example=4, help="1 (negligible) to 5 (severe)"),
        Column("residual_probability", "int", help="1 to 5, with residual impact"),
        Column("residual_impact", "int", help="1 to 5, with residual probability"),
        Column("owner_id", "person", example="john.roe@example.org", help="e-mail or name"),
        Column("response", "choice", choices=RISK_RESPONSES, example="mitigate"),
        Column("mitigation", "text", example="Second supplier on standby"),
        Column("response_due", "date", example=dt.date(2027, 2, 15)),
        Column("proximity", "date", help="when it could hit"),
    ),
    "raid": (
        Column("project_id", "project", True, example="PRJ-0100", header="Project code"),
        Column("kind", "choice", True, choices=RAID_KINDS, example="issue"),
        Column("title", "text", True, example="Test data not anonymised"),
        Column("description", "text"),
        Column("owner_id", "person", example="john.roe@example.org", help="e-mail or name"),
        Column("status", "choice", choices=("open", "closed"), example="open"),
        Column("due_date", "date", example=dt.date(2027, 2, 1)),
        Column(
            "provider_project_id",
            "project",
            header="Waits on project code",
            help="dependencies: the project this one waits on",
        ),
        Column("need_by", "date", help="dependencies: needed by"),
        Column("decided_on", "date", help="decisions: the day decided"),
    ),
}
KIND_WORDS = {"projects": "projects", "milestones": "milestones", "risks": "risks", "raid": "RAID"}
SCHEMAS = {
    "projects": ProjectCreate,
    "milestones": MilestoneCreate,
    "risks": RiskCreate,
    "raid": RaidItemCreate,
}


# --- names users write, resolved to ids --------------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """Lower-cased names, e-mails and codes to ids; None marks a name shared by several."""

    people: dict[str, int | None] = field(default_factory=dict)
    programs: dict[str, int | None] = field(default_factory=dict)
    departments: dict[str, int | None] = field(default_factory=dict)
    projects: dict[str, int | None] = field(default_factory=dict)


def _index(df: pd.DataFrame, *columns: str) -> dict[str, int | None]:
    ids: dict[str, set[int]] = {}
    for column in columns:
        for value, row_id in zip(df[column], df["id"], strict=True):
            ids.setdefault(str(value).strip().lower(), set()).add(int(row_id))
    return {name: next(iter(found)) if len(found) == 1 else None for name, found in ids.items()}


def lookups_from(choices: dict[str, pd.DataFrame]) -> Lookups:
    """From `records.choices`: people by e-mail or name, departments by name or code."""
    return Lookups(
        people=_index(choices["people"], "email", "name"),
        programs=_index(choices["programs"], "name"),
        departments=_index(choices["departments"], "name", "code"),
        projects=_index(choices["projects"], "code"),
    )


# --- reading files ----------------------------------------------------------------------


class UnreadableFile(ValueError):
    """The file is not a CSV or Excel table this import can read; the message says why."""


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """The first table of a .csv or .xlsx file, every cell as written (empty cells as "")."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            book = pd.read_excel(io.BytesIO(content), sheet_name=None, dtype=object)
        except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
            raise UnreadableFile(f"{filename} is not a readable Excel (.xlsx) file.") from exc
        sheet = book.get("Data", next(iter(book.values())) if book else pd.DataFrame())
        table = sheet.astype(object).where(sheet.notna(), "")
    elif name.endswith(".csv"):
        table = _read_csv(content, filename)
    else:
        raise UnreadableFile(f"{filename}: choose a .csv or .xlsx file.")
    table.columns = [str(c).strip() for c in table.columns]
    if len(table) > MAX_ROWS:
        raise UnreadableFile(
            f"{filename} has {len(table):,} rows; import at most {MAX_ROWS:,} at a time."
        )
    return table


def _read_csv(content: bytes, filename: str) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # cp1252 decodes almost anything, but not everything
        raise UnreadableFile(f"{filename} is not a text file in UTF-8 or Windows encoding.")
    if "\x00" in text:
        raise UnreadableFile(f"{filename} is not a text CSV file.")
    try:
        # Excel writes ";" in many European locales: let the reader find the separator.
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UnreadableFile(f"{filename} could not be read as CSV: {exc}".strip()) from exc


# --- cells to values --------------------------------------------------------------------

THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$")
DATE_TEXT_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y")
TRUE_WORDS, FALSE_WORDS = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0"}


class CellError(ValueError):
    pass


def is_empty(cell: Any) -> bool:
    return (
        cell is None
        or (isinstance(cell, str) and not cell.strip())
        or (isinstance(cell, float) and math.isnan(cell))
    )


def _text(cell: Any) -> str:
    text = str(cell).strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_START:
        return text[1:]
    return text


def _number(cell: Any) -> float:
    if isinstance(cell, bool):
        raise CellError("must be a number")
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip()
    if THOUSANDS.match(text):
        text = text.replace(",", "").replace(" ", "")
    try:
        return float(text)
    except ValueError as exc:
        raise CellError("must be a number") from exc


def _whole(cell: Any) -> int:
    try:
        value = _number(cell)
    except CellError as exc:
        raise CellError("must be a whole number") from exc
    if not math.isfinite(value) or not value.is_integer():
        raise CellError("must be a whole number")
    return int(value)


def _date(cell: Any) -> dt.date:
    if isinstance(cell, dt.datetime | pd.Timestamp):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = str(cell).strip()
    text = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]00:00(:00)?$", text) else text
    for fmt in DATE_TEXT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError("must be a date such as 2026-11-25 or 25 Nov 2026")


def _bool(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    word = str(cell).strip().lower()
    if word.endswith(".0"):  # Excel's 1 and 0 read as numbers
        word = word[:-2]
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise CellError("must be yes or no")


def _choice(cell: Any, choices: tuple[str, ...]) -> str:
    wanted = _text(cell).lower()
    for choice in choices:
        if choice.lower() == wanted:
            return choice
    raise CellError(f"must be one of: {', '.join(choices)}")


REFERENCE_WORDS = {
    "person": ("people", "person", "an e-mail address or the exact name"),
    "program": ("programs", "program", "the program's name"),
    "department": ("departments", "department", "the department's name or code"),
    "project": ("projects", "project", "an existing project code"),
}


def _reference(cell: Any, kind: str, lookups: Lookups) -> int:
    table, noun, hint = REFERENCE_WORDS[kind]
    key = _text(cell).lower()
    index = getattr(lookups, table)
    if key not in index:
        raise CellError(f"no {noun} “{_text(cell)}” is known: give {hint}")
    if index[key] is None:
        raise CellError(f"several {table} are called “{_text(cell)}”: give {hint}")
    return index[key]


def cell_value(column: Column, cell: Any, lookups: Lookups) -> Any:
    """One cell as the value the write function takes; CellError says what is wrong."""
    if column.kind == "text":
        return _text(cell)
    if column.kind == "int":
        return _whole(cell)
    if column.kind == "float":
        return _number(cell)
    if column.kind == "date":
        return _date(cell)
    if column.kind == "bool":
        return _bool(cell)
    if column.kind == "choice":
        return _choice(cell, column.choices)
    return _reference(cell, column.kind, lookups)


# --- rows to values, with every problem ---------------------------------------------------


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lower().replace("*", "")).strip("_")


@dataclass
class Parsed:
    """A file read for import: the good rows, and every problem by row and column."""

    kind: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: dict[int, dict[str, str]] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and bool(self.rows)

    def error_lines(self) -> list[str]:
        """Every problem, one line each, in row order: "Row 7, Baseline start: must be…"."""
        return [
            f"Row {row}"
            + (f", {column}: {without_label(column, message)}" if column else f": {message}")
            for row in sorted(self.errors)
            for column, message in self.errors[row].items()
        ]


def _defaults(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Sensible values for optional cells left empty."""
    if kind == "projects":
        if "baseline_finish" in data:
            data.setdefault("forecast_finish", data["baseline_finish"])
        if "approved_budget" in data:
            data.setdefault("forecast_at_completion", data["approved_budget"])
    if kind == "milestones" and "baseline_date" in data:
        data.setdefault("forecast_date", data.get("actual_date") or data["baseline_date"])
    return data


def parse(kind: str, table: pd.DataFrame, lookups: Lookups) -> Parsed:
    """Check every cell of every row; rows without any problem become write-function values."""
    columns = TEMPLATES[kind]
    result = Parsed(kind)
    by_key = {}
    for c in columns:
        by_key[_key(c.title)] = c
        by_key[_key(c.field.removesuffix("_id"))] = c
    present = {}
    for header in table.columns:
        column = by_key.get(_key(header))
        if column is None:
            result.ignored_columns.append(header)
        else:
            present[column.field] = header
    missing = [c.title for c in columns if c.required and c.field not in present]
    if missing:
        result.file_errors.append(
            "The file has no column " + ", ".join(f"“{m}”" for m in missing) + ". "
            "Download the template to see the expected columns."
        )
        return result
    titles = {c.field: c.title for c in columns}
    seen_codes: dict[str, int] = {}
    problems_column = []
    for position, cells in enumerate(table.itertuples(index=False)):
        row = position + 2
        cells = dict(zip(table.columns, cells, strict=True))
        if all(is_empty(v) for v in cells.values()):
            problems_column.append("")
            continue
        data, errors = {}, {}
        for column in columns:
            header = present.get(column.field)
            if header is None or is_empty(cells[header]):
                continue
            try:
                data[column.field] = cell_value(column, cells[header], lookups)
            except CellError as exc:
                errors[column.title] = str(exc)
        data = _defaults(kind, data)
        try:
            validate(SCHEMAS[kind], {k: v for k, v in data.items() if titles[k] not in errors})
        except ValidationFailed as exc:
            for f, message in exc.errors.items():
                f = f or field_of_rule(message, list(titles))
                errors.setdefault(titles.get(f, ""), message)
        if kind == "projects" and "code" in data:
            code = str(data["code"]).strip().lower()
            if code in lookups.projects:
                errors.setdefault(titles["code"], "a project with this code already exists")
            elif code in seen_codes:
                errors.setdefault(titles["code"], f"is also used in row {seen_codes[code]}")
            seen_codes.setdefault(code, row)
        if errors:
            order = ["", *(c.title for c in columns)]
            result.errors[row] = dict(sorted(errors.items(), key=lambda e: order.index(e[0])))
        else:
            result.rows.append((row, data))
        problems_column.append(
            "; ".join(f"{k}: {v}" if k else v for k, v in result.errors.get(row, {}).items())
        )
    preview = table.astype(str)
    preview.insert(0, "Row", range(2, len(table) + 2))
    preview["Problems"] = problems_column
    result.preview = preview
    if not result.rows and not result.errors:
        result.file_errors.append("The file has no rows to import below the header.")
    return result


# --- templates and exports ----------------------------------------------------------------


def template_table(kind: str) -> pd.DataFrame:
    return pd.DataFrame(columns=[c.title for c in TEMPLATES[kind]])


def _takes(column: Column, words: dict[str, str]) -> str:
    if column.kind == "choice":
        return ", ".join(column.choices)
    if column.kind in REFERENCE_WORDS:
        return REFERENCE_WORDS[column.kind][2]
    return words[column.kind]


def help_table(kind: str) -> pd.DataFrame:
    """One line per column: required or not, what it takes, an example."""
    words = {
        "text": "text",
        "int": "whole number",
        "float": "number",
        "date": "date (2026-11-25)",
        "bool": "yes or no",
    }
    return pd.DataFrame(
        {
            "Column": [c.title for c in TEMPLATES[kind]],
            "Required": ["yes" if c.required else "" for c in TEMPLATES[kind]],
            "Takes": [_takes(c, words) for c in TEMPLATES[kind]],
            "Notes": [c.help for c in TEMPLATES[kind]],
            "Example": [c.example for c in TEMPLATES[kind]],
        }
    )


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents), formulas defused."""
    safe = df.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = [
                "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v
                for v in safe[column]
            ]
    return safe.to_csv(index=False).encode("utf-8-sig")


def _write_sheet(sheet, df: pd.DataFrame) -> None:
    sheet.append([str(c) for c in df.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in df.itertuples(index=False):
        sheet.append([_excel_value(v) for v in values])
    for position, column in enumerate(df.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in df[column].head(200))], default=8)
        sheet.column_dimensions[get_column_letter(position)].width = min(max(width + 2, 10), 60)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text that looks like a formula stays text
    sheet.freeze_panes = "A2"


def _excel_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, dt.datetime) and value.tzinfo:
        return value.replace(tzinfo=None)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, list | dict | tuple):
        return str(value)
    return value


def xlsx_bytes(df: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    book = openpyxl.Workbook()
    _write_sheet(book.active, df)
    book.active.title = sheet_name[:31]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    return csv_bytes(template_table(kind))


def template_xlsx(kind: str) -> bytes:
    """A Data sheet with the headers (drop-down lists for choice columns) and a Help sheet."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Data"
    _write_sheet(data, template_table(kind))
    for position, column in enumerate(TEMPLATES[kind], start=1):
        if column.kind == "choice":
            rule = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            letter = get_column_letter(position)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            data.add_data_validation(rule)
    _write_sheet(book.create_sheet("Help"), help_table(kind))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_frame(kind: str, table: pd.DataFrame) -> pd.DataFrame:
    """A table from `records.export_table` with the template's column titles and real dates,
    so it opens cleanly in a spreadsheet and its layout is the import's."""
    columns = {c.field: c for c in TEMPLATES[kind]}
    out = table.copy()
    for name in out.columns:
        is_date = (name in columns and columns[name].kind == "date") or name.endswith("_on")
        if is_date:
            out[name] = pd.to_datetime(out[name]).dt.date.where(out[name].notna(), None)
        elif name in columns and columns[name].kind == "bool":
            out[name] = out[name].astype(bool)  # SQLite hands back 0 and 1
    return out.rename(columns={n: columns[n].title if n in columns else label(n) for n in out})
