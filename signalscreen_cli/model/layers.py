"""A model's layers as ``inspect`` lists them, and the layer a CAM method uses (by default, a name or an index).

Imported by ``model.adapter`` after its quiet TensorFlow import; it reads the Keras layers it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import MethodNotApplicableError
from .graph import is_conv


@dataclass(frozen=True)
class LayerInfo:
    """One layer as ``inspect`` shows it.

    Attributes
    ----------
    index, name, kind : int, str, str
        Position in ``model.layers``, layer name and class name.
    output_shape : tuple
        Output shape without the batch axis.
    parameters : int
        Number of weights.
    is_conv : bool
        Whether the layer is a 1D convolution usable by the CAM methods.
    """

    index: int
    name: str
    kind: str
    output_shape: tuple[int | None, ...]
    parameters: int
    is_conv: bool


def layer_infos(model: Any) -> list[LayerInfo]:
    """Top-level layers in order, with output shapes and parameter counts."""
    infos = []
    for index, layer in enumerate(model.layers):
        try:
            shape = tuple(layer.output.shape[1:])
        except (AttributeError, ValueError):
            shape = ()
        kind, parameters = type(layer).__name__, int(layer.count_params())
        infos.append(LayerInfo(index, layer.name, kind, shape, parameters, is_conv(layer)))
    return infos


def resolve_layer(adapter: Any, layer: str | int | None) -> str:
    """The layer of ``adapter``'s model a CAM method uses: by default the last conv layer on the main path; a
    name or index overrides."""
    if not adapter.has_layers:
        raise MethodNotApplicableError(
            "a SavedModel folder exposes no layers, which the CAM methods need",
            "use occlusion, saliency or integrated_gradients, or give the .keras/.h5 model",
        )
    convs = adapter.conv_layers()
    if layer is None:
        if not convs:
            raise MethodNotApplicableError(
                "the model has no Conv1D layer, which the CAM methods need",
                "use occlusion, saliency or integrated_gradients, or name a layer with --layer",
            )
        return adapter.default_cam_layer()[0]
    names = [existing.name for existing in adapter.model.layers]
    if isinstance(layer, int) or str(layer).lstrip("-").isdigit():
        position = int(layer)
        if not -len(names) <= position < len(names):
            raise MethodNotApplicableError(f"--layer {position}: the model has {len(names)} layers")
        name = names[position]
    elif layer in names:
        name = str(layer)
    else:
        raise MethodNotApplicableError(
            f"--layer {layer!r}: no such layer", "conv layers: " + (", ".join(convs) or "(none)")
        )
    if len(adapter.model.get_layer(name).output.shape) != 3:
        raise MethodNotApplicableError(f"--layer {name!r}: output is not (L', channels), so no CAM can be made")
    if getattr(adapter, "context_inputs", ()) and name not in convs and is_conv(adapter.model.get_layer(name)):
        raise MethodNotApplicableError(
            f"--layer {name!r} does not read the signal's input {adapter.signal_input!r}",
            "conv layers on the signal's path: " + (", ".join(convs) or "(none)"),
        )
    return name


def reads_input(model: Any, layer: str, signal: Any) -> bool:
    """Whether ``layer``'s output depends on the input tensor ``signal`` (a multi-input model's CAM layer must
    read the signal explained, not another input)."""
    seen: set[int] = set()

    def reaches(tensor: Any) -> bool:
        if tensor is signal:
            return True
        history = getattr(tensor, "_keras_history", None)
        if history is None or id(tensor) in seen:
            return False
        seen.add(id(tensor))
        operation, node_index = history[0], history[1]
        return any(reaches(t) for t in operation._inbound_nodes[node_index].input_tensors)

    return reaches(model.get_layer(layer).output)
