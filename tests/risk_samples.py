"""Hand-made risks in known matrix cells, shared by the data, page and browser tests."""

from __future__ import annotations

import datetime as dt

from data_access.core.models import RiskAssessment
from tests.factories import _insert, make_org, make_project, make_report, make_risk

D = dt.date

# Open threats by inherent cell: (4, 5) holds a45, b45 and other45; closed45 is closed.
CELL_4_5 = {"a45", "b45", "other45"}
CRITICAL = CELL_4_5 | {"crit35"}


def make_risk_portfolio(url: str) -> dict:
    """Two projects (P-1, P-2), each with a status report; risks named after their cell."""
    org = make_org(url)
    p1 = make_project(url, org, "P-1")
    p2 = make_project(url, org, "P-2")
    for project in (p1, p2):
        make_report(url, project, D(2026, 3, 2))
    ids = {"url": url, "org": org, "p1": p1, "p2": p2}
    pm = org["pm"]

    def risk(name, project, p, i, **extra):
        ids[name] = make_risk(url, project, p, i, title=name, **extra)
        # As the write functions do: raising is the first assessment, closing the last.
        assessed = {"probability": p, "impact": i, "note": "", "risk_id": ids[name]}
        for key in ("residual_probability", "residual_impact"):
            assessed[key] = extra.get(key)
        _insert(url, RiskAssessment, project_id=project, assessed_on=D(2026, 1, 1), **assessed)
        if extra.get("status") == "closed":
            _insert(
                url,
                RiskAssessment,
                project_id=project,
                assessed_on=extra["closed_on"],
                status="closed",
                **assessed,
            )

    risk("a45", p1, 4, 5, residual_probability=2, residual_impact=3, owner_id=pm)
    risk("b45", p1, 4, 5, residual_probability=2, residual_impact=2, response_due=D(2026, 3, 1))
    risk("closed45", p1, 4, 5, status="closed", closed_on=D(2026, 2, 1), owner_id=pm)
    risk("low14", p1, 1, 4, owner_id=pm)  # score 4: Low
    risk("med15", p1, 1, 5, owner_id=pm, response_due=D(2026, 3, 4))  # 5: Medium
    risk("med33", p1, 3, 3, owner_id=pm)  # 9: Medium
    risk("high25", p1, 2, 5, owner_id=pm)  # 10: High
    risk("crit35", p1, 3, 5, residual_probability=3, residual_impact=3, owner_id=pm)  # 15
    risk("other45", p2, 4, 5, owner_id=pm)
    risk("opp34", p1, 3, 4, kind="opportunity", response="exploit", owner_id=pm)
    return ids
