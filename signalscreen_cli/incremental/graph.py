"""The split of a Keras model into a local prefix and a head, read off its graph.

A layer is *local* when its output at a position depends on a bounded neighbourhood of its inputs and it
sits on local inputs only: element-wise layers (activations, BatchNorm in inference, Dropout and noise,
LayerNorm and Softmax over channels), sliding layers (Conv1D with any padding, stride and dilation,
SeparableConv1D, DepthwiseConv1D, max pooling, valid average pooling) and merges of local branches (Add,
Concatenate over channels …). The first layer that is not ends the prefix on its path; it and everything
after it form the head, which runs on the spliced activations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..model.adapter import keras
from .geometry import Layer

POINTWISE_NAMES = (
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Dropout",
    "SpatialDropout1D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "Identity",
)
MERGE_NAMES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
CONV_NAMES = ("Conv1D", "SeparableConv1D", "DepthwiseConv1D")
CHANNEL_AXES = (-1, 2)


@dataclass(frozen=True)
class Step(Layer):
    """One local layer call: its geometry (``kind`` is ``pointwise``, ``sliding`` or ``merge``; ``inputs`` and
    ``output`` are the ids of the graph's tensors) and the Keras ``layer`` it calls.

    ``fill`` is what a sliding step's padding holds (``-inf`` for a max pool); a copy runs a sliding step as
    ``window_layer``, a copy of the layer with ``valid`` padding, on an input range already padded.
    """

    layer: Any = None
    fill: float = 0.0


@dataclass
class Split:
    """A model cut into its local prefix (``steps``, in order) and its head (``head_nodes``, in order).

    ``source`` is the input tensor's id, ``output`` the model output's; ``frontier`` the local tensors the
    head reads in full; ``pooled`` the head's global pools over a local tensor, as ``(node, average|max)``:
    they are computed from the span and reductions of the cache instead.
    """

    source: int
    output: Any
    steps: list[Step] = field(default_factory=list)
    head_nodes: list[Any] = field(default_factory=list)
    frontier: list[int] = field(default_factory=list)
    pooled: list[tuple[Any, str]] = field(default_factory=list)
    head_start: str = ""

    @property
    def has_sliding(self) -> bool:
        return any(step.kind == "sliding" for step in self.steps)


def _is(layer: Any, names: tuple[str, ...]) -> bool:
    """The layer is exactly one of these Keras classes (a subclass may compute anything)."""
    return any(type(layer) is cls for cls in (getattr(keras.layers, name, None) for name in names) if cls)


def _channel_axis_only(axis: Any) -> bool:
    axes = axis if isinstance(axis, list | tuple) else [axis]
    return len(axes) == 1 and axes[0] in CHANNEL_AXES


def _sliding(layer: Any) -> Step | None:
    """The sliding step of a conv or pooling layer it can window exactly, else ``None``."""
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        return None
    if _is(layer, CONV_NAMES):
        if getattr(layer, "groups", 1) != 1 or layer.padding not in ("valid", "same", "causal"):
            return None
        kernel, stride, dilation, fill = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0], 0.0
    elif _is(layer, ("MaxPooling1D", "AveragePooling1D")):
        # TensorFlow's 'same' average pool divides by the positions inside the signal only: not a valid
        # pool over a padded range, so such a pool ends the prefix.
        if _is(layer, ("AveragePooling1D",)) and layer.padding != "valid":
            return None
        kernel, stride, dilation = layer.pool_size[0], layer.strides[0], 1
        fill = float("-inf") if _is(layer, ("MaxPooling1D",)) else 0.0
    else:
        return None
    return Step("sliding", (), 0, kernel, stride, dilation, layer.padding, layer=layer, fill=fill)


def _local_step(layer: Any, inputs: list[Any]) -> Step | None:
    if not all(len(tensor.shape) == 3 for tensor in inputs):
        return None
    if len(inputs) > 1 or _is(layer, (*MERGE_NAMES, "Concatenate")):
        if _is(layer, MERGE_NAMES) or (_is(layer, ("Concatenate",)) and _channel_axis_only(layer.axis)):
            return Step("merge", (), 0, layer=layer)
        return None
    if _is(layer, POINTWISE_NAMES):
        return Step("pointwise", (), 0, layer=layer)
    if _is(layer, ("BatchNormalization", "LayerNormalization", "Softmax")):
        return Step("pointwise", (), 0, layer=layer) if _channel_axis_only(layer.axis) else None
    return _sliding(layer)


def _global_pool(layer: Any) -> str | None:
    """``average`` or ``max`` for a global pool over positions, channels last."""
    if getattr(layer, "data_format", None) != "channels_last":
        return None
    if _is(layer, ("GlobalAveragePooling1D",)):
        return "average"
    return "max" if _is(layer, ("GlobalMaxPooling1D",)) else None


def _plain_call(node: Any) -> bool:
    """A call with its tensors as the only arguments (Keras' own ``mask=None`` aside)."""
    extra = {key: value for key, value in node.arguments.kwargs.items() if value is not None}
    return not extra and len(node.arguments.args) == 1 and len(node.outputs) == 1


def split_model(model: Any) -> Split:
    """The local prefix and the head of ``model`` (one input, one output)."""
    graph = getattr(model, "_functional", None) if isinstance(model, keras.Sequential) else model
    if graph is None or not hasattr(graph, "_nodes_by_depth"):  # no graph to read: all of it is head
        return Split(id(model.inputs[0]), model.outputs[0], head_start="its first layer")
    source = id(graph.inputs[0])
    split = Split(source, graph.outputs[0])
    local = {source}
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for node in graph._nodes_by_depth[depth]:
            if not node.operation or node.is_input:
                continue
            inputs = list(node.input_tensors)
            step = None
            if all(id(tensor) in local for tensor in inputs) and _plain_call(node):
                step = _local_step(node.operation, inputs)
            if step is None:
                split.head_start = split.head_start or node.operation.name
                pool = _global_pool(node.operation)
                if pool and id(inputs[0]) in local and _plain_call(node):
                    split.pooled.append((node, pool))
                    continue
                split.head_nodes.append(node)
                split.frontier += [id(t) for t in inputs if id(t) in local and id(t) not in split.frontier]
                continue
            step = replace(step, inputs=tuple(id(tensor) for tensor in inputs), output=id(node.outputs[0]))
            local.add(step.output)
            split.steps.append(step)
    if id(split.output) in local and id(split.output) not in split.frontier:
        split.frontier.append(id(split.output))
    return split


def window_layer(step: Step, input_shape: tuple[int, ...]) -> Any:
    """A copy of a sliding step's layer with ``valid`` padding and the same weights."""
    layer = step.layer
    config = {**layer.get_config(), "padding": "valid", "name": f"{layer.name}_window"}
    twin = type(layer).from_config(config)
    twin.build(input_shape)
    twin.set_weights(layer.get_weights())
    return twin


def layer_geometry(step: Step) -> Layer:
    """The step's geometry, with its multiply-adds per output position and output channels (cost model)."""
    layer = step.layer
    channels = int(layer.output.shape[-1])
    work = float(sum(int(np.prod(w.shape)) for w in layer.get_weights() if len(w.shape) > 1))
    if not work:  # pools, merges, element-wise layers: about one operation per value read
        work = float(step.kernel * channels * max(1, len(step.inputs)))
    return replace(step, work=work, channels=channels)
