"""Segment Shapley values: the signal cut into equal segments, each segment a player of a cooperative game."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..errors import UsageError
from ..params import param
from .base import Adapter, Method
from .baselines import BaselineParameters

if TYPE_CHECKING:
    import numpy as np

EXACT_UP_TO = 14
"""Exact enumeration of all ``2**S`` coalitions up to this many segments; Kernel SHAP sampling above."""


@dataclass(frozen=True)
class SegmentShapleyParameters(BaselineParameters):
    segments: int = param(
        12,
        "Segment Shapley: near-equal segments the signal is cut into (segment k: samples round(k·L/S) to "
        "round((k+1)·L/S) - 1).",
        minimum=2,
    )
    coalitions: int = param(
        4096, f"Segment Shapley: sampled coalitions per signal above {EXACT_UP_TO} segments (Kernel SHAP).", minimum=8
    )

    user: ClassVar[str] = "segment_shapley"


def segment_bounds(length: int, segments: int) -> np.ndarray:
    """``segments + 1`` boundaries cutting ``length`` samples into near-equal segments."""
    import numpy as np

    return np.round(np.linspace(0, length, segments + 1)).astype(np.int64)


def exact_shapley(values: np.ndarray, players: int) -> np.ndarray:
    """Shapley values ``(n, S)`` from the game's value on every coalition ``(n, 2**S)``, coalition ``m``
    holding player ``i`` when bit ``i`` of ``m`` is set: ``φ_i = Σ_T |T|!(S−|T|−1)!/S! (v(T ∪ i) − v(T))``."""
    import math

    import numpy as np

    masks = np.arange(2**players)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(k) * math.factorial(players - k - 1) for k in range(players)], np.float64)
    weight /= math.factorial(players)
    values = values.astype(np.float64)
    phi = np.empty((len(values), players))
    for i in range(players):
        without = masks[(masks >> i) & 1 == 0]
        phi[:, i] = (values[:, without | (1 << i)] - values[:, without]) @ weight[sizes[without]]
    return phi


def kernel_coalitions(players: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` coalitions ``(count, S)`` drawn from the Shapley kernel (size ``k`` with probability
    ∝ ``(S−1)/(k(S−k))``, then uniformly among that size), in complementary pairs."""
    import numpy as np

    sizes = np.arange(1, players)
    chance = (players - 1) / (sizes * (players - sizes))
    drawn = rng.choice(sizes, size=(count + 1) // 2, p=chance / chance.sum())
    order = rng.random(((count + 1) // 2, players)).argsort(axis=1)
    half = order < drawn[:, None]
    return np.concatenate([half, ~half])[:count]


def kernel_shap(coalitions: np.ndarray, values: np.ndarray, empty: float, full: float) -> np.ndarray:
    """Kernel SHAP (Lundberg & Lee 2017): least squares of ``v(z) − v(∅)`` on the coalitions ``z`` drawn from
    the Shapley kernel, with ``Σ φ = v(N) − v(∅)`` imposed exactly by eliminating the last player."""
    import numpy as np

    z = coalitions.astype(np.float64)
    total = full - empty
    design = z[:, :-1] - z[:, -1:]
    response = values - empty - z[:, -1] * total
    head = np.linalg.lstsq(design, response, rcond=None)[0]
    return np.append(head, total - head.sum())


class SegmentShapley(Method):
    """Shapley values of equal signal segments: each segment's fair share of output(x) − output(baseline).

    The signal is cut into ``segments`` near-equal parts; a coalition keeps its segments and replaces the
    others by the baseline, and its value is the target's output (the model's own output, as occlusion's).
    Up to 14 segments every one of the ``2**S`` coalitions is evaluated and the values are exact (Shapley
    1953; segment attribution for time series as in WindowSHAP, Nayebi et al. 2023); above, Kernel SHAP
    (Lundberg & Lee 2017) fits ``coalitions`` coalitions per signal, drawn seeded by the signal itself.

    ``segment_shapley`` spreads each segment's value over its samples ``(n, L, C)``;
    ``segment_shapley_values`` is ``(n, S)``; ``segment_shapley_gap`` is the efficiency gap
    ``|Σ φ − (f(x) − f(baseline))|`` per signal.
    """

    name = "segment_shapley"
    family = "perturbation"
    paper = "Lundberg & Lee 2017, A Unified Approach to Interpreting Model Predictions"
    diagnostics: ClassVar[tuple[str, ...]] = ("segment_shapley_gap",)
    array_kinds: ClassVar[dict[str, str]] = {"segment_shapley_values": "segment"}
    Parameters = SegmentShapleyParameters
    params: SegmentShapleyParameters

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np

        from .arrays import check_inputs, signal_rng
        from .perturbation import perturbed_scores

        p = self.params
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        n, length, channels = x.shape
        if p.segments > length:
            raise UsageError(f"--segments {p.segments} must be at most the signal length {length}")
        base = p.baseline_of(x, self.dataset_mean, self.baseline_values)
        exact = p.segments <= EXACT_UP_TO
        if exact:
            players = np.arange(2**p.segments)[:, None] >> np.arange(p.segments) & 1
            coalitions = np.broadcast_to(players.astype(bool), (n, *players.shape))
        else:
            sampled = [kernel_coalitions(p.segments, p.coalitions, signal_rng(p.seed, signal)) for signal in x]
            ends = np.array([np.zeros(p.segments, bool), np.ones(p.segments, bool)])
            coalitions = np.stack([np.concatenate([ends, drawn]) for drawn in sampled])
        per_signal = coalitions.shape[1]
        owner = np.repeat(np.arange(p.segments), np.diff(segment_bounds(length, p.segments)))

        def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
            samples, which = np.divmod(np.arange(block.start, block.stop), per_signal)
            keep = coalitions[samples, which][:, owner][:, :, None]
            return np.where(keep, x[samples], base[samples]), targets[samples]

        values = perturbed_scores(adapter, n * per_signal, build, (length, channels))
        values = values.reshape(n, per_signal).astype(np.float64)
        if exact:
            phi, empty, full = exact_shapley(values, p.segments), values[:, 0], values[:, -1]
        else:
            empty, full = values[:, 0], values[:, 1]
            fits = zip(coalitions, values, empty, full, strict=True)
            phi = np.stack([kernel_shap(drawn[2:], value[2:], e, f) for drawn, value, e, f in fits])
        gap = np.abs(phi.sum(axis=1) - (full - empty))
        spread = np.broadcast_to(phi[:, owner, None], (n, length, channels))
        return {
            "segment_shapley": spread.astype(np.float32),
            "segment_shapley_values": phi.astype(np.float32),
            "segment_shapley_gap": gap.astype(np.float32),
        }
