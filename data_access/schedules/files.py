"""Read schedule files in a child process with time and memory limits.

Why a child process and not a JVM inside the app server: JPype starts one JVM per process
and can never restart it, a Streamlit server runs many sessions on threads, and a JVM that
hangs, runs out of memory or crashes on a hostile file would stop the whole server for
everyone. The child (`python -m data_access.schedules.read`) is started on first use and kept:
its JVM starts once and reads file after file, answering one JSON line each. A file that takes
longer than the limit gets its reader killed (the next file starts a new one); a reader nobody
used for ten minutes ends by itself. The app server only ever sees plain JSON.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
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
CRASHED = "The schedule reader stopped on this file (it crashed)."


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
    """Read every file in the reader process; a file over the limits gets a reason instead."""
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


class _Reader:
    """The reader process of this app process: started on first use and kept, so the JVM
    starts once, not per file. One file at a time (a lock); a file that takes too long or
    crashes the reader costs only that reader, and the next file gets a new one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.child: subprocess.Popen | None = None
        self.buffer = b""

    def _running(self) -> subprocess.Popen:
        if self.child is None or self.child.poll() is not None:
            self.stop()
            self.child = subprocess.Popen(
                [sys.executable, "-m", "data_access.schedules.read"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # the JVM's logging chatter
                env={**os.environ, "PMO_SCHEDULE_JVM_HEAP": JVM_HEAP},
            )
        return self.child

    def stop(self) -> None:
        if self.child is not None:
            if self.child.poll() is None:
                self.child.kill()
            self.child.wait()
            self.child.stdin.close()
            self.child.stdout.close()
        self.child, self.buffer = None, b""

    def read(self, path: Path, seconds: float) -> tuple[dict | None, str]:
        """(the reader's answer, "") or (None, why there is none)."""
        fresh = self.child is None or self.child.poll() is not None
        answer, trouble = self._ask(path, seconds)
        if trouble == CRASHED and not fresh:
            # A kept reader may have ended before this file reached it (killed, or idle
            # and exiting): the file deserves one try with a new reader.
            answer, trouble = self._ask(path, seconds)
        return answer, trouble

    def _ask(self, path: Path, seconds: float) -> tuple[dict | None, str]:
        child = self._running()
        try:
            child.stdin.write(json.dumps(str(path)).encode() + b"\n")
            child.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return None, CRASHED
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([child.stdout], [], [], left)[0]:
                self.stop()
                return None, f"Reading took longer than {seconds:.0f} s and was stopped."
            chunk = os.read(child.stdout.fileno(), 1 << 20)
            if not chunk:  # out of memory, or the JVM crashed
                self.stop()
                return None, CRASHED
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line), ""


_reader = _Reader()
atexit.register(_reader.stop)


def reader_pid() -> int | None:
    """The running reader process, if any (to show that it is kept between files)."""
    child = _reader.child
    return child.pid if child is not None and child.poll() is None else None


def _read_in_child(paths, names, wanted, seconds_per_file) -> dict[int, ReadResult]:
    results = {}
    with _reader.lock:
        for i in wanted:
            started = time.monotonic()
            answer, trouble = _reader.read(paths[i], seconds_per_file)
            results[i] = ReadResult(
                names[i],
                answer.get("schedule") if answer else None,
                answer.get("reason", "") if answer else trouble,
                round(time.monotonic() - started, 3),
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
