"""Which conv layer the CAM methods use by default, and why: the last 1D convolution on the main path.

"The last Conv1D in the layer list" is wrong for residual networks: in an InceptionTime block the 1×1
shortcut projection is often listed last, yet it reads the block's input (on the first block, the raw signal)
and skips every convolution of the block. The main path is the longest one from the input, so the default is
the conv layer whose output lies deepest in the graph (most layers between it and the input); among layers
of equal depth (parallel branches), the last listed. For a plain stack that is the last conv layer, as before.
"""

from __future__ import annotations

from typing import Any


def layer_depths(model: Any) -> dict[str, int]:
    """Per layer name, the number of layers on the longest path from a model input to its output."""
    depths: dict[int, int] = {}

    def depth(tensor: Any) -> int:
        history = getattr(tensor, "_keras_history", None)
        if history is None:
            return 0
        operation, node_index = history[0], history[1]
        key = id(operation) * 1024 + node_index
        if key not in depths:
            node = operation._inbound_nodes[node_index]
            inputs = list(node.input_tensors)
            depths[key] = 0 if not inputs else 1 + max(depth(t) for t in inputs)
        return depths[key]

    found: dict[str, int] = {}
    for output in model.outputs:
        depth(output)
    for layer in model.layers:
        for index, _node in enumerate(getattr(layer, "_inbound_nodes", [])):
            key = id(layer) * 1024 + index
            if key in depths:
                found[layer.name] = max(found.get(layer.name, 0), depths[key])
    return found


def default_cam_layer(model: Any, convs: list[str]) -> tuple[str, str]:
    """The CAM methods' default layer among ``convs`` (names, in layer order) and the reason, for the manifest
    and the terminal."""
    last = convs[-1]
    try:
        depths = layer_depths(model)
    except (AttributeError, IndexError, TypeError):  # a graph Keras does not expose: keep the listed order
        return last, "the last 1D convolution in the layer list"
    known = [name for name in convs if name in depths]
    if not known:
        return last, "the last 1D convolution in the layer list"
    deepest = max(depths[name] for name in known)
    chosen = [name for name in known if depths[name] == deepest][-1]
    if chosen == last:
        return chosen, "the last 1D convolution, on the main path (the longest from the input)"
    nearer = deepest - depths.get(last, 0)
    return chosen, (
        f"the deepest 1D convolution on the main path ({deepest} layers from the input); {last!r} is listed "
        f"later but lies {nearer} layer{'s' if nearer != 1 else ''} nearer the input (a shortcut)"
    )


def cam_layers_used(adapter: Any, methods: Any) -> dict[str, dict[str, str]]:
    """Per planned method with a ``layer`` parameter (the CAM methods): ``layer_used`` and ``layer_why``."""
    found = {}
    for method in methods:
        if "layer" not in method.params.as_dict():
            continue
        given = method.params.as_dict()["layer"]
        if given is None:
            name, why = adapter.resolve_layer(None), adapter.default_cam_layer()[1]  # no conv layer: exit 6
        else:
            name, why = adapter.resolve_layer(given), f"given: --layer {given}"
        found[method.name] = {"layer_used": name, "layer_why": why}
    return found
