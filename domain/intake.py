"""Intake and selection: driver weights (AHP), priority scores and the constrained selection.

- Driver weights by pairwise comparison (Saaty's analytic hierarchy process): the weights are
  the principal eigenvector of the judgement matrix; the consistency ratio CR = CI / RI with
  CI = (lambda_max - n) / (n - 1) and Saaty's random index RI; CR above 0.10 is a warning.
- A proposal's priority is 100 x sum over drivers of weight x score / 4 (scores 0-4, the mean
  of its reviewers' scores), shown with the share each driver gives it.
- The selection is the 0-1 integer program it is: maximise total priority subject to a budget
  per year and a capacity per pool (skill or department) per period, with proposals forced in or
  out. It is solved by `scipy.optimize.milp`, which runs HiGHS: an exact branch-and-cut solver
  that proves optimality (a greedy ranking by value per cost misses better combinations, and a
  knapsack dynamic programme handles one constraint, not one per year and per pool).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

# Saaty's random consistency index by matrix size (n = 1, 2 are always consistent).
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}
CONSISTENCY_LIMIT = 0.10
# Saaty's 1-9 scale, as offered to the person judging (reciprocals mean "the other way").
SAATY_SCALE = {
    1: "equally important",
    3: "moderately more important",
    5: "strongly more important",
    7: "very strongly more important",
    9: "extremely more important",
}
SCORE_MAX = 4
# Project Server's impact words for the 0-4 scores.
SCORE_WORDS = ("none", "low", "moderate", "strong", "extreme")
# Solutions within this much of a constraint still fit it (sums of floats).
TOLERANCE = 1e-6
# HiGHS stops once its best set is proven within this share of the optimum: priorities are
# judgements, a 0.1 % difference is no difference (and with whole-number priorities up to a
# few hundred in total it is the optimum itself).
MIP_GAP = 1e-3
# Some hundreds of proposals against tight budgets and many capacity cells can take HiGHS
# minutes to prove; past this the best set found is used and its proven distance is said.
TIME_LIMIT_S = 1.5
FRONTIER_TIME_LIMIT_S = 0.25


# --- AHP ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AhpResult:
    weights: tuple[float, ...]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        return self.consistency_ratio <= CONSISTENCY_LIMIT

    def warning(self) -> str | None:
        if self.consistent:
            return None
        return (
            f"The judgements are inconsistent (consistency ratio {self.consistency_ratio:.2f}, "
            f"above {CONSISTENCY_LIMIT:.2f}): some comparisons contradict others. "
            "Revisit the pairs you were least sure about."
        )


def judgement_matrix(n: int, judgements: Mapping[tuple[int, int], float]) -> np.ndarray:
    """The full reciprocal matrix from the judgements above the diagonal: {(i, j): a_ij} with
    i < j means "i is a_ij times as important as j"; missing pairs count as equal."""
    matrix = np.ones((n, n))
    for (i, j), value in judgements.items():
        if not 0 <= i < n or not 0 <= j < n or i == j:
            raise ValueError(f"no pair ({i}, {j}) among {n} drivers")
        if not 1 / 9 - TOLERANCE <= value <= 9 + TOLERANCE:
            raise ValueError(f"judgement {value} is outside Saaty's scale 1/9 to 9")
        matrix[i, j], matrix[j, i] = value, 1 / value
    return matrix


def ahp(matrix: np.ndarray | Sequence[Sequence[float]]) -> AhpResult:
    """Weights (principal eigenvector, summing to 1) and consistency of a reciprocal matrix."""
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    if a.shape != (n, n) or n == 0:
        raise ValueError("a pairwise comparison matrix is square and not empty")
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)
    weights = vector / vector.sum()
    lambda_max = float(values[k].real)
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX.get(n, RANDOM_INDEX[10])
    cr = ci / ri if ri else 0.0
    return AhpResult(tuple(float(w) for w in weights), lambda_max, ci, max(cr, 0.0))


def normalised(weights: Mapping[str, float]) -> dict[str, float]:
    """Direct weights (any positive numbers) as shares summing to 1; all zero -> equal."""
    total = sum(max(w, 0.0) for w in weights.values())
    if total <= 0:
        return {k: 1 / len(weights) for k in weights} if weights else {}
    return {k: max(w, 0.0) / total for k, w in weights.items()}


# --- priority score -------------------------------------------------------------------------


@dataclass(frozen=True)
class Priority:
    score: float  # 0-100
    parts: dict[str, float]  # driver -> points of the score it gives
    driver_scores: dict[str, float]  # driver -> mean score 0-4

    def explanation(self) -> str:
        """'62 of 100: 40 % of it from Customer retention, where it scored 3.0 of 4 (strong)'."""
        if self.score <= 0 or not self.parts:
            return "0 of 100: no driver scored yet"
        driver = max(self.parts, key=lambda d: (self.parts[d], d))
        share = self.parts[driver] / self.score
        mean = self.driver_scores[driver]
        word = SCORE_WORDS[min(int(round(mean)), SCORE_MAX)]
        return (
            f"{self.score:.0f} of 100: {share * 100:.0f} % of it from {driver}, "
            f"where it scored {mean:.1f} of {SCORE_MAX} ({word})"
        )


def priority(weights: Mapping[str, float], scores: Mapping[str, Iterable[float]]) -> Priority:
    """Priority of one proposal from normalised driver weights and its reviewers' scores per
    driver (0-4); a driver nobody scored counts 0."""
    means = {}
    for driver, values in scores.items():
        values = list(values)
        if values:
            means[driver] = sum(values) / len(values)
    parts = {
        driver: 100 * weight * means.get(driver, 0.0) / SCORE_MAX
        for driver, weight in weights.items()
        if means.get(driver, 0.0) > 0 and weight > 0
    }
    return Priority(sum(parts.values()), parts, {d: means[d] for d in parts})


# --- selection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A proposal as the selection sees it: its priority, cost per year, needs per
    (pool, period) in hours."""

    key: str
    value: float
    costs: Mapping[int, float] = field(default_factory=dict)
    needs: Mapping[tuple[str, str], float] = field(default_factory=dict)

    @property
    def total_cost(self) -> float:
        return float(sum(self.costs.values()))


@dataclass(frozen=True)
class Selection:
    chosen: tuple[str, ...]
    value: float
    cost_by_year: dict[int, float]
    use: dict[tuple[str, str], float]
    feasible: bool = True
    message: str = ""
    # How far from the optimum the solver proved this set to be (0: the optimum within
    # MIP_GAP); above MIP_GAP when the time limit stopped it first.
    gap: float = 0.0

    def note(self) -> str:
        if self.gap <= MIP_GAP:
            return ""
        return (
            f"The solver stopped at its time limit: this selection is proven within "
            f"{self.gap * 100:.1f} % of the best possible."
        )

    @property
    def total_cost(self) -> float:
        return float(sum(self.cost_by_year.values()))


def _rows(candidates: Sequence[Candidate], budget, capacity):
    """The constraint matrix: one row per budget year, one per (pool, period) with capacity.
    A year or pool absent from the limits is not constrained."""
    labels, rows, limits = [], [], []
    for year, limit in sorted(budget.items()):
        labels.append(("year", year))
        rows.append([c.costs.get(year, 0.0) for c in candidates])
        limits.append(limit)
    for key, limit in sorted(capacity.items()):
        labels.append(("capacity", key))
        rows.append([c.needs.get(key, 0.0) for c in candidates])
        limits.append(limit)
    return labels, np.array(rows, dtype=float).reshape(len(rows), len(candidates)), limits


def _breaches(candidates, chosen_idx, budget, capacity) -> list[str]:
    """What a set of proposals breaks, in words (used to explain an infeasible forcing)."""
    chosen = [candidates[i] for i in chosen_idx]
    problems = []
    for year, limit in sorted(budget.items()):
        need = sum(c.costs.get(year, 0.0) for c in chosen)
        if need > limit + TOLERANCE:
            problems.append(f"{year} costs {need:,.0f} against a budget of {limit:,.0f}")
    for (pool, period), limit in sorted(capacity.items()):
        need = sum(c.needs.get((pool, period), 0.0) for c in chosen)
        if need > limit + TOLERANCE:
            problems.append(
                f"{pool} in {period} needs {need:,.0f} h against {limit:,.0f} h available"
            )
    return problems


def select(
    candidates: Sequence[Candidate],
    budget: Mapping[int, float],
    capacity: Mapping[tuple[str, str], float] | None = None,
    force_in: Iterable[str] = (),
    force_out: Iterable[str] = (),
    time_limit: float = TIME_LIMIT_S,
) -> Selection:
    """The set of candidates with the highest total value that fits every limit and the
    forcing. An impossible forcing gives `feasible=False` and a message saying what breaks."""
    capacity = capacity or {}
    force_in, force_out = set(force_in), set(force_out)
    both = sorted(force_in & force_out)
    if both:
        return _infeasible(f"{', '.join(both)} cannot be forced both in and out.")
    n = len(candidates)
    if n == 0:
        return Selection((), 0.0, {y: 0.0 for y in budget}, {})
    labels, a, limits = _rows(candidates, budget, capacity)
    lower = np.array([1.0 if c.key in force_in else 0.0 for c in candidates])
    upper = np.array([0.0 if c.key in force_out else 1.0 for c in candidates])
    constraints = [LinearConstraint(a, -np.inf, np.array(limits) + TOLERANCE)] if labels else []
    result = milp(
        c=-np.array([c.value for c in candidates], dtype=float),
        integrality=np.ones(n),
        bounds=Bounds(lower, upper),
        constraints=constraints,
        options={"mip_rel_gap": MIP_GAP, "time_limit": time_limit},
    )
    if result.x is None:
        forced = [i for i, c in enumerate(candidates) if c.key in force_in]
        breaches = _breaches(candidates, forced, budget, capacity)
        if breaches or result.status == 2:
            detail = "; ".join(breaches) if breaches else "together they break a limit"
            return _infeasible(f"The proposals forced in do not fit: {detail}.")
        return _infeasible(f"No selection found within {time_limit:g} s: {result.message}")
    picked = [i for i in range(n) if result.x[i] > 0.5]
    gap = float(getattr(result, "mip_gap", 0.0) or 0.0) if result.status == 1 else 0.0
    return _selection(candidates, picked, budget, capacity, gap)


def _selection(candidates, picked, budget, capacity, gap: float = 0.0) -> Selection:
    chosen = [candidates[i] for i in picked]
    years = set(budget) | {y for c in chosen for y in c.costs}
    cost = {y: float(sum(c.costs.get(y, 0.0) for c in chosen)) for y in sorted(years)}
    keys = set(capacity) | {k for c in chosen for k in c.needs}
    use = {k: float(sum(c.needs.get(k, 0.0) for c in chosen)) for k in sorted(keys)}
    value = float(sum(c.value for c in chosen))
    return Selection(tuple(c.key for c in chosen), value, cost, use, gap=gap)


def _infeasible(message: str) -> Selection:
    return Selection((), 0.0, {}, {}, feasible=False, message=message)


@dataclass(frozen=True)
class ForcingCost:
    total: float  # value given up by all the forcing together
    each: dict[str, float]  # key -> value given up by forcing that one (the others kept)


def forcing_cost(
    candidates: Sequence[Candidate],
    budget: Mapping[int, float],
    capacity: Mapping[tuple[str, str], float] | None = None,
    force_in: Iterable[str] = (),
    force_out: Iterable[str] = (),
    forced: Selection | None = None,
) -> ForcingCost:
    """How much total priority the forcing costs: the best value without it minus the value
    with it, for all forcing together and for each forced proposal alone. `forced` is the
    selection with all the forcing when the caller has it already.

    Each distinct forcing is solved once (with one proposal forced, "without it" is the free
    selection), and the solves run side by side: at 500 proposals each may take its whole
    time limit, and HiGHS lets go of the GIL while it works."""
    force_in, force_out = frozenset(force_in), frozenset(force_out)
    if forced is None:
        forced = select(candidates, budget, capacity, force_in, force_out)
    if not forced.feasible:
        return ForcingCost(float("nan"), {})
    keys = sorted(force_in | force_out)
    wanted = list({(force_in - {k}, force_out - {k}) for k in keys} | {(frozenset(), frozenset())})
    with ThreadPoolExecutor(max_workers=min(len(wanted), os.cpu_count() or 1)) as pool:
        solved = dict(
            zip(
                wanted,
                pool.map(lambda f: select(candidates, budget, capacity, *f), wanted),
                strict=True,
            )
        )
    free = solved[frozenset(), frozenset()]
    each = {k: max(solved[force_in - {k}, force_out - {k}].value - forced.value, 0.0) for k in keys}
    return ForcingCost(max(free.value - forced.value, 0.0), each)


def frontier(
    candidates: Sequence[Candidate],
    capacity: Mapping[tuple[str, str], float] | None = None,
    force_in: Iterable[str] = (),
    force_out: Iterable[str] = (),
    steps: int = 16,
) -> list[tuple[float, float, float]]:
    """The efficient frontier: for budgets from 0 to the total asked (over all years), the
    best total value that fits, as (budget, value, cost) points. The budget is one total here
    (the chart's x axis), the capacity and forcing as in `select`."""
    total = sum(c.total_cost for c in candidates)
    # One pseudo-year holding each candidate's whole cost makes a single total budget.
    merged = [Candidate(c.key, c.value, {0: c.total_cost}, c.needs) for c in candidates]
    limits = [total * step / steps for step in range(steps + 1)]

    def best(limit: float) -> Selection:
        return select(merged, {0: limit}, capacity, force_in, force_out, FRONTIER_TIME_LIMIT_S)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # as in forcing_cost
        found = list(pool.map(best, limits))
    return [
        (limit, b.value, b.total_cost) for limit, b in zip(limits, found, strict=True) if b.feasible
    ]


# --- benefits -------------------------------------------------------------------------------


def benefits_summary(benefits, by: str):
    """Planned vs realised per `by` (driver or program): how many benefits are planned, how
    many measured, and the mean share of the planned improvement realised by the measured
    ones ((realised - baseline) / (target - baseline), below 0 counted as 0).
    `benefits` has columns baseline, target, realised (None until measured) and `by`."""
    if benefits.empty:
        return pd.DataFrame(columns=["group", "benefits", "measured", "achieved"])
    realised = pd.to_numeric(benefits.realised, errors="coerce")
    progress = ((realised - benefits.baseline) / (benefits.target - benefits.baseline)).clip(
        lower=0
    )
    frame = pd.DataFrame({"group": benefits[by], "progress": progress})
    summary = frame.groupby("group").agg(
        benefits=("progress", "size"), measured=("progress", "count"), achieved=("progress", "mean")
    )
    return summary.dropna(subset=["achieved"]).reset_index()
