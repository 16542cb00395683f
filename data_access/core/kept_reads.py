"""Cached reads' last full results, kept in the database for newly started server processes.

A process starts with empty caches, and the reads of every project (health now and at the
previous reporting day, the meeting's changes) cost it seconds at tier XL. The process that
computed such a read in full keeps the result here with the table versions it was read at; a
new process takes it from here and, like a kept result in memory, serves it while those
versions hold or reads again the projects written since (components.common.cache).

Results are stored as Arrow IPC streams (pandas' own Arrow conversion keeps the column types),
not pickles: a row of this table must not be able to run code in the server.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data_access.core import clock
from data_access.core.config import APP_ROOT
from data_access.core.db import get_engine, read_df, recording_tables, writer_turn

log = logging.getLogger("pmo.kept_reads")
KEPT_DAYS = 7  # results older than that are for days nobody opens again
_SINGLE = ""  # the part name of a result that is one table


# What computes the cached reads: a result kept by other code is not served.
_CODE_DIRS = ("charts", "components", "data_access", "domain")


@functools.cache
def code_digest() -> bytes:
    """A digest of the source of the layers that compute cached reads (their contents, so
    that every process of one release agrees and another release does not)."""
    digest = hashlib.sha1()
    for path in sorted(p for d in _CODE_DIRS for p in (APP_ROOT / d).rglob("*.py")):
        digest.update(str(path.relative_to(APP_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.digest()


def _plain(kind: pa.DataType) -> bool:
    return not pa.types.is_nested(kind) and not pa.types.is_binary(kind)


def _encode(table: pd.DataFrame) -> bytes | None:
    """The table as an Arrow stream; None unless it comes back exactly as it is (values that
    are lists or dicts, an index that is not a plain range, a column whose type changes)."""
    try:
        arrow = pa.Table.from_pandas(table, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if not all(_plain(field.type) for field in arrow.schema):
        return None
    back = arrow.to_pandas()
    if not (back.dtypes.equals(table.dtypes) and back.index.equals(table.index)):
        return None
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_stream(sink, arrow.schema, options=options) as stream:
        stream.write_table(arrow)
    return sink.getvalue().to_pybytes()


def _decode(payload: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(payload).read_all().to_pandas()


def load(url: str, key: str) -> tuple[dict[str, int], pd.DataFrame | dict] | None:
    """(the table versions it was read at, the result) kept under `key`, or None."""
    # Not a read the enclosing cached read depends on: a fresh recording swallows its table.
    with recording_tables():
        rows = read_df(
            "SELECT part, depends, payload FROM kept_read WHERE key = :k", {"k": key}, url=url
        )
    if rows.empty:
        return None
    depends = json.loads(rows.depends.iloc[0])
    if list(rows.part) == [_SINGLE]:
        return depends, _decode(rows.payload.iloc[0])
    return depends, {part: _decode(b) for part, b in zip(rows.part, rows.payload, strict=True)}


def store(url: str, key: str, depends: dict[str, int], result) -> bool:
    """Keep `result` (a table, or a dict of tables by name) under `key`, replacing what was
    kept there; False (and nothing kept) if a table would not come back as it is."""
    if isinstance(result, pd.DataFrame):
        parts = {_SINGLE: result}
    elif (
        isinstance(result, dict)
        and result
        and all(isinstance(k, str) and k and isinstance(v, pd.DataFrame) for k, v in result.items())
    ):
        parts = result
    else:
        return False
    payloads = {part: _encode(table) for part, table in parts.items()}
    if None in payloads.values():
        return False
    now = clock.now()
    rows = [
        {"k": key, "p": part, "d": json.dumps(depends), "b": payload, "w": now}
        for part, payload in payloads.items()
    ]
    engine = get_engine(url)
    try:
        with recording_tables(), writer_turn(engine), engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM kept_read WHERE key = :k"), {"k": key})
            conn.execute(
                sa.text(
                    "INSERT INTO kept_read (key, part, depends, payload, written_at) "
                    "VALUES (:k, :p, :d, :b, :w)"
                ),
                rows,
            )
            conn.execute(
                sa.text("DELETE FROM kept_read WHERE written_at < :old"),
                {"old": now - dt.timedelta(days=KEPT_DAYS)},
            )
    except sa.exc.IntegrityError:
        pass  # another process kept the same read at the same moment: either result serves
    except sa.exc.OperationalError as exc:
        # The result is shown all the same; the next process reads it in full again.
        log.warning("could not keep a cached read in the database: %s", exc.orig or exc)
        return False
    return True


def forget(url: str) -> None:
    """Drop every kept result (the benchmark's first process of a day)."""
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("DELETE FROM kept_read"))
