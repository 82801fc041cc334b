"""Method registry: names map to import strings, so listing methods imports no TensorFlow or numpy."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class MethodSpec:
    """One registered attribution method.

    Attributes
    ----------
    name : str
        Name used on the command line and in the output arrays.
    import_path : str
        ``"module:Class"`` relative to this package.
    family : str
        Captum's family: ``perturbation``, ``gradient`` or ``layer``.
    summary : str
        One line on what it computes.
    paper : str
        Where the method comes from.
    parameters : str
        The CLI options that change it.
    """

    name: str
    import_path: str
    family: str
    summary: str
    paper: str
    parameters: str


REGISTRY: dict[str, MethodSpec] = {
    spec.name: spec
    for spec in (
        MethodSpec(
            "occlusion",
            "occlusion:Occlusion",
            "perturbation",
            "drop in the target's output when a window centred at each position is replaced by a baseline",
            "Zeiler & Fergus 2014, Visualizing and Understanding Convolutional Networks",
            "--window (repeatable), --baseline",
        ),
        MethodSpec(
            "saliency",
            "gradients:Saliency",
            "gradient",
            "|d logit / d input|, one value per sample and channel",
            "Simonyan et al. 2014, Deep Inside Convolutional Networks",
            "(none)",
        ),
        MethodSpec(
            "gradcam",
            "cam:GradCAM",
            "layer",
            "conv activations weighted by their time-averaged gradients, per sample, upsampled to the input",
            "Selvaraju et al. 2017, Grad-CAM",
            "--layer, --relu/--no-relu",
        ),
    )
}


def available_methods() -> list[str]:
    """Registered method names, in listing order."""
    return list(REGISTRY)


def method_spec(name: str) -> MethodSpec:
    """The spec of ``name``; an unknown name lists the valid ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UsageError(f"unknown method {name!r}", "choose from: " + ", ".join(REGISTRY)) from None


def get_method(name: str) -> type:
    """Import and return the class that implements ``name``."""
    module_name, class_name = method_spec(name).import_path.split(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, class_name)
