"""How concentrated a map is, from its magnitudes ``|a|`` over every position (and channel) of a signal.

* **sparseness** (Chalasani et al. 2020): the Gini index of ``|a|`` sorted ascending,
  ``Σ_k (2k − d − 1)·|a|_(k) / (d·Σ|a|)`` for ``k = 1..d``; 0 for a constant map, ``(d − 1)/d`` (its maximum)
  for a map with one non-zero position. Higher: sparser.
* **complexity** (Bhatt et al. 2020): the entropy (natural log) of the fractional contributions
  ``P_i = |a_i| / Σ|a|``, ``−Σ P_i ln P_i``; 0 for one non-zero position, ``ln d`` for a constant map.
  Lower: simpler.

A map that is zero everywhere has neither (NaN).
"""

from __future__ import annotations

import numpy as np

from .truth_scores import flat


def sparseness(a: np.ndarray) -> np.ndarray:
    magnitudes = np.sort(np.abs(flat(a)), axis=1)
    d = magnitudes.shape[1]
    weights = 2 * np.arange(1, d + 1) - d - 1
    total = magnitudes.sum(axis=1)
    return np.where(total > 0, (magnitudes * weights).sum(axis=1) / (d * np.where(total > 0, total, 1.0)), np.nan)


def complexity(a: np.ndarray) -> np.ndarray:
    magnitudes = np.abs(flat(a))
    total = magnitudes.sum(axis=1, keepdims=True)
    shares = magnitudes / np.where(total > 0, total, 1.0)
    logs = np.log(np.where(shares > 0, shares, 1.0))  # 0·ln 0 = 0
    return np.where(total[:, 0] > 0, -(shares * logs).sum(axis=1), np.nan)
