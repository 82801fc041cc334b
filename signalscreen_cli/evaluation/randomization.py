"""Model-parameter randomisation check (Adebayo et al. 2018, "Sanity Checks for Saliency Maps").

Cascading from the top: step 1 re-initialises the top-level layer with weights nearest the output, step 2
also the next one down, and so on until every layer with weights is random. After each step the maps are
recomputed, same signals and same targets, on a fresh ``ModelAdapter`` of the partly random model, and
compared with the original maps.

* **Re-initialisation.** Every floating-point weight array of the layer is replaced by a seeded normal draw
  with mean 0 and the array's own standard deviation (a constant array, such as an untrained zero bias,
  becomes zeros). Running statistics (``moving_mean``, ``moving_variance`` of BatchNormalization) are
  kept: they describe the data, not learned parameters. Keras 3 does not keep a variable's initializer,
  so one rule serves every layer type. The draw of layer ``i`` comes from ``default_rng([seed, i])``.
* **Correlation.** Per signal, the Pearson correlation between the original and the randomised map,
  flattened, like with like as the agreement scores compare maps (``similarity.py``): signed values when
  both maps of the signal have negative values, magnitudes otherwise (Adebayo et al. compare absolute maps;
  a signed map's flip is a change too). Averaged over signals. Pearson weighs a position by the attribution
  it carries, so a long near-zero tail (the zero padding of a beat), whose order is noise, cannot make two
  maps of the same salient region look unrelated, as it did in the Spearman rank correlation used before.
  A constant map has no shape to correlate: its correlation counts as 0 and is counted in ``undefined``.
* **Verdict.** A map fails when its mean correlation after every layer is randomised is above the
  threshold: it hardly depends on what the model learned.

The user's model is never touched: the check works on ``keras.models.clone_model`` + ``set_weights``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import MethodNotApplicableError

KEPT_WEIGHTS = ("moving_mean", "moving_variance")


@dataclass(frozen=True)
class Randomization:
    """Correlations of recomputed maps to the original ones, per cascading step.

    Attributes
    ----------
    layers : tuple of str
        The layer re-initialised at each step, output side first; step ``s`` has layers ``[: s + 1]`` random.
    correlations : dict of str to numpy.ndarray
        Per map, ``(steps, n)`` Pearson correlations, like with like (0 where a map is constant).
    undefined : dict of str to numpy.ndarray
        Per map and step, how many signals had a constant map ``(steps,)``.
    threshold : float
        Mean correlation above which a map fails once every layer is random.
    """

    layers: tuple[str, ...]
    correlations: dict[str, np.ndarray]
    undefined: dict[str, np.ndarray]
    threshold: float

    def mean(self, name: str) -> np.ndarray:
        """Mean correlation over signals at each step ``(steps,)``."""
        return self.correlations[name].mean(axis=1)

    def final(self, name: str) -> float:
        """Mean correlation with every layer randomised."""
        return float(self.mean(name)[-1])

    def passed(self, name: str) -> bool:
        """Whether the map changed enough once the whole model is random."""
        return self.final(name) <= self.threshold


def rank_correlation(original: np.ndarray, randomized: np.ndarray) -> np.ndarray:
    """Spearman correlation per signal of ``|original|`` and ``|randomized|``, flattened; NaN if constant
    (the random-logit score's measure; this check's own is :func:`map_correlation`)."""
    from ..similarity import spearman

    return spearman(np.abs(original), np.abs(randomized))


def map_correlation(original: np.ndarray, randomized: np.ndarray) -> np.ndarray:
    """Pearson correlation per signal of the two maps, flattened, like with like: signed values where both of
    a signal's maps have negative values, magnitudes otherwise; NaN where either is constant. Decided signal
    by signal, so a signal's score does not depend on the others in its chunk."""
    from ..similarity import pearson

    n = len(original)
    a = np.asarray(original, np.float64).reshape(n, -1)
    b = np.asarray(randomized, np.float64).reshape(n, -1)
    both = (_signed_rows(a) & _signed_rows(b))[:, None]
    return pearson(np.where(both, a, np.abs(a)), np.where(both, b, np.abs(b)))


def _signed_rows(values: np.ndarray) -> np.ndarray:
    """Per row, whether it has negative values beyond round-off (``similarity.has_negative``, row by row)."""
    finite = np.where(np.isfinite(values), values, 0.0)
    return finite.min(axis=1, initial=0.0) < -1e-6 * np.abs(finite).max(axis=1, initial=0.0)


def weighted_layers(model: Any) -> list[Any]:
    """Top-level layers holding weights that the check re-initialises, input side first."""
    return [layer for layer in model.layers if _randomizable(layer)]


def reinitialize(layer: Any, rng: np.random.Generator) -> None:
    """Replace the layer's float weights by normal draws with mean 0 and each array's own std."""
    values = []
    for variable, current in zip(layer.weights, layer.get_weights(), strict=True):
        if _is_parameter(variable):
            current = rng.normal(0.0, float(np.std(current)), current.shape).astype(current.dtype)
        values.append(current)
    layer.set_weights(values)


def cascade(model: Any, seed: int) -> Iterator[tuple[str, Any]]:
    """Yield ``(layer name, model)`` after each cascading step; each model is a copy of its own."""
    from ..model.adapter import keras

    layers = weighted_layers(model)
    if not layers:
        raise MethodNotApplicableError("the model has no layers with weights to randomise")

    def copy(weights: list[np.ndarray]) -> Any:
        try:
            clone = keras.models.clone_model(model)
            clone.set_weights(weights)
        except Exception as exc:  # custom layers and wrapped SavedModels cannot always be cloned
            raise MethodNotApplicableError(
                f"cannot copy the model for the randomisation check: {type(exc).__name__}: {exc}",
                "pass --no-randomization to skip it",
            ) from exc
        return clone

    work = copy(model.get_weights())
    positions = {id(layer): index for index, layer in enumerate(model.layers)}
    for layer in reversed(layers):
        reinitialize(work.get_layer(layer.name), np.random.default_rng([seed, positions[id(layer)]]))
        yield layer.name, copy(work.get_weights())


def randomized_adapters(adapter: Any, seed: int) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """As :func:`cascade_adapters`; a multi-input model's randomised adapters get this chunk's other inputs."""
    from ..model.context import bind, has_context

    if not has_context(adapter):
        return cascade_adapters(adapter, seed)
    layers, plain = cascade_adapters(adapter.adapter, seed)
    return layers, tuple(bind(randomized, adapter.context, adapter.means) for randomized in plain)


@functools.lru_cache(maxsize=2)
def cascade_adapters(adapter: Any, seed: int) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The layer randomised at each cascading step and an adapter of the model after it (made once)."""
    from ..model.adapter import ModelAdapter

    if not getattr(adapter, "has_layers", True):
        raise MethodNotApplicableError(
            "the randomisation check needs the model's layers, which a SavedModel folder does not expose",
            "pass --no-randomization, or give the .keras/.h5 model",
        )
    steps = [
        (layer, ModelAdapter(model, **_same_calls(adapter)))
        for layer, model in cascade(adapter.model, seed)
    ]
    return tuple(layer for layer, _ in steps), tuple(randomized for _, randomized in steps)


def _same_calls(adapter: Any) -> dict[str, Any]:
    """The adapter options a randomised copy keeps: batch size, output steps and the signal's input."""
    return {
        "batch_size": adapter.batch_size,
        "output_steps": adapter.output_steps,
        "signal_input": getattr(adapter, "signal_input", None),
    }


def correlations(
    adapters: Sequence[Any],
    methods: Sequence[Any],
    x: np.ndarray,
    targets: np.ndarray,
    reference: dict[str, np.ndarray],
    how: str = "none",
) -> dict[str, np.ndarray]:
    """Per map of ``reference``, ``(steps, n)`` correlations (:func:`map_correlation`) of the maps recomputed
    on each adapter.

    ``how`` is the per-signal scaling the reference maps went through (``explain --normalize``).
    """
    from ..pipeline.chunks import normalize, run_method

    found: dict[str, list[np.ndarray]] = {}
    for randomized in adapters:
        for method in methods:
            for name, values in run_method(method, randomized, x, targets).items():
                if name in reference:
                    found.setdefault(name, []).append(map_correlation(reference[name], normalize(values, how, False)))
    return {name: np.stack(values) for name, values in found.items()}


def randomization_check(
    adapter: Any,
    x: np.ndarray,
    targets: np.ndarray,
    methods: Sequence[Any],
    reference: dict[str, np.ndarray],
    *,
    seed: int = 0,
    threshold: float = 0.9,
    chunk: int = 512,
    normalize: str = "none",
) -> Randomization:
    """Recompute the maps of ``methods`` after each cascading step, ``chunk`` signals at a time, and correlate
    them with ``reference`` (the original maps by name; maps it does not name are ignored)."""
    from ..methods.arrays import batched_rows

    layers, adapters = randomized_adapters(adapter, seed)
    parts = [
        correlations(adapters, methods, x[rows], targets[rows], {k: v[rows] for k, v in reference.items()}, normalize)
        for rows in batched_rows(len(x), chunk)
    ]
    joined = {name: np.concatenate([part[name] for part in parts], axis=1) for name in parts[0]} if parts else {}
    return verdict(layers, joined, threshold)


def verdict(layers: tuple[str, ...], found: dict[str, np.ndarray], threshold: float) -> Randomization:
    """The check's result from ``(steps, n)`` correlations that are NaN where a map was constant."""
    return Randomization(
        layers=tuple(layers),
        correlations={name: np.nan_to_num(values, nan=0.0) for name, values in found.items()},
        undefined={name: np.isnan(values).sum(axis=1) for name, values in found.items()},
        threshold=threshold,
    )


def _is_parameter(variable: Any) -> bool:
    name = str(getattr(variable, "name", "")).rsplit("/", 1)[-1]
    return "float" in str(variable.dtype) and name not in KEPT_WEIGHTS


def _randomizable(layer: Any) -> bool:
    return any(_is_parameter(variable) for variable in layer.weights)
