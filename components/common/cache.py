"""Cached reads kept while the tables they read are unchanged.

`@data_cache` replaces `st.cache_data` for reads keyed by the data version (the first
argument). A result is kept with the versions of the tables its queries named (noted at the
driver: data_access.core.db) and of the cached reads it used; it is served again as long as
those tables' versions, read once per rerun with the data version, are unchanged. A status
update thus recomputes what reads status reports, not the admin lists or the capacity
roll-up. The versions live in the database, so a write in any server process is seen by
every process at its next rerun.

A read of one row per project (`by_project="id"`: the column naming the project) takes a
`_project_ids` argument: when only tables keyed by project moved, it is called for the projects
the writes changed (data_access.core.db.projects_changed) and those rows replace theirs in the
kept result, so one status update recomputes one project's health, not 5,000. The result may
also be a dict of such tables (the meeting page's changes), each spliced alike.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import nullcontext, suppress
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from data_access.core import kept_reads
from data_access.core.db import ALL_TABLES, note_tables_read, projects_changed, recording_tables

_caches: list[OrderedDict] = []


def clear_all() -> None:
    """Empty every data cache (what a newly started server has: the benchmark's cold runs)."""
    for entries in _caches:
        entries.clear()


@functools.lru_cache(maxsize=8)
def _versions(tables: tuple[tuple[str, int], ...]) -> dict[str, int]:
    return dict(tables)


def data_cache(
    max_entries: int = 16,
    spinner: str | None = None,
    by_project: str | None = None,
    copies: bool = True,
    in_database: bool = False,
) -> Callable:
    """Cache a read `fn(version, ...)`; the other arguments are its key (those named with a
    leading underscore are not, as with st.cache_data). Callers get their own copy: a deep
    copy of the kept object (a DataFrame's copies in well under a millisecond where pickling
    its date columns took 17 ms at tier L, paid by every read a save recomputed).
    `by_project`: the result's column naming the project of each row (see above).
    `copies=False`: callers get the kept object itself, for a large result that they only
    read (the meeting's slides: copying them cost each rerun some 20 ms at tier L); whatever
    changes it would change it for every session.
    `in_database`: a result read in full is also kept in the database (a table or a dict of
    tables that come back as they are: data_access.core.kept_reads), where a newly started
    process finds it and, if tables moved since, reads again only the projects written
    (by_project) or all of it."""

    def wrap(fn: Callable) -> Callable:
        entries: OrderedDict[bytes, tuple[dict[str, int], Any]] = OrderedDict()
        _caches.append(entries)
        lock = threading.Lock()
        # Reads being computed, by key and data version: the sessions of a process that miss
        # the same entry at once (after a save, everyone in the meeting) wait for one of them
        # instead of each computing it, which on a busy process multiplies the wait.
        running: dict[tuple[bytes, tuple], threading.Event] = {}
        signature = inspect.signature(fn)
        give = copy.deepcopy if copies else _itself
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def cached(version, *args, **kwargs):
            url, _counter, tables = version
            versions = _versions(tables)
            bound = signature.bind(version, *args, **kwargs)
            bound.apply_defaults()
            keyed = [(k, v) for k, v in list(bound.arguments.items())[1:] if k[0] != "_"]
            key = hashlib.sha1(pickle.dumps((url, keyed), protocol=5)).digest()
            slot = (key, tables)
            while True:
                with lock:
                    hit = entries.get(key)
                    if hit is not None:
                        entries.move_to_end(key)
                    fresh = hit is not None and all(
                        versions.get(t, 0) == v for t, v in hit[0].items()
                    )
                    if not fresh:
                        done = running.get(slot)
                        if done is None:  # nobody is computing it: this session does
                            done = running[slot] = threading.Event()
                            break
                if fresh:
                    note_tables_read(hit[0])
                    return give(hit[1])
                # Another session is computing it: look again once it is done (or failed).
                done.wait()
            try:
                if hit is None and in_database:
                    hit = kept_reads.load(url, kept_key(name, key))
                if hit is not None and all(versions.get(t, 0) == v for t, v in hit[0].items()):
                    depends, result = hit
                else:
                    result, depends, whole = compute(hit, versions, version, args, kwargs)
                    if whole and in_database:
                        kept_reads.store(url, kept_key(name, key), depends, result)
                with lock:
                    entries[key] = (depends, result)
                    while len(entries) > max_entries:
                        entries.popitem(last=False)
            finally:
                with lock:
                    del running[slot]
                done.set()
            note_tables_read(depends)
            return give(result)

        def compute(hit, versions, version, args, kwargs):
            """The read, whole or (by_project) for the projects changed since `hit`; with the
            versions of the tables it depends on, and whether it was read whole."""
            changed = None
            if hit is not None and by_project:
                moved = {
                    t: (v, versions.get(t, 0)) for t, v in hit[0].items() if versions.get(t, 0) != v
                }
                changed = projects_changed(version[0], moved)
            with recording_tables() as read, st.spinner(spinner) if spinner else nullcontext():
                if changed is None:
                    result = fn(version, *args, **kwargs)
                else:
                    fresh = fn(version, *args, _project_ids=sorted(changed), **kwargs)
                    result = splice(hit[1], fresh, changed, by_project)
                    read |= set(hit[0])
            read.add(ALL_TABLES)
            return result, {t: versions.get(t, 0) for t in read}, changed is None

        cached.clear = entries.clear
        return cached

    return wrap


def kept_key(name: str, key: bytes) -> str:
    """The database key of a cached read: the function, its arguments, and the code that
    computes it (a result of other code may have other columns)."""
    return hashlib.sha1(name.encode() + key + kept_reads.code_digest()).hexdigest()


def _itself(result):
    return result


def splice(kept, fresh, ids, column: str):
    """`kept` with the rows of the projects `ids` replaced by `fresh` (theirs read again): in
    their old places, a new project's rows last, a removed project's gone; column types as
    `kept` had them, so the result is what a full read gives. A dict of tables is spliced
    table by table."""
    if isinstance(kept, dict):
        return {name: splice(table, fresh[name], ids, column) for name, table in kept.items()}
    old = kept[~kept[column].isin(ids)]
    if fresh.empty or old.empty:
        # Only one side has rows: as a full read gives them (an empty table's column types
        # say nothing of what its rows would hold).
        return (old if fresh.empty else fresh).reset_index(drop=True)
    fresh = fresh[kept.columns].copy()
    for name, dtype in kept.dtypes.items():
        # A value the old type cannot hold leaves the column the wider type.
        if fresh[name].dtype != dtype:
            with suppress(TypeError, ValueError):
                fresh[name] = fresh[name].astype(dtype)
    merged = pd.concat([old, fresh], ignore_index=True)
    place = {key: i for i, key in enumerate(dict.fromkeys(kept[column]))}
    order = merged[column].map(place).fillna(len(place)).to_numpy()
    return merged.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
