"""The noise tunnel: any method's maps averaged over noisy copies of each signal (SmoothGrad's family).

One wrapper serves every method, built in or plugged in (Captum's ``NoiseTunnel``): ``--smooth NAME`` picks
the method whose maps are smoothed; the default, ``gradient``, is the raw logit gradient of SmoothGrad.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import UsageError
from ..params import param
from .base import Adapter, Method
from .baselines import Seeded

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    import numpy as np

RAW_GRADIENT = "gradient"
NOISE_THREADS = 2
"""Threads drawing the noise: a block's signals are split between them (each signal's draws stay its own)."""


@dataclass(frozen=True)
class NoiseTunnelParameters(Seeded):
    noise_samples: int = param(32, "SmoothGrad family: noisy copies per signal.", minimum=1)
    noise: float = param(0.15, "SmoothGrad family: noise sigma / (max - min) of the signal.", minimum=0)
    smooth: str = param(
        RAW_GRADIENT, "SmoothGrad family: the method smoothed (gradient, or any method's name).", metavar="METHOD"
    )

    def check(self) -> None:
        if self.smooth != RAW_GRADIENT:
            from . import get_method

            if issubclass(get_method(self.smooth), NoiseTunnel):
                raise UsageError(f"--smooth {self.smooth}: a SmoothGrad method cannot smooth another one")

    def wrapped(self) -> str | None:
        return None if self.smooth == RAW_GRADIENT else self.smooth


class NoiseTunnel(Method):
    """The base of the SmoothGrad family: ``statistic`` of the smoothed method's maps over noisy copies.

    Noise is Gaussian with σ = ``noise`` × (max − min) of the signal, drawn from a generator seeded by
    ``seed`` and the signal itself, so a signal's copies are the same alone or in any batch. The smoothed
    method's maps keep their kinds (as ``<name>_<its array>``); its axes come from the first copy and its
    per-signal diagnostics are dropped. The next block's copies are drawn in background threads while the
    model runs on this one; for the raw gradient of a one-input Keras model the statistic is reduced inside
    the compiled gradient call (``model/noisy_statistic.py``), so only it leaves the call.
    """

    family = "gradient"
    Parameters = NoiseTunnelParameters
    params: NoiseTunnelParameters
    statistic: ClassVar[str] = "mean"

    def __init__(self, params: NoiseTunnelParameters | None = None, *, inner: Method | None = None, **rest: Any):
        super().__init__(params, **rest)
        if self.params.wrapped() and inner is None:
            from . import get_method

            inner = get_method(self.params.smooth)(
                dataset_mean=self.dataset_mean, sampling_rate=self.sampling_rate, baseline_values=self.baseline_values
            )
        self.inner = inner
        if inner is not None:
            self.array_kinds = {f"{self.name}_{k}": kind for k, kind in inner.array_kinds.items()}

    def parameters(self) -> dict[str, Any]:
        recorded = super().parameters()
        if self.inner is not None:
            recorded["smoothed"] = {"method": self.inner.name, "parameters": self.inner.parameters()}
        return recorded

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np

        from ..model.context import has_context
        from ..model.noisy_statistic import noisy_statistic, reduces_in_graph
        from .arrays import batched_rows, check_inputs

        x, targets = check_inputs(x, targets, adapter.n_outputs)
        m = self.noise_samples
        # the raw gradient of a one-input Keras model: the statistic comes out of the compiled call itself
        # (a signal's copies in one call: not where they are more than a batch)
        in_graph = self.inner is None and m <= adapter.batch_size and reduces_in_graph(adapter)
        parts: dict[str, list[np.ndarray]] = {}
        blocks = batched_rows(len(x), max(1, adapter.batch_size // m))
        for rows, noisy in zip(blocks, self._noisy_blocks(x, blocks), strict=True):
            if in_graph:
                statistic = noisy_statistic(adapter, noisy, targets[rows], m, self.statistic)
                parts.setdefault(self.name, []).append(statistic)
                continue
            # a multi-input model: each noisy copy keeps its signal's other inputs (noise goes on the signal)
            copies = adapter.rows(np.repeat(np.arange(len(x))[rows], m)) if has_context(adapter) else adapter
            for name, values in self._maps(copies, noisy, np.repeat(targets[rows], m)).items():
                parts.setdefault(name, []).append(self._reduce(values.reshape(-1, m, *values.shape[1:]), name))
        return {name: np.concatenate(values) for name, values in parts.items()}

    def _maps(self, adapter: Adapter, noisy: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        """The smoothed method's arrays of the noisy copies, named as this method's."""
        if self.inner is None:
            from ..model.context import context_attributions, has_context

            if has_context(adapter):
                grads, _, of_context = adapter.input_gradients(noisy, targets)
                return {self.name: grads, **context_attributions(self.name, adapter, of_context, lambda g, _: g)}
            return {self.name: adapter.gradients(noisy, targets)[0]}
        arrays = self.inner.attribute(adapter, noisy, targets)
        return {f"{self.name}_{name}": values for name, values in arrays.items() if name not in self.inner.diagnostics}

    def _reduce(self, copies: np.ndarray, name: str) -> np.ndarray:
        """``(k, m, …)`` → ``(k, …)``: the statistic over each signal's copies (an axis: the first copy's)."""
        if self.array_kinds.get(name) == "axis":
            return copies[:, 0]
        if self.statistic == "mean":
            return copies.mean(axis=1)
        if self.statistic == "squared":
            return (copies**2).mean(axis=1)
        return copies.var(axis=1)

    def _noisy_copies(self, signal: np.ndarray) -> np.ndarray:
        """One signal's ``m`` noisy copies ``(m, L, C)`` float32."""
        import numpy as np

        copies = np.empty((self.noise_samples, *signal.shape), np.float32)
        self._draw_into(signal[None], copies)
        return copies

    def _noisy_blocks(self, x: np.ndarray, blocks: list[slice]) -> Iterator[np.ndarray]:
        """Each block's noisy copies ``(len(block) × m, L, C)``, signal by signal, the next block drawn in
        the background while the caller runs the model on this one (numpy's generators release the GIL)."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(NOISE_THREADS) as pool:
            drawing = [self._start_block(pool, x[rows]) for rows in blocks[:1]]
            for index in range(len(blocks)):
                if index + 1 < len(blocks):
                    drawing.append(self._start_block(pool, x[blocks[index + 1]]))
                copies, parts = drawing.pop(0)
                for part in parts:
                    part.result()
                yield copies

    def _start_block(self, pool: Executor, signals: np.ndarray) -> tuple[np.ndarray, list[Future[None]]]:
        """The block's copies (being written) and the drawing tasks, its signals split between the threads."""
        import numpy as np

        m = self.noise_samples
        copies = np.empty((len(signals) * m, *signals.shape[1:]), np.float32)
        step = -(-len(signals) // NOISE_THREADS)
        return copies, [
            pool.submit(self._draw_into, signals[start : start + step], copies[start * m : (start + step) * m])
            for start in range(0, len(signals), step)
        ]

    def _draw_into(self, signals: np.ndarray, copies: np.ndarray) -> None:
        """Write each signal's ``m`` noisy copies into ``copies`` (``(len(signals) × m, L, C)``, float32).

        σ = ``noise`` × (max − min) of the signal; the draws (float64) come from the generator seeded by
        ``seed`` and the signal's own values, and the sum is rounded to float32 once, at the end."""
        from .arrays import signal_rng

        m = self.noise_samples
        for index, signal in enumerate(signals):
            noisy = signal_rng(self.seed, signal).standard_normal((m, *signal.shape))
            noisy *= self.noise * float(signal.max() - signal.min())
            noisy += signal
            copies[index * m : (index + 1) * m] = noisy


class SmoothGrad(NoiseTunnel):
    """Mean gradient over noisy copies of the signal.

    SmoothGrad (Smilkov et al. 2017): the mean logit gradient (or the ``--smooth`` method's map) over noisy
    copies of each signal.
    """

    name = "smoothgrad"
    paper = "Smilkov et al. 2017, SmoothGrad: removing noise by adding noise"


class SmoothGradSquared(NoiseTunnel):
    """Mean squared gradient over noisy copies (Hooker et al. 2019's SG-SQ)."""

    name = "smoothgrad_squared"
    paper = "Hooker et al. 2019, A Benchmark for Interpretability Methods in Deep Neural Networks"
    statistic = "squared"


class VarGrad(NoiseTunnel):
    """Variance of the gradient over noisy copies (Adebayo et al. 2018)."""

    name = "vargrad"
    paper = "Adebayo et al. 2018, Local Explanation Methods for Deep Neural Networks Lack Sensitivity"
    statistic = "variance"
