"""The one rule every measure of the comparison follows, and what the measures share.

Higher is worse; a measure gives an estimate and an interval, at the look's critical value
(:mod:`gonogo.bluegreen.sequential`; the fixed-sample z when None). :mod:`gonogo.bluegreen.stats` has
the whole picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import numpy as np
from scipy import stats

#: more than this many times the samples already taken: "would not decide it at any affordable size"
HOPELESS = 100.0


class Classification(StrEnum):
    PASS = "pass"
    MARGINAL = "marginal"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


def classify(
    *, significant: bool, estimate: float, ci_low: float, ci_high: float, limit: float
) -> Classification:
    """The one rule every measure follows (higher is worse); see the module docstring."""
    if significant and ci_low > limit:
        return Classification.FAIL
    if ci_high <= limit:
        return Classification.PASS
    if significant and estimate > limit:
        return Classification.MARGINAL
    return Classification.INCONCLUSIVE


def fraction(part: int, whole: int) -> float | None:
    """``part / whole``, a rate of errors or of slow answers; None when nothing was counted."""
    return part / whole if whole else None


def critical_value(confidence: float, critical: float | None) -> float:
    """The two-sided critical value of a look: given, or the fixed-sample ``z_{1 - alpha/2}``."""
    return critical if critical is not None else float(stats.norm.isf((1 - confidence) / 2))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation (numpy's default); None when empty."""
    if len(values) == 0:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def more_samples(n: int, *, estimate: float, low: float, high: float, limit: float) -> float | None:
    """Samples per side beyond ``n`` at which the interval would probably clear ``limit``.

    The side of the interval that reaches across the limit shrinks as ``1/sqrt(n)``: at ``n'`` its
    half-width is ``h * sqrt(n / n')``, clear of the limit once below ``|estimate - limit|``. None when
    the interval already clears it, or the estimate sits on the limit (no size would decide it).
    """
    if estimate > limit:
        reach, gap = estimate - low, estimate - limit
    else:
        reach, gap = high - estimate, limit - estimate
    if gap <= 0 or reach <= gap:
        return None
    return n * (reach / gap) ** 2 - n
