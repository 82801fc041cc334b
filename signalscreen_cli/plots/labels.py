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
    reveal_cancel = parameters.get("deeplift_rule") == "revealcancel"
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
        "lrp": lrp_meaning(parameters, logit),
        "deeplift": f"share of Δ {logit} (DeepLIFT{'-RC' if reveal_cancel else ''})",
        "guided_backprop": f"guided ∂ {logit} / ∂x",
        "deconvnet": f"deconvnet ∂ {logit} / ∂x",
        "guided_gradcam": f"guided ∂ {logit} / ∂x × Grad-CAM" + ("" if parameters.get("relu", True) else ", no ReLU"),
    }
    return words.get(method or "", "attribution")


LRP_RULES = {"zero": "LRP-0", "epsilon": "LRP-ε", "gamma": "LRP-γ", "zplus": "LRP-z⁺"}
LRP_COMPOSITES = {
    "epsilon_plus": "ε+",
    "epsilon_plus_flat": "ε+ flat",
    "epsilon_gamma_box": "εγ box",
    "epsilon_alpha2_beta1": "εα2β1",
    "epsilon_alpha2_beta1_flat": "εα2β1 flat",
}
LRP_INPUT_RULES = {"flat": "flat", "w_square": "w²", "zb": "z^B"}


def lrp_meaning(parameters: dict[str, Any], logit: str) -> str:
    """LRP's relevance of ``logit`` and the rules that spread it: "LRP-ε relevance of logit N", a composite
    by its short name ("LRP ε+ flat relevance of ..."), a first-layer rule after a comma."""
    composite = parameters.get("lrp_composite", "none")
    if composite and composite != "none":
        return f"LRP {LRP_COMPOSITES.get(composite, composite)} relevance of {logit}"
    rule = parameters.get("lrp_rule", "epsilon")
    if rule == "alpha_beta":
        name = f"LRP-α{parameters.get('lrp_alpha', 1.0):g}β{parameters.get('lrp_beta', 0.0):g}"
    else:
        name = LRP_RULES.get(rule, f"LRP-{rule}")
    first = parameters.get("lrp_input_rule", "same")
    first_words = f", first layer {LRP_INPUT_RULES.get(first, first)}" if first not in (None, "same", rule) else ""
    return f"{name} relevance of {logit}{first_words}"


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
