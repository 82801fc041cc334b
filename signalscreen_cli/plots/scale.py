"""A value axis's power of ten written in its label ("drop in P(N) (× 10⁻⁷)"), not as matplotlib's offset text.

Matplotlib writes a small or large axis's scale as an offset text ("1e−7") in the axis corner, where it
crowds the panel above or the colour bar beside it and reads as a tick label. A figure instead divides its
values by the power of ten and says so in the axis label, where a reader looks for what the value means.
"""

from __future__ import annotations

import math

import numpy as np

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
PLAIN_BETWEEN = (-2, 3)
"""Exponents from −2 to 3 (largest values 0.01 to 9,999) are plain tick labels: no scale is written."""


def power_of_ten(values: np.ndarray) -> int:
    """The exponent that brings ``values``' largest magnitude to 1–10, or 0 where plain numbers read well."""
    finite = np.abs(np.asarray(values, float))
    finite = finite[np.isfinite(finite)]
    largest = float(finite.max()) if finite.size else 0.0
    if largest == 0.0:
        return 0
    exponent = math.floor(math.log10(largest))
    return 0 if PLAIN_BETWEEN[0] <= exponent <= PLAIN_BETWEEN[1] else exponent


def scaled_label(label: str, exponent: int) -> str:
    """``label`` with its scale: "contribution to logit N (× 10⁻⁷)"; as it is where ``exponent`` is 0."""
    return label if exponent == 0 else f"{label} (× 10{str(exponent).translate(SUPERSCRIPTS)})"
