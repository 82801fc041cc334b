"""The LRP backward pass: relevance from the target logit down to the input, layer by layer.

Linear layers apply their rule (``rules.lrp_linear``), elementwise activations and identities pass it on,
routes and max-pooling move it as their vector-Jacobian product does (winner takes all), averages and sums
share it in proportion (the z-rule). Imported by the engine only (TensorFlow).
"""

from __future__ import annotations

import tensorflow as tf

from .calls import add, vjp
from .composites import Backward, rule_for
from .graph import Step
from .rules import TINY, lrp_linear, stabilize


def relevance_pass(
    steps: list[Step],
    input_key: int,
    output_key: int,
    values: dict[int, tf.Tensor],
    pre: dict[int, tf.Tensor],
    start: tf.Tensor,
    backward: Backward,
    low: dict[int, tf.Tensor],
    high: dict[int, tf.Tensor],
) -> tf.Tensor:
    relevance = {output_key: start}
    for step in reversed(steps):
        r = relevance.pop(step.outputs[0], None)
        if r is None:
            continue
        if step.kind == "linear":
            kernel, bias = step.linear.weights()
            rule = rule_for(backward, step.linear.kind, step.first)
            key = step.inputs[0]
            known = (low.get(key), high.get(key), pre[step.outputs[0]], step.nonnegative_input)
            shares = [lrp_linear(rule, backward, step.linear, kernel, bias, values[key], r, *known)]
        elif step.kind in ("activation", "identity"):
            shares = [r]
        elif step.kind in ("route", "maxpool"):
            shares = vjp(step, values, r)
        else:  # proportional: z-rule over the inputs of an average or a sum
            s = r / stabilize(values[step.outputs[0]], TINY)
            shares = [values[key] * g for key, g in zip(step.inputs, vjp(step, values, s), strict=True)]
        for key, share in zip(step.inputs, shares, strict=True):
            add(relevance, key, share)
    return relevance.get(input_key, tf.zeros_like(values[input_key]))
