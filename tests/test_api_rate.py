"""The API's request budgets on SQLite and PostgreSQL: a bucket refills with time, a refused
request spends nothing, two app processes share one budget, and none of it moves the data
version (caches stay warm)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from data_access.api_tokens import rate
from data_access.core.config import APP_ROOT
from data_access.core.db import read_scalar


def test_a_bucket_allows_its_burst_then_refills_with_time(db_url):
    before = read_scalar("SELECT version FROM data_version WHERE id = 1", url=db_url)
    budget = [("token:a", 60)]  # one a second, in bursts of 60
    assert [rate.take(budget, now=0.0, url=db_url) for _ in range(60)] == [0.0] * 60
    assert rate.take(budget, now=0.0, url=db_url) == pytest.approx(1.0)
    assert rate.take(budget, now=0.5, url=db_url) == pytest.approx(0.5)  # nothing was spent
    assert rate.take(budget, now=1.0, url=db_url) == 0.0
    # A clock behind the last request (another machine's) refills nothing and spends nothing.
    assert rate.take(budget, now=0.2, url=db_url) == pytest.approx(1.0)
    # Each key its own budget; a request passes only if every budget it spends from has room.
    assert rate.take([("client:10.0.0.1", 1200), ("token:b", 60)], now=1.0, url=db_url) == 0.0
    assert rate.take([("client:10.0.0.1", 1200), ("token:a", 60)], now=1.0, url=db_url) > 0
    after = read_scalar("SELECT version FROM data_version WHERE id = 1", url=db_url)
    assert after == before


# Each process spends `count` requests and prints how many went through. Run as its own
# interpreter: multiprocessing's spawn would re-run this pytest worker's __main__, which an
# earlier AppTest in the same worker may have replaced with its script.
SPEND = """
import sys
from data_access.api_tokens import rate
url, count = sys.argv[1], int(sys.argv[2])
print(sum(rate.take([("token:shared", 30)], now=100.0, url=url) == 0 for _ in range(count)))
"""


def test_two_processes_share_one_budget(db_url):
    """Two app processes behind a proxy: 30 a minute between them, not 30 each."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SPEND, db_url, "25"],
            cwd=APP_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert sum(int(out) for out, _ in outputs) == 30
