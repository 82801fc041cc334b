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
            "--window (repeatable), --baseline, --stride, --occlude-channels",
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
            "gradient_x_input",
            "gradients:GradientXInput",
            "gradient",
            "d logit / d input times the input, signed",
            "Shrikumar et al. 2016, Not Just a Black Box",
            "(none)",
        ),
        MethodSpec(
            "integrated_gradients",
            "gradients:IntegratedGradients",
            "gradient",
            "(x - baseline) times the mean gradient on the straight path; sums to F(x) - F(baseline)",
            "Sundararajan et al. 2017, Axiomatic Attribution for Deep Networks",
            "--steps, --baseline, --ig-tolerance",
        ),
        MethodSpec(
            "smoothgrad",
            "gradients:SmoothGrad",
            "gradient",
            "mean gradient over noisy copies of the signal",
            "Smilkov et al. 2017, SmoothGrad: removing noise by adding noise",
            "--noise-samples, --noise, --seed",
        ),
        MethodSpec(
            "smoothgrad_squared",
            "gradients:SmoothGradSquared",
            "gradient",
            "mean squared gradient over noisy copies",
            "Hooker et al. 2019, A Benchmark for Interpretability Methods in Deep Neural Networks",
            "--noise-samples, --noise, --seed",
        ),
        MethodSpec(
            "vargrad",
            "gradients:VarGrad",
            "gradient",
            "variance of the gradient over noisy copies",
            "Adebayo et al. 2018, Local Explanation Methods for Deep Neural Networks Lack Sensitivity",
            "--noise-samples, --noise, --seed",
        ),
        MethodSpec(
            "gradcam",
            "cam:GradCAM",
            "layer",
            "conv activations weighted by their time-averaged gradients, per sample, resized to the input",
            "Selvaraju et al. 2017, Grad-CAM",
            "--layer, --relu/--no-relu",
        ),
        MethodSpec(
            "gradcam_plus_plus",
            "cam:GradCAMPlusPlus",
            "layer",
            "conv activations weighted by positive gradients with second-order pixel weights",
            "Chattopadhay et al. 2018, Grad-CAM++",
            "--layer, --relu/--no-relu",
        ),
        MethodSpec(
            "scorecam",
            "cam:ScoreCAM",
            "layer",
            "conv activations weighted by the target's output on the input masked by each activation",
            "Wang et al. 2020, Score-CAM",
            "--layer, --relu/--no-relu",
        ),
    )
}

DEFAULT_METHODS = ("occlusion", "saliency", "gradcam")


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
