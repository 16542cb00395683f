"""Cached reads kept while the tables they read are unchanged.

`@data_cache` replaces `st.cache_data` for reads keyed by the data version (the first
argument). A result is kept with the versions of the tables its queries named (noted at the
driver: data_access.core.db) and of the cached reads it used; it is served again as long as
those tables' versions, read once per rerun with the data version, are unchanged. A status
update thus recomputes what reads status reports, not the admin lists or the capacity
roll-up. The versions live in the database, so a write in any server process is seen by
every process at its next rerun.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import nullcontext

import streamlit as st

from data_access.core.db import ALL_TABLES, note_tables_read, recording_tables

_caches: list[OrderedDict] = []


def clear_all() -> None:
    """Empty every data cache (what a newly started server has: the benchmark's cold runs)."""
    for entries in _caches:
        entries.clear()


@functools.lru_cache(maxsize=8)
def _versions(tables: tuple[tuple[str, int], ...]) -> dict[str, int]:
    return dict(tables)


def data_cache(max_entries: int = 16, spinner: str | None = None) -> Callable:
    """Cache a read `fn(version, ...)`; the other arguments are its key (those named with a
    leading underscore are not, as with st.cache_data). Callers get their own copy."""

    def wrap(fn: Callable) -> Callable:
        entries: OrderedDict[bytes, tuple[dict[str, int], bytes]] = OrderedDict()
        _caches.append(entries)
        lock = threading.Lock()
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def cached(version, *args, **kwargs):
            url, _counter, tables = version
            versions = _versions(tables)
            bound = signature.bind(version, *args, **kwargs)
            bound.apply_defaults()
            keyed = [(k, v) for k, v in list(bound.arguments.items())[1:] if k[0] != "_"]
            key = hashlib.sha1(pickle.dumps((url, keyed), protocol=5)).digest()
            with lock:
                hit = entries.get(key)
                if hit is not None:
                    entries.move_to_end(key)
            if hit is not None and all(versions.get(t, 0) == v for t, v in hit[0].items()):
                note_tables_read(hit[0])
                return pickle.loads(hit[1])
            with recording_tables() as read, st.spinner(spinner) if spinner else nullcontext():
                result = fn(version, *args, **kwargs)
            read.add(ALL_TABLES)
            depends = {t: versions.get(t, 0) for t in read}
            with lock:
                entries[key] = (depends, pickle.dumps(result, protocol=5))
                while len(entries) > max_entries:
                    entries.popitem(last=False)
            note_tables_read(depends)
            return result

        cached.clear = entries.clear
        return cached

    return wrap
