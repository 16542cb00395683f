"""Export the portfolio review deck from the command line (for a scheduled job).

python -m deck --out deck.pptx --pdf deck.pdf [--since 2026-10-23] [--review 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from data_access.core import clock
from data_access.core.config import normalise_url
from data_access.core.schema import upgrade_database
from data_access.meeting.deck_template import active_template
from deck.export import export
from deck.sources import load_meeting
from domain.filters import PortfolioFilter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export the portfolio review as .pptx and PDF.")
    parser.add_argument("--out", type=Path, help="PowerPoint file to write (.pptx)")
    parser.add_argument("--pdf", type=Path, help="PDF file to write, same pages")
    parser.add_argument(
        "--since",
        type=dt.date.fromisoformat,
        help="show what changed since this day (default: the last review)",
    )
    parser.add_argument("--review", type=int, help="the review's id (its decisions and actions)")
    parser.add_argument("--program", action="append", default=[], help="only this program")
    parser.add_argument("--department", action="append", default=[], help="only this department")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or data/pmo.db)")
    args = parser.parse_args(argv)
    if not args.out and not args.pdf:
        parser.error("give --out and/or --pdf")
    url = normalise_url(args.url) if args.url else None
    upgrade_database(url)
    meeting = load_meeting(
        args.today or clock.today(),
        since=args.since,
        review_id=args.review,
        portfolio_filter=PortfolioFilter(
            program=tuple(args.program), department=tuple(args.department)
        ),
        url=url,
    )
    template = active_template(url)
    pptx, pdf = export(meeting.slides, meeting.footer, template and template["content"])
    for path, content in ((args.out, pptx), (args.pdf, pdf)):
        if path:
            path.write_bytes(content)
            print(f"{path}: {len(meeting.slides)} slides, {len(content):,} bytes")
    if args.review is not None and meeting.review is None:
        print(f"warning: no review {args.review}; exported without its decisions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
