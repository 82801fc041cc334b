"""The SmoothGrad family's statistic over each signal's noisy copies, reduced inside the compiled gradient call.

``methods/noise_tunnel.py`` sends a block of signals' noisy copies (``m`` consecutive copies a signal) and gets
back one array a signal: the mean, the mean square or the (population) variance of the logit gradient over its
copies. Only the statistic leaves the call, not every copy's gradient, and numpy reduces nothing. Only for the
raw gradient of a Keras adapter without other inputs (``model.context``): a smoothed method (``--smooth``) and a
multi-input model keep the noise tunnel's numpy path. The reduction order differs from numpy's, so the two
agree to float32 round-off, not bit for bit.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

STATISTICS = ("mean", "squared", "variance")

_CALLS: weakref.WeakKeyDictionary[Any, dict[tuple[str, int], Callable[..., Any]]] = weakref.WeakKeyDictionary()


def reduces_in_graph(adapter: Any) -> bool:
    """Whether ``adapter``'s gradient call can be built with the statistic inside it."""
    from .context import has_context

    return (
        getattr(adapter, "_gradients_impl", None) is not None  # the Keras adapter (a test's fake has no graph)
        and not has_context(adapter)
        and not getattr(adapter, "context_inputs", ())
    )


def noisy_statistic(adapter: Any, noisy: np.ndarray, targets: np.ndarray, m: int, statistic: str) -> np.ndarray:
    """``statistic`` of ``∂ logit[target] / ∂x`` over each signal's ``m`` copies: ``noisy`` ``(k × m, L, C)``
    float32, ``targets`` ``(k,)`` one a signal; ``(k, L, C)`` float32. One compiled call (however many
    copies: the caller keeps a block within the batch size)."""
    from .adapter import tf

    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic!r}: one of {', '.join(STATISTICS)}")
    calls = _CALLS.setdefault(adapter, {})
    if (statistic, m) not in calls:
        calls[statistic, m] = adapter._compile(
            _statistic_call(adapter, m, statistic), adapter._input_spec, adapter._target_spec
        )
    copies_targets = np.repeat(np.asarray(targets, np.int32), m)
    return calls[statistic, m](tf.constant(noisy, tf.float32), tf.constant(copies_targets)).numpy()


def _statistic_call(adapter: Any, m: int, statistic: str) -> Callable[..., Any]:
    from .adapter import tf

    def call(x: Any, target: Any) -> Any:
        grads = adapter._gradients_impl(x, target)[0]
        copies = tf.reshape(grads, tf.concat([[-1, m], tf.shape(grads)[1:]], axis=0))  # (k, m, L, C)
        if statistic == "mean":
            return tf.reduce_mean(copies, axis=1)
        if statistic == "squared":
            return tf.reduce_mean(tf.square(copies), axis=1)
        return tf.math.reduce_variance(copies, axis=1)  # ddof 0, as numpy's var and Adebayo et al.'s VarGrad

    return call
