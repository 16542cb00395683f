"""Read schedule files in a child process with time and memory limits.

Why a child process and not a JVM inside the app server: JPype starts one JVM per process
and can never restart it, a Streamlit server runs many sessions on threads, and a JVM that
hangs, runs out of memory or crashes on a hostile file would stop the whole server for
everyone. The child (`python -m data_access.schedules.read`) starts its JVM in about 0.3 s,
reads every file of a batch in that one JVM, answers one JSON line per file, and is killed if
a file takes longer than the limit; the app server only ever sees plain JSON.
"""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_BYTES = 50 * 1024 * 1024  # larger than any real .mpp; beyond it memory is at risk
SECONDS_PER_FILE = 60.0
JVM_HEAP = "-Xmx1g"
# What the reader can take; anything else in a folder or .zip is listed as skipped.
SCHEDULE_SUFFIXES = (
    ".mpp",
    ".mpt",
    ".mpx",
    ".xml",
    ".xer",
    ".pmxml",
    ".planner",
    ".pod",
    ".gan",
    ".pp",
)
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ReadResult:
    """One file's outcome: `schedule` (plain JSON values) or `reason` in words."""

    name: str
    schedule: dict[str, Any] | None
    reason: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.schedule is not None


def read_files(
    paths: list[Path], *, names: list[str] | None = None, seconds_per_file: float = SECONDS_PER_FILE
) -> list[ReadResult]:
    """Read every file in one child process; a file over the limits gets a reason instead."""
    names = names or [p.name for p in paths]
    results: dict[int, ReadResult] = {}
    wanted: list[int] = []
    for i, path in enumerate(paths):
        size = path.stat().st_size
        if size > MAX_BYTES:
            results[i] = ReadResult(
                names[i],
                None,
                f"The file is {size / 2**20:,.0f} MB; at most {MAX_BYTES / 2**20:,.0f} MB is read.",
            )
        else:
            wanted.append(i)
    if wanted:
        results.update(_read_in_child(paths, names, wanted, seconds_per_file))
    return [results[i] for i in range(len(paths))]


def _read_in_child(paths, names, wanted, seconds_per_file) -> dict[int, ReadResult]:
    child = subprocess.Popen(
        [sys.executable, "-m", "data_access.schedules.read", *(str(paths[i]) for i in wanted)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the JVM's logging chatter
        env={**os.environ, "PMO_SCHEDULE_JVM_HEAP": JVM_HEAP},
    )
    results: dict[int, ReadResult] = {}
    buffer = b""
    try:
        for i in wanted:
            started = time.monotonic()
            deadline = started + seconds_per_file
            while b"\n" not in buffer:
                left = deadline - time.monotonic()
                ready = select.select([child.stdout], [], [], max(left, 0))[0] if left > 0 else []
                if not ready:
                    results[i] = ReadResult(
                        names[i],
                        None,
                        f"Reading took longer than {seconds_per_file:.0f} s and was stopped.",
                    )
                    return _unread(results, names, wanted)
                chunk = os.read(child.stdout.fileno(), 1 << 20)
                if not chunk:  # the reader died (out of memory, crash)
                    results[i] = ReadResult(
                        names[i], None, "The schedule reader stopped on this file (crashed)."
                    )
                    return _unread(results, names, wanted)
                buffer += chunk
            line, buffer = buffer.split(b"\n", 1)
            answer = json.loads(line)
            results[i] = ReadResult(
                names[i],
                answer.get("schedule"),
                answer.get("reason", ""),
                round(time.monotonic() - started, 3),
            )
        return results
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def _unread(results, names, wanted) -> dict[int, ReadResult]:
    """Files after one that stopped the reader are not read: say so for each."""
    for i in wanted:
        results.setdefault(
            i, ReadResult(names[i], None, "Not read: the reader stopped on an earlier file.")
        )
    return results


def read_uploads(files: list[tuple[str, bytes]]) -> list[ReadResult]:
    """Read uploaded files (name, content); a .zip contributes every schedule inside it."""
    with tempfile.TemporaryDirectory(prefix="pmo-schedules-") as folder:
        paths, names, skipped = [], [], []
        for n, (name, content) in enumerate(files):
            if name.lower().endswith(".zip"):
                members, bad = _unzip(content, Path(folder) / f"zip{n}")
                paths += [p for _, p in members]
                names += [f"{name}/{m}" for m, _ in members]
                skipped += bad
            else:
                path = Path(folder) / f"{n}{Path(name).suffix.lower()}"
                path.write_bytes(content)
                paths.append(path)
                names.append(name)
        return read_files(paths, names=names) + skipped


def _unzip(content: bytes, folder: Path) -> tuple[list[tuple[str, Path]], list[ReadResult]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return [], [ReadResult("(zip)", None, "The .zip file is damaged and cannot be opened.")]
    folder.mkdir()
    members, skipped = [], []
    for n, info in enumerate(archive.infolist()):
        if info.is_dir():
            continue
        if not info.filename.lower().endswith(SCHEDULE_SUFFIXES):
            skipped.append(ReadResult(info.filename, None, "Skipped: not a schedule file type."))
            continue
        if info.file_size > MAX_BYTES:
            skipped.append(ReadResult(info.filename, None, "Skipped: larger than 50 MB."))
            continue
        path = folder / f"{n}{Path(info.filename).suffix.lower()}"
        path.write_bytes(archive.read(info))  # our own name: no path from inside the zip
        members.append((info.filename, path))
    return members, skipped


def write_mspdi(schedule: dict[str, Any], *, seconds: float = SECONDS_PER_FILE) -> bytes:
    """`schedule` (the reader's JSON shape) as MSPDI XML bytes, written by MPXJ in a child."""
    with tempfile.TemporaryDirectory(prefix="pmo-export-") as folder:
        path = Path(folder) / "schedule.xml"
        done = subprocess.run(
            [sys.executable, "-m", "data_access.schedules.write", str(path)],
            cwd=ROOT,
            input=json.dumps(schedule).encode(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=seconds,
            env={**os.environ, "PMO_SCHEDULE_JVM_HEAP": JVM_HEAP},
            check=False,
        )
        if done.returncode != 0 or not path.exists():
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"The schedule could not be written: {' '.join(tail)}")
        return path.read_bytes()
