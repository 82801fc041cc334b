"""The model's propagation steps in execution order, canonized: BatchNormalization folded where that is
exact, an activation layer merged into the linear layer it alone reads, and the marks the rules read (a
linear layer on the raw input, an input that is never negative). See ``graph`` for the steps' kinds.
"""

from __future__ import annotations

from typing import Any

from .graph import L, Step, classify


def walk(model: Any) -> tuple[list[Step], int, int]:
    """The steps of ``model`` (its logit sub-model) in execution order, its input key and output key."""
    steps = []
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if node.operation is None or node.is_input or isinstance(node.operation, L.InputLayer):
                continue
            steps.append(classify(node.operation, node))
    steps = merge_activations(fold_batchnorms(steps))
    mark_first(steps, id(model.inputs[0]))
    mark_nonnegative(steps)
    return steps, id(model.inputs[0]), id(model.outputs[0])


def fold_batchnorms(steps: list[Step]) -> list[Step]:
    """Fold each BatchNormalization into an adjacent linear layer where that is exact (see the module doc)."""
    readers: dict[int, list[Step]] = {}
    for step in steps:
        for key in step.inputs:
            readers.setdefault(key, []).append(step)
    producer = {key: step for step in steps for key in step.outputs}
    kept = []
    for step in steps:
        if step.linear is None or step.linear.kind != "affine":
            kept.append(step)
            continue
        before = producer.get(step.inputs[0])
        after = readers.get(step.outputs[0], [])
        if (
            before is not None
            and before.linear is not None
            and before.linear.kind != "affine"
            and before.linear.post is None
            and before.activation_name == "linear"
            and len(readers.get(step.inputs[0], [])) == 1
        ):
            before.linear.post = step.layer
            before.outputs = step.outputs
            producer[step.outputs[0]] = before
            before.note = f"{step.layer.name} folded in"
            continue
        if (
            len(after) == 1
            and after[0].linear is not None
            and after[0].linear.kind != "affine"
            and after[0].linear.pre is None
            and after[0].linear.conv.get("padding", "valid") == "valid"
        ):
            after[0].linear.pre = step.layer
            after[0].inputs = step.inputs
            after[0].note = f"{step.layer.name} folded in"
            readers.setdefault(step.inputs[0], []).append(after[0])
            continue
        step.note = "not foldable: kept as a per-channel affine layer"
        kept.append(step)
    return kept


def merge_activations(steps: list[Step]) -> list[Step]:
    """An activation layer that alone reads a linear layer without activation becomes that layer's
    activation (Conv → BN → ReLU is then one step, as a fused activation would be): the same for LRP and the
    guided methods, and it lets DeepLIFT's RevealCancel see the linear layer under its nonlinearity."""
    readers: dict[int, int] = {}
    for step in steps:
        for key in step.inputs:
            readers[key] = readers.get(key, 0) + 1
    producer = {key: step for step in steps for key in step.outputs}
    kept = []
    for step in steps:
        before = producer.get(step.inputs[0]) if step.kind == "activation" else None
        if (
            before is not None
            and before.kind == "linear"
            and before.activation_name == "linear"
            and readers.get(step.inputs[0]) == 1
        ):
            before.activation, before.activation_name = step.layer, step.activation_name
            before.outputs = step.outputs
            producer[step.outputs[0]] = before
            before.note = "; ".join(filter(None, [before.note, f"{step.layer.name} merged in"]))
            continue
        kept.append(step)
    return kept


def mark_first(steps: list[Step], input_key: int) -> None:
    """Mark the linear layers that read the model input through routes and identities only."""
    raw = {input_key}
    for step in steps:
        if not any(key in raw for key in step.inputs):
            continue
        if step.kind == "linear":
            step.first = True
        elif step.kind in ("route", "identity"):
            raw.update(step.outputs)


NONNEGATIVE_ACTIVATIONS = ("relu", "relu6", "sigmoid", "softplus")


def mark_nonnegative(steps: list[Step]) -> None:
    """Mark the linear layers whose input cannot be negative: it comes from a ReLU-like activation through
    layers that keep signs (routes, identities, pooling, sums)."""
    nonnegative: set[int] = set()
    for step in steps:
        if step.kind == "linear":
            step.nonnegative_input = step.inputs[0] in nonnegative
            if step.activation_name in NONNEGATIVE_ACTIVATIONS:
                nonnegative.update(step.outputs)
        elif step.kind == "activation":
            leaky = float(getattr(step.layer, "negative_slope", 0.0) or 0.0) != 0.0
            if step.activation_name in NONNEGATIVE_ACTIVATIONS and not leaky:
                nonnegative.update(step.outputs)
        elif all(key in nonnegative for key in step.inputs):
            nonnegative.update(step.outputs)
