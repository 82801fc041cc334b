"""LRP-ε and DeepLIFT (Rescale) written by hand, in one graph, for the plain stacks the benchmarks use.

The floor of a modified-backward method beside the gradient pass: the same forward pass and transposed
convolutions, plus the rule's own arithmetic at each layer (LRP-ε's ``s = R / (z + ε·sign z)`` and ``R = a·c``;
DeepLIFT's ``Δy/Δz`` at each ReLU and its winner rule at each tiling max-pool), with nothing the package's
engine adds for generality (its walk of any graph, BatchNorm folding, the other rules). For a Sequential model
of Conv1D (ReLU or linear), tiling MaxPooling1D, GlobalAveragePooling1D and a last Dense (its softmax cut off,
as the package does). ``check`` proves each hand-written pass computes the package's maps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

EPSILON = 0.25  # LRP-ε's default stabiliser (``--lrp-epsilon``)
TINY = 1e-9  # the z-rule's stabiliser at the average pool, as the package's
RESCALE_BELOW = 1e-6  # DeepLIFT: the gradient where |Δz| is below this


def layers_of(model: Any) -> list[tuple[str, Any]]:
    """(kind, layer) of each layer: conv, maxpool, gap, dense; refuses what the hand-written passes lack."""
    import keras

    kinds = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv1D) and layer.padding in ("same", "valid") and layer.strides == (1,):
            kinds.append(("conv", layer))
        elif isinstance(layer, keras.layers.MaxPooling1D) and layer.pool_size == layer.strides:
            kinds.append(("maxpool", layer))
        elif isinstance(layer, keras.layers.GlobalAveragePooling1D):
            kinds.append(("gap", layer))
        elif isinstance(layer, keras.layers.Dense):
            kinds.append(("dense", layer))
        elif isinstance(layer, keras.layers.Activation) and layer is model.layers[-1]:
            continue  # the softmax after the logits
        else:
            raise ValueError(f"the hand-written passes do not cover {type(layer).__name__} {layer.name!r}")
    return kinds


def _conv(layer: Any, a: Any) -> Any:
    import tensorflow as tf

    return tf.nn.conv1d(a, layer.kernel, 1, layer.padding.upper()) + layer.bias


def _forward(kinds: list[tuple[str, Any]], x: Any) -> tuple[list[Any], list[Any], Any]:
    """Each layer's input and pre-activation, and the logits."""
    import tensorflow as tf

    inputs, pre, a = [], [], x
    for kind, layer in kinds:
        inputs.append(a)
        if kind == "conv":
            z = _conv(layer, a)
            a = tf.nn.relu(z) if layer.activation.__name__ == "relu" else z
        elif kind == "maxpool":
            z = a = tf.nn.max_pool1d(a, layer.pool_size[0], layer.pool_size[0], "VALID")
        elif kind == "gap":
            z = a = tf.reduce_mean(a, axis=1)
        else:
            z = a = tf.matmul(a, layer.kernel) + layer.bias
        pre.append(z)
    return inputs, pre, a


def _transpose(layer: Any, like: Any, s: Any) -> Any:
    """``Σ_j w_ij s_j``: the convolution's or the Dense layer's transpose."""
    import tensorflow as tf

    if len(layer.kernel.shape) == 2:
        return tf.matmul(s, layer.kernel, transpose_b=True)
    return tf.nn.conv1d_transpose(s, layer.kernel, tf.shape(like), 1, layer.padding.upper())


def _routes(layer: Any, a: Any, cotangent: Any) -> Any:
    """Max-pooling's gradient: ``cotangent`` sent to each window's winner."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(a)
        out = tf.nn.max_pool1d(a, layer.pool_size[0], layer.pool_size[0], "VALID")
    return tape.gradient(out, a, output_gradients=cotangent)


def lrp_epsilon_pass(model: Any) -> Callable[[Any, Any], Any]:
    """LRP-ε on every linear layer (the package's default), the z-rule at the average pool, winner takes all."""
    import tensorflow as tf

    kinds = layers_of(model)

    def stabilized(z: Any, epsilon: float) -> Any:
        return z + tf.where(z >= 0, epsilon, -epsilon)

    def relevance(x: Any, target: Any) -> Any:
        inputs, pre, logits = _forward(kinds, x)
        r = logits * tf.one_hot(target, logits.shape[-1])
        for (kind, layer), a, z in zip(reversed(kinds), reversed(inputs), reversed(pre), strict=True):
            if kind in ("conv", "dense"):
                r = a * _transpose(layer, a, r / stabilized(z, EPSILON))
            elif kind == "gap":
                s = r / stabilized(z, TINY)
                r = a * (s[:, None, :] / float(a.shape[1]))
            else:
                r = _routes(layer, a, r)
        return r

    return relevance


def deeplift_pass(model: Any) -> Callable[[Any, Any, Any], Any]:
    """DeepLIFT Rescale against a reference of one row (shared by every signal): the map ``m · (x − x₀)``."""
    import tensorflow as tf

    kinds = layers_of(model)

    def window_sum(values: Any, size: int) -> Any:
        return tf.nn.avg_pool1d(values, size, size, "VALID") * float(size)

    def multipliers(x: Any, target: Any, x0: Any) -> Any:
        inputs, pre, logits = _forward(kinds, x)
        inputs0, pre0, _ = _forward(kinds, x0)
        m = tf.one_hot(target, logits.shape[-1])
        for index in range(len(kinds) - 1, -1, -1):
            (kind, layer), a, z = kinds[index], inputs[index], pre[index]
            a0, z0 = inputs0[index], pre0[index]
            if kind == "conv":
                if layer.activation.__name__ == "relu":
                    dz, dy = z - z0, tf.nn.relu(z) - tf.nn.relu(z0)
                    gradient = tf.where(z > 0, m, tf.zeros_like(m))
                    m = tf.where(tf.abs(dz) > RESCALE_BELOW, m * tf.math.divide_no_nan(dy, dz), gradient)
                m = _transpose(layer, a, m)
            elif kind == "dense":
                m = _transpose(layer, a, m)
            elif kind == "gap":
                m = tf.broadcast_to(m[:, None, :], tf.shape(a)) / float(a.shape[1])
            else:  # a tiling max-pool: each window's m·Δy to the winner of x (or of x₀ where its Δx is ~0)
                size = layer.pool_size[0]
                a0 = tf.broadcast_to(a0, tf.shape(a))
                dx, dy = a - a0, z - pre0[index]
                ones = tf.ones_like(m)
                dx_x = window_sum(_routes(layer, a, ones) * dx, size)  # Δx at each window's winner of x
                dx_x0 = window_sum(_routes(layer, a0, ones) * dx, size)  # and at the winner of x₀
                use_x, use_x0 = tf.abs(dx_x) > RESCALE_BELOW, tf.abs(dx_x0) > RESCALE_BELOW
                through_x = tf.where(use_x, m * tf.math.divide_no_nan(dy, dx_x), tf.where(use_x0, tf.zeros_like(m), m))
                through_x0 = tf.where(use_x | ~use_x0, tf.zeros_like(m), m * tf.math.divide_no_nan(dy, dx_x0))
                m = _routes(layer, a, through_x) + _routes(layer, a0, through_x0)
        return m * (x - x0)

    return multipliers


def batched(adapter: Any, function: Callable[..., Any], x: np.ndarray, targets: np.ndarray, *shared: Any) -> Any:
    """``function`` compiled for the adapter's signature, run batch by batch; the maps concatenated."""
    import tensorflow as tf

    specs = [adapter._input_spec, adapter._target_spec] + [adapter._input_spec] * len(shared)
    compiled = tf.function(function, input_signature=specs, autograph=False).get_concrete_function()
    constants = [tf.constant(value) for value in shared]

    def run() -> np.ndarray:
        parts = []
        for start in range(0, len(x), adapter.batch_size):
            rows = slice(start, start + adapter.batch_size)
            parts.append(compiled(tf.constant(x[rows]), tf.constant(targets[rows], tf.int32), *constants).numpy())
        return np.concatenate(parts)

    return run


def check(hand: np.ndarray, package: np.ndarray, name: str) -> None:
    """The hand-written pass must compute the package's maps (float32 round-off)."""
    scale = float(np.abs(package).max()) or 1.0
    difference = float(np.abs(hand - package).max()) / scale
    if difference > 1e-4:
        raise AssertionError(f"{name} by hand differs from the package's by {difference:.2e} of its largest value")
