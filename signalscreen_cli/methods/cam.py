"""Class-activation maps on a 1D convolution layer: Grad-CAM, Grad-CAM++ and Score-CAM.

Each returns ``<name>`` ``(n, L)`` (resized to the input) and ``<name>_raw`` ``(n, L')`` at the layer's
resolution; all three use the same layer choice (``--layer``, default: the last Conv1D).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..params import Parameters, param
from .base import Adapter, Method

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class LayerParameters(Parameters):
    layer: str | None = param(
        None, "Conv layer name or index for the CAM methods (default: last Conv1D).", metavar="NAME|INDEX"
    )
    relu: bool = param(True, "Apply ReLU to the CAM methods' maps.")


def upsample_half_pixel(maps: np.ndarray, length: int) -> np.ndarray:
    """Linear resize of ``(n, L')`` maps to ``(n, length)`` with half-pixel centres.

    Output sample ``i`` reads the map at ``(i + 0.5) * L' / length - 0.5``, clamped to the map's ends,
    as ``tf.image.resize`` does.
    """
    import numpy as np

    left, right, frac = half_pixel_taps(maps.shape[1], length)
    return (maps[:, left] * (1 - frac) + maps[:, right] * frac).astype(np.float32)


def half_pixel_taps(source_length: int, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two source samples each output sample reads, and the weight of the right one (float32)."""
    import numpy as np

    where = (np.arange(length) + 0.5) * source_length / length - 0.5
    where = np.clip(where, 0, source_length - 1)
    left = np.floor(where).astype(np.int64)
    right = np.minimum(left + 1, source_length - 1)
    return left, right, (where - left).astype(np.float32)


def gradcam_weights(activations: Any, grads: Any, ops: Any) -> Any:
    """Grad-CAM's channel weights: the time-mean of the gradients."""
    return ops.mean(grads, axis=1)


def gradcam_plus_plus_weights(activations: Any, grads: Any, ops: Any) -> Any:
    """Grad-CAM++'s channel weights ``Σ_t α_t ReLU(g_t)``.

    ``α·ReLU(g) = g / (2 + Σ_t A_t · g)`` where ``g > 0`` (the ``g²`` cancels), and 0 elsewhere; where the
    denominator is zero, α is defined as 0.
    """
    denominator = 2 + ops.sum(activations, axis=1, keepdims=True) * grads
    return ops.sum(ops.divide_no_nan(ops.maximum(grads, 0), denominator), axis=1)


class _LayerMethod(Method):
    family = "layer"
    Parameters = LayerParameters
    params: LayerParameters

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        from .arrays import check_inputs

        x, targets = check_inputs(x, targets, adapter.n_outputs)
        raw, resized = self._maps(adapter, x, targets, adapter.resolve_layer(self.layer))
        return {self.name: resized, f"{self.name}_raw": raw}

    def _maps(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray, layer: str) -> tuple[np.ndarray, ...]:
        """The maps at the layer's resolution and resized to the input."""
        raise NotImplementedError

    def not_applicable(self, adapter: Adapter) -> str | None:
        from ..errors import MethodNotApplicableError

        try:
            adapter.resolve_layer(self.layer)
        except MethodNotApplicableError as error:
            return error.message
        return None


class _GradientWeighted(_LayerMethod):
    """A CAM whose channel weights come from the gradients; computed inside the adapter's compiled call."""

    weighting: ClassVar[Callable[[Any, Any, Any], Any]]

    def _maps(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray, layer: str) -> tuple[np.ndarray, ...]:
        return adapter.layer_maps(x, layer, targets, type(self).weighting, self.relu)


class GradCAM(_GradientWeighted):
    """Conv activations weighted by their time-averaged gradients, per sample, resized to the input.

    Grad-CAM (Selvaraju et al. 2017): ``ReLU(Σ_k α_k A_k)``, ``α_k`` = time-mean of ``∂ logit / ∂A_k``,
    per sample.
    """

    name = "gradcam"
    paper = "Selvaraju et al. 2017, Grad-CAM"
    weighting = staticmethod(gradcam_weights)


class GradCAMPlusPlus(_GradientWeighted):
    """Conv activations weighted by positive gradients with second-order pixel weights.

    Grad-CAM++ (Chattopadhay et al. 2018), with the exponential-score closed form of its Eq. 19:
    ``α = g² / (2g² + Σ_t A_t · g³)``, ``w_k = Σ_t α_t ReLU(g_t)``, ``g = ∂ logit / ∂A``.
    """

    name = "gradcam_plus_plus"
    paper = "Chattopadhay et al. 2018, Grad-CAM++"
    weighting = staticmethod(gradcam_plus_plus_weights)


class ScoreCAM(_LayerMethod):
    """Conv activations weighted by the target's output on the input masked by each activation.

    Score-CAM (Wang et al. 2020): each channel's activation, resized and min-max scaled to [0, 1], masks
    the input; its weight is the model's output for the target on the masked input.

    Masked copies go through the perturbation engine, ``perturbation.copies_per_call`` at a time, so memory
    stays bounded.
    """

    name = "scorecam"
    paper = "Wang et al. 2020, Score-CAM"

    def _maps(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray, layer: str) -> tuple[np.ndarray, ...]:
        import numpy as np

        from .perturbation import perturbed_scores

        activations = adapter.layer_activations(x, layer)
        n, source_length, channels = activations.shape
        by_copy = np.ascontiguousarray(np.swapaxes(activations, 1, 2)).reshape(n * channels, source_length)
        left, right, frac = half_pixel_taps(source_length, x.shape[1])
        keep = 1 - frac

        def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
            # upsample_half_pixel and the min-max scaling, in place over one block's rows (the same values)
            samples = np.arange(block.start, block.stop) // channels
            rows = by_copy[block]
            masks = np.take(rows, left, axis=1)
            masks *= keep
            masks += np.take(rows, right, axis=1) * frac
            low = masks.min(axis=1, keepdims=True)
            span = masks.max(axis=1, keepdims=True) - low
            masks -= low
            masks /= np.where(span > 0, span, 1)  # a flat channel's mask is zeros, as (m - low) is
            copies = np.take(x, samples, axis=0)
            copies *= masks[:, :, None]
            return copies, targets[samples]

        weights = perturbed_scores(adapter, n * channels, build, x.shape[1:]).reshape(n, channels)
        raw = np.einsum("nlk,nk->nl", activations, weights).astype(np.float32)
        if self.relu:
            raw = np.maximum(raw, 0.0)
        return raw, upsample_half_pixel(raw, x.shape[1])
