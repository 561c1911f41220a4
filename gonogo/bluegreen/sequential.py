"""Group-sequential critical values: look at the data as it comes, keep the error rates of one look.

A comparison that checks its statistics after every batch and stops as soon as they are clear would,
at a fixed-sample level, find a "significant" difference far more often than the level says: each
look is another chance to be fooled by noise. Alpha spending (Lan & DeMets, Biometrika 1983) gives
each look a share of the total error: at information fraction ``t`` (samples so far / the most the run
may take), the probability of having crossed the boundary at any look so far is ``alpha(t)``, a
spending function rising from 0 to alpha at ``t = 1``. Looks may come at any fractions, decided as the
run goes (a time bound that stops it early only leaves some alpha unspent).

The critical value ``c_k`` of look k solves ``P(|Z_j| < c_j for j < k, |Z_k| >= c_k) = alpha(t_k) -
alpha(t_{k-1})``, where the Z statistics follow the canonical joint distribution of a Brownian motion
observed at ``t_1 < t_2 < ...`` (``Z_k = B(t_k) / sqrt(t_k)``, Jennison & Turnbull, *Group Sequential
Methods with Applications to Clinical Trials*, 2000, ch. 3); rank statistics, sample quantiles and
proportions all follow it asymptotically. The probabilities come from the recursive numerical
integration of Armitage, McPherson & Rowe (1969) (Jennison & Turnbull ch. 19) on a grid, with SciPy's
normal distribution; the tests check them against SciPy's multivariate normal and published tables.

A repeated confidence interval (Jennison & Turnbull 1989) is the fixed-sample interval with ``c_k``
in place of the usual z: all of them together cover the truth with probability ``1 - alpha``, however
many looks the run takes, so a decision read from any of them keeps that error rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy import optimize, stats

from gonogo.errors import GonogoError

__all__ = ["Boundary", "BoundaryError", "Spending", "spent"]

#: beyond this critical value nothing is rejected (alpha(t) this small is spent by no real data)
NEVER = 40.0
#: grid points per standard deviation of one increment, and the most points a grid may have
_PER_SD = 12
_MAX_POINTS = 3001


class BoundaryError(GonogoError, ValueError):
    """Looks given out of order (information fractions must increase, within (0, 1])."""


class Spending(StrEnum):
    """Lan-DeMets spending functions: how much of alpha the early looks may use."""

    #: ``2 - 2 Phi(z_{alpha/2} / sqrt(t))``: almost nothing early, nearly the fixed-sample value at the end
    OBRIEN_FLEMING = "obrien-fleming"
    #: ``alpha ln(1 + (e - 1) t)``: evenly spent, so large effects stop early; a wider last interval
    POCOCK = "pocock"


def spent(alpha: float, fraction: float, spending: Spending) -> float:
    """``alpha(t)``: the error probability spent by information fraction ``t`` (two-sided)."""
    t = min(max(fraction, 0.0), 1.0)
    if t == 0:
        return 0.0
    if spending is Spending.OBRIEN_FLEMING:
        z = float(stats.norm.isf(alpha / 2))
        return float(2 * stats.norm.sf(z / math.sqrt(t)))
    return alpha * math.log(1 + (math.e - 1) * t)


@dataclass
class Boundary:
    """Two-sided critical values, one look at a time: ``boundary.next(fraction) -> c``.

    State between looks: the density of ``B(t)`` on the region where no earlier look crossed, on a grid.
    """

    alpha: float
    spending: Spending = Spending.POCOCK
    looks: list[tuple[float, float]] = field(default_factory=list, init=False)
    _grid: np.ndarray | None = field(default=None, init=False, repr=False)
    #: density times quadrature weight at each grid point
    _mass: np.ndarray | None = field(default=None, init=False, repr=False)
    #: the looks (fractions) the grid state has been advanced through
    _applied: list[float] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise BoundaryError(f"alpha must lie strictly between 0 and 1, got {self.alpha!r}")

    @property
    def fraction(self) -> float:
        return self.looks[-1][0] if self.looks else 0.0

    def next(self, fraction: float) -> float:
        """The critical value of a look at ``fraction`` (``min(fraction, 1)``; must exceed the last)."""
        t = min(fraction, 1.0)
        if not t > self.fraction:
            raise BoundaryError(f"information fractions must increase: {fraction!r} after {self.fraction!r}")
        # the same looks give the same values: benchmarks and tests repeat designs thousands of times
        key = (self.alpha, self.spending.value, (*(look for look, _ in self.looks), t))
        c = _KNOWN.get(key)
        if c is None:
            self._catch_up()
            c = self._solve(t)
            self._advance(t, c)
            if len(_KNOWN) > _KNOWN_MOST:
                _KNOWN.clear()
            _KNOWN[key] = c
        self.looks.append((t, c))
        return c

    def _catch_up(self) -> None:
        """Rebuild the grid state for the looks taken (they may have come from the cache)."""
        if len(self._applied) == len(self.looks):
            return
        self._grid = self._mass = None
        self._applied = []
        for t, c in self.looks:
            self._advance(t, c)

    def _solve(self, t: float) -> float:
        """The c whose crossing probability at ``t`` is this look's share of alpha."""
        before = self._applied[-1] if self._applied else 0.0
        share = spent(self.alpha, t, self.spending) - spent(self.alpha, before, self.spending)
        if share <= 0:
            return NEVER
        if self._grid is None or self._mass is None:
            return min(float(stats.norm.isf(share / 2)), NEVER)
        grid_before, mass, sd = self._grid, self._mass, math.sqrt(t - before)

        def crossing(c: float) -> float:
            bound = c * math.sqrt(t)
            outside = stats.norm.sf((bound - grid_before) / sd) + stats.norm.cdf((-bound - grid_before) / sd)
            return float(np.dot(mass, outside))

        if crossing(NEVER) >= share:
            return NEVER
        # crossing() falls from (nearly) all the mass at c = 0 to nothing at NEVER
        return float(optimize.brentq(lambda value: crossing(value) - share, 0.0, NEVER, xtol=1e-7))

    def _advance(self, t: float, c: float) -> None:
        """The density of B(t) on the region no look up to ``t`` (critical value ``c``) crossed."""
        before = self._applied[-1] if self._applied else 0.0
        sd = math.sqrt(t - before)
        grid, weights = _simpson(c * math.sqrt(t), sd)
        if self._grid is None or self._mass is None:
            density = stats.norm.pdf(grid, scale=sd)
        else:
            density = stats.norm.pdf((grid[:, None] - self._grid[None, :]) / sd) @ self._mass / sd
        self._grid, self._mass = grid, weights * density
        self._applied.append(t)


#: critical values already computed, by (alpha, spending, the looks' fractions)
_KNOWN: dict[tuple[float, str, tuple[float, ...]], float] = {}
_KNOWN_MOST = 100_000


def _simpson(bound: float, sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Simpson's rule on ``[-bound, bound]``, fine enough for a normal increment of ``sd``."""
    points = int(min(_MAX_POINTS, max(101, math.ceil(2 * bound / sd * _PER_SD))))
    points += 1 - points % 2  # odd
    grid = np.linspace(-bound, bound, points)
    h = grid[1] - grid[0]
    weights = np.full(points, 2.0)
    weights[1::2] = 4.0
    weights[0] = weights[-1] = 1.0
    return grid, weights * h / 3
