"""What a map's value means, in words a colour bar can carry: "drop in P(N) when occluded", "|∂ logit N / ∂x|".

Built from the manifest's record of each array (its method and parameters) and of the model (whether its
output is a probability, and so what the gradient methods differentiate), for one target class or, where the
target differs between the signals shown, for "the target".
"""

from __future__ import annotations

from typing import Any

PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")


def output_names(target: str, activation: str | None) -> tuple[str, str]:
    """How the model's own output and the gradient methods' output are written for ``target``: ``P(N)`` and
    ``logit N`` for a probability head, ``output N`` for both otherwise."""
    if activation in PROBABILITY_ACTIVATIONS:
        return f"P({target})", f"logit {target}"
    return f"output {target}", f"output {target}"


def map_meaning(method: str | None, parameters: dict[str, Any], target: str, activation: str | None) -> str:
    """The words for a map's value of ``method`` (``None``: unknown, e.g. a plugin) explaining ``target``."""
    probability, logit = output_names(target, activation)
    relu = "ReLU" if parameters.get("relu", True) else "no ReLU"
    words = {
        "occlusion": f"drop in {probability} when occluded",
        "saliency": f"|∂ {logit} / ∂x|",
        "gradient_x_input": f"x · ∂ {logit} / ∂x",
        "integrated_gradients": f"contribution to {logit} (IG)",
        "smoothgrad": f"mean ∂ {logit} / ∂x, noisy copies",
        "smoothgrad_squared": f"mean (∂ {logit} / ∂x)², noisy copies",
        "vargrad": f"variance of ∂ {logit} / ∂x, noisy copies",
        "gradcam": f"Grad-CAM of {logit}, {relu}",
        "gradcam_plus_plus": f"Grad-CAM++ of {logit}, {relu}",
        "scorecam": f"Score-CAM of {probability}, {relu}",
        "segment_shapley": f"Shapley value of {probability} per segment",
        "spectral_occlusion": f"drop in {probability} when the band is removed",
        "freqrise": f"effect on {probability} of keeping the cell",
    }
    return words.get(method or "", "attribution")


def manifest_meanings(manifest: dict[str, Any], target: str) -> dict[str, str]:
    """Every array of a run's manifest that has a method, mapped to the words for ``target``."""
    activation = (manifest.get("model") or {}).get("output_activation")
    return {
        name: map_meaning(info.get("method"), info.get("parameters") or {}, target, activation)
        for name, info in (manifest.get("arrays") or {}).items()
        if info.get("method")
    }


def amplitude_label(unit: str | None, channel: str | None = None) -> str:
    """The y axis of a trace: the channel's name (if any) and its unit; "amplitude" when the unit is unknown."""
    name = channel or "amplitude"
    return f"{name} ({unit})" if unit else name


def reading_units(manifest: dict[str, Any]) -> list[str] | None:
    """The channels' units: ``--unit`` for every channel where given, else those a reader found in the file's
    headers (WFDB, EDF), else ``None``."""
    given = (manifest.get("parameters") or {}).get("unit")
    channels = ((manifest.get("model") or {}).get("input_shape") or [None, 1])[-1] or 1
    if given:
        return [str(given)] * int(channels)
    units = ((manifest.get("data") or {}).get("reading") or {}).get("units")
    return [str(unit) for unit in units] if units else None
