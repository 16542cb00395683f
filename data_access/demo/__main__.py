"""Generate a demo portfolio into an empty database.

python -m data_access.demo --tier L --url sqlite:///data/l.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from data_access.core.schema import upgrade_database
from data_access.demo.generator import TIERS, generate
from data_access.demo.loader import is_empty, load


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m data_access.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or data/pmo.db)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="the day the portfolio is generated around (default: today)",
    )
    args = parser.parse_args()
    upgrade_database(args.url)
    if not is_empty(args.url):
        parser.error("the database already holds projects; give an empty one")
    started = time.perf_counter()
    portfolio = generate(args.tier, seed=args.seed, today=args.today)
    generated = time.perf_counter()
    counts = load(portfolio, args.url)
    done = time.perf_counter()
    for table, n in counts.items():
        print(f"{table:>20}: {n:>8,}")
    print(
        f"generated in {generated - started:.1f} s, loaded in {done - generated:.1f} s, "
        f"total {done - started:.1f} s"
    )


if __name__ == "__main__":
    main()
