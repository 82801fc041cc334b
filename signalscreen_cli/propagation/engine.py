"""One forward and one modified backward pass over the model's graph, compiled once per adapter and rule set.

``propagate(adapter, x, targets, backward, reference)`` returns the input map ``(n, L, C)``, the target's
logit and, for DeepLIFT, the reference's logit, batch by batch through one ``tf.function`` with the adapter's
fixed input signature. Two kinds of backward pass: ``relevance.relevance_pass`` (LRP: relevance
``R = logit · onehot(target)`` goes down through each layer's rule) and ``multipliers.multiplier_pass``
(DeepLIFT, guided backprop, deconvnet: the target logit's gradient with the nonlinearities overridden; the map
is the multiplier times ``x − x₀`` for DeepLIFT, the multiplier itself otherwise).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from ..errors import MethodNotApplicableError
from ..model.compiled import compiled
from .calls import carried, forward
from .canonizer import walk
from .composites import Backward, rule_for
from .graph import RELU_LIKE, Step
from .multipliers import multiplier_pass
from .relevance import relevance_pass

_compiled: weakref.WeakKeyDictionary[Any, dict[Backward, Callable[..., Any]]] = weakref.WeakKeyDictionary()
_graphs: weakref.WeakKeyDictionary[Any, tuple[list[Step], int, int]] = weakref.WeakKeyDictionary()


def graph_of(adapter: Any) -> tuple[list[Step], int, int]:
    """The adapter's logit graph as steps (walked once); a model without visible layers is refused."""
    if not getattr(adapter, "has_layers", False) or not hasattr(adapter, "_logit_model"):
        raise MethodNotApplicableError(
            "the propagation methods need the model's layers, which this model does not expose",
            "give the .keras/.h5 model, or use saliency, integrated_gradients or occlusion",
        )
    if getattr(adapter, "context_inputs", ()):
        names = ", ".join(item.name for item in adapter.context_inputs)
        raise MethodNotApplicableError(
            f"the propagation methods follow the signal input alone, and this model has other inputs ({names})",
            "use saliency, gradient_x_input, integrated_gradients, occlusion or gradcam",
        )
    if adapter not in _graphs:
        _graphs[adapter] = walk(adapter._logit_model)
    return _graphs[adapter]


def layer_rules(adapter: Any, backward: Backward) -> dict[str, str]:
    """What the pass applies to each layer, for the manifest."""
    steps, _, _ = graph_of(adapter)
    applied = {}
    for step in steps:
        if step.kind == "linear" and backward.mode == "lrp":
            kind = step.linear.kind if step.linear else "dense"
            text = rule_for(backward, kind, step.first)
        elif step.kind == "linear" and backward.reveal_cancel and step.activation_name != "linear":
            text = f"revealcancel ({step.activation_name})"
        elif step.kind == "linear" or step.kind == "activation":
            text = nonlinearity(backward.mode, step.activation_name)
        elif backward.mode == "lrp":
            text = {"maxpool": "winner takes all", "proportional": "proportional share", "route": "routed"}.get(
                step.kind, "passed on"
            )
        elif step.kind == "maxpool" and backward.mode == "deeplift":
            text = "rescale at the winner"
        else:
            text = "passed on" if step.kind == "identity" else "gradient (linear)"
        applied[step.layer.name] = f"{text}; {step.note}" if step.note else text
    return applied


def nonlinearity(mode: str, name: str) -> str:
    if mode == "lrp" or name == "linear":
        return "linear" if mode != "lrp" else "relevance passed through the activation"
    if mode == "deeplift":
        return f"rescale ({name})"
    if mode in ("guided", "deconvnet") and name in RELU_LIKE:
        return f"{mode} ({name})"
    return f"gradient ({name})"


def propagate(
    adapter: Any,
    x: np.ndarray,
    targets: np.ndarray,
    backward: Backward,
    reference: np.ndarray | None = None,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The input map ``(n, L, C)``, the target logit at ``x`` and at ``reference`` (zeros when not used).

    ``reference`` is DeepLIFT's ``x₀`` (shaped like ``x``, required for it); ``bounds`` the z^B rule's
    ``(low, high)`` per signal, ``(n,)`` each (each signal's minimum and maximum when not given).
    """
    graph_of(adapter)
    extras: tuple[np.ndarray, ...] = ()
    specs = [adapter._input_spec, adapter._target_spec]
    if backward.mode == "deeplift":
        extras, specs = (shared_or_each(np.asarray(reference, np.float32)),), [*specs, adapter._input_spec]
    elif backward.mode == "lrp":
        low, high = bounds if bounds is not None else (x.min(axis=(1, 2)), x.max(axis=(1, 2)))
        extras = (np.asarray(low, np.float32), np.asarray(high, np.float32))
        specs = [*specs, tf.TensorSpec((None,), tf.float32), tf.TensorSpec((None,), tf.float32)]
    cache = _compiled.setdefault(adapter, {})
    if backward not in cache:
        # quiet: evaluate's randomisation builds one adapter per layer, each traced once
        cache[backward] = compiled(lambda *args: _pass(adapter, backward, *args), specs, adapter.jit, quiet=True)
    call = cache[backward]
    maps, logits, references = [], [], []
    for start in range(0, len(x), adapter.batch_size):
        rows = slice(start, start + adapter.batch_size)
        given = [tf.constant(extra if len(extra) == 1 else extra[rows]) for extra in extras]
        m, z, z0 = call(tf.constant(x[rows]), tf.constant(targets[rows], tf.int32), *given)
        maps.append(m.numpy())
        logits.append(z.numpy())
        references.append(z0.numpy())
    if not maps:
        return np.zeros_like(x), np.zeros(0, np.float32), np.zeros(0, np.float32)
    return np.concatenate(maps), np.concatenate(logits), np.concatenate(references)


def shared_or_each(reference: np.ndarray) -> np.ndarray:
    """One row when every signal has the same reference (the zero, dataset-mean and file baselines): its
    forward pass then runs once per batch, not once per signal, and broadcasts."""
    return reference[:1] if len(reference) > 1 and bool((reference == reference[:1]).all()) else reference


def _pass(
    adapter: Any, backward: Backward, x: tf.Tensor, target: tf.Tensor, *extras: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    steps, input_key, output_key = graph_of(adapter)
    n = tf.shape(x)[0]
    model_in = adapter._to_model(x)
    values, pre = forward(steps, input_key, model_in)
    out = values[output_key]
    mask = target_mask(adapter, out, target)
    chosen = tf.reduce_sum(tf.reshape(out * mask, (n, -1)), axis=1)
    chosen_ref = tf.zeros_like(chosen)
    if backward.mode == "lrp":
        full = [bound[:, None, None] * tf.ones_like(x) for bound in extras]
        low, high = (carried(steps, input_key, adapter._to_model(bound)) for bound in full)
        result = relevance_pass(steps, input_key, output_key, values, pre, out * mask, backward, low, high)
    elif backward.mode == "deeplift":
        # the reference's own forward pass (not one doubled batch: slicing it back apart costs more), of one
        # row when the reference is shared
        reference_in = adapter._to_model(extras[0])
        reference = forward(steps, input_key, reference_in)
        chosen_ref = tf.reduce_sum(tf.reshape(reference[0][output_key] * mask, (n, -1)), axis=1)
        result = multiplier_pass(
            steps, input_key, output_key, (values, pre), mask, "deeplift", reference, backward.reveal_cancel
        )
        result = result * (model_in - reference_in)
    else:
        result = multiplier_pass(steps, input_key, output_key, (values, pre), mask, backward.mode)
    if not adapter.takes_channel_axis:
        result = result[:, :, None]
    return result, chosen, chosen_ref


def target_mask(adapter: Any, out: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """One at the target's logit (over its output steps for a per-step model), zero elsewhere."""
    hot = tf.one_hot(target, adapter.n_outputs, dtype=out.dtype)
    if adapter.output_steps is None:
        return hot
    start, stop = adapter.output_steps
    steps = tf.range(tf.shape(out)[1])
    inside = tf.cast((steps >= start) & (steps < (stop if stop is not None else tf.shape(out)[1])), out.dtype)
    return inside[None, :, None] * hot[:, None, :]
