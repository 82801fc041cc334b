"""Modified-backward methods: LRP (rules and composites), DeepLIFT, guided backprop, deconvnet, Guided Grad-CAM.

Each is one forward and one modified backward pass per batch through ``propagation.engine`` (which imports
TensorFlow, so it is imported inside ``attribute``). After a run, ``parameters()`` also records what was
applied to each layer, so the manifest says which rule met which layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import UsageError
from ..params import Parameters, param
from ..propagation.composites import COMPOSITES, INPUT_RULES, RULES, Backward
from .base import Adapter, Method
from .baselines import BaselineParameters, check_baseline_name
from .cam import LayerParameters

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class LRPParameters(Parameters):
    lrp_rule: str = param("epsilon", "LRP: rule of every linear layer (without a composite).", choices=RULES)
    lrp_composite: str = param(
        "none",
        "LRP: rules by layer kind and depth (Montavon et al. 2019 presets); none = --lrp-rule.",
        choices=COMPOSITES,
    )
    lrp_input_rule: str = param(
        "same", "LRP: rule of the first linear layer without a composite (same = --lrp-rule).", choices=INPUT_RULES
    )
    lrp_epsilon: float = param(0.25, "LRP-ε: stabiliser added to each pre-activation (its units).", minimum=0)
    lrp_gamma: float = param(0.25, "LRP-γ: weight of the positive weights added.", minimum=0)
    lrp_alpha: float = param(1.0, "LRP-αβ: weight of positive contributions (α − β must be 1).", minimum=1)
    lrp_beta: float = param(0.0, "LRP-αβ: weight of negative contributions.", minimum=0)
    lrp_low: float | None = param(None, "LRP z^B: lowest input value (default: each signal's minimum).")
    lrp_high: float | None = param(None, "LRP z^B: highest input value (default: each signal's maximum).")

    def check(self) -> None:
        if abs(self.lrp_alpha - self.lrp_beta - 1.0) > 1e-9:
            raise UsageError(
                f"--lrp-alpha {self.lrp_alpha} and --lrp-beta {self.lrp_beta}: α − β must be 1",
                "then relevance is conserved (Montavon et al. 2019, eq. 7)",
            )
        if self.lrp_low is not None and self.lrp_high is not None and self.lrp_low >= self.lrp_high:
            raise UsageError(f"--lrp-low {self.lrp_low} must be below --lrp-high {self.lrp_high}")


class _Propagation(Method):
    family = "gradient"
    mode: ClassVar[str] = ""  # the engine's pass; LRP and DeepLIFT build theirs with their parameters
    _applied: dict[str, str] | None = None

    def backward(self) -> Backward:
        return Backward(self.mode)

    def not_applicable(self, adapter: Adapter) -> str | None:
        """Why the pass cannot run on this model (a layer without a rule, no visible layers), or ``None``
        (``-m all`` skips the method then)."""
        from ..errors import MethodNotApplicableError
        from ..propagation.engine import graph_of

        try:
            graph_of(adapter)
        except MethodNotApplicableError as error:
            return error.message
        return None

    def parameters(self) -> dict[str, Any]:
        recorded = self.params.as_dict()
        if self._applied is not None:
            recorded["layers"] = dict(self._applied)
        return recorded

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        from .arrays import check_inputs

        x, targets = check_inputs(x, targets, adapter.n_outputs)
        return self._maps(adapter, x, targets)

    def _maps(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        """The method's arrays of checked inputs: by default the modified-backward map alone."""
        return {self.name: self._propagate(adapter, x, targets)[0]}

    def _propagate(
        self, adapter: Adapter, x: np.ndarray, targets: np.ndarray, **given: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from ..propagation.engine import layer_rules, propagate

        backward = self.backward()
        maps, logits, reference_logits = propagate(adapter, x, targets, backward, **given)
        self._applied = layer_rules(adapter, backward)
        return maps, logits, reference_logits


class LRP(_Propagation):
    """Layer-wise relevance propagation: the target logit redistributed layer by layer by LRP rules.

    LRP (Bach et al. 2015; rules and composites from Montavon et al. 2019): LRP-0, ε, γ, αβ (z⁺ = α1β0) on
    every linear layer, flat / w² / z^B for the first one, or a composite (EpsilonPlus, EpsilonPlusFlat,
    EpsilonGammaBox, EpsilonAlpha2Beta1[Flat]). BatchNormalization is folded into the adjacent linear layer.
    ``lrp_absorbed`` is the target logit minus the input relevance: what biases and stabilisers absorbed.
    """

    name = "lrp"
    paper = "Bach et al. 2015, On Pixel-Wise Explanations by Layer-Wise Relevance Propagation; Montavon et al. 2019"
    diagnostics: ClassVar[tuple[str, ...]] = ("lrp_absorbed",)
    Parameters = LRPParameters
    params: LRPParameters

    def backward(self) -> Backward:
        p = self.params
        return Backward(
            "lrp", p.lrp_rule, p.lrp_input_rule, p.lrp_composite, p.lrp_epsilon, p.lrp_gamma, p.lrp_alpha, p.lrp_beta
        )

    def _maps(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np

        low = x.min(axis=(1, 2)) if self.lrp_low is None else np.full(len(x), self.lrp_low, np.float32)
        high = x.max(axis=(1, 2)) if self.lrp_high is None else np.full(len(x), self.lrp_high, np.float32)
        given = self.lrp_low is not None or self.lrp_high is not None
        if given and ((x < low[:, None, None]).any() or (x > high[:, None, None]).any()):
            raise UsageError(
                f"--lrp-low/--lrp-high: the bounds [{float(low.min())}, {float(high.max())}] do not hold every "
                "input value",
                "widen them, or leave them out to use each signal's own range",
            )
        bounds = (low, high)
        maps, logits, _ = self._propagate(adapter, x, targets, bounds=bounds)
        return {"lrp": maps, "lrp_absorbed": (logits - maps.sum(axis=(1, 2))).astype(np.float32)}


@dataclass(frozen=True)
class DeepLiftParameters(BaselineParameters):
    deeplift_rule: str = param(
        "rescale",
        "DeepLIFT: rule at nonlinearities: rescale, or revealcancel (after a linear layer; rescale elsewhere).",
        choices=("rescale", "revealcancel"),
    )

    def check(self) -> None:
        check_baseline_name(self.baselines, "deeplift")
        super().check()


class DeepLift(_Propagation):
    """DeepLIFT Rescale: (x − x₀) times multipliers that replace each nonlinearity's gradient by Δy/Δx.

    DeepLIFT (Shrikumar et al. 2017), Rescale (or RevealCancel) rule against the ``--baseline`` reference;
    contributions sum to ``f(x) − f(x₀)`` on the logit (summation-to-delta): ``deeplift_delta`` is the gap left.
    """

    name = "deeplift"
    paper = "Shrikumar et al. 2017, Learning Important Features Through Propagating Activation Differences"
    diagnostics: ClassVar[tuple[str, ...]] = ("deeplift_delta",)
    Parameters = DeepLiftParameters
    params: DeepLiftParameters

    def backward(self) -> Backward:
        return Backward("deeplift", reveal_cancel=self.deeplift_rule == "revealcancel")

    def _maps(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np

        base = self.params.baseline_of(x, self.dataset_mean, self.baseline_values)
        maps, logits, reference = self._propagate(adapter, x, targets, reference=base)
        gap = maps.sum(axis=(1, 2)) - (logits - reference)
        return {"deeplift": maps, "deeplift_delta": gap.astype(np.float32)}


class GuidedBackprop(_Propagation):
    """The logit's gradient with only positive signals passed back through each ReLU.

    Guided backpropagation (Springenberg et al. 2015): at a ReLU the backward signal is kept where both the
    forward input and the incoming signal are positive; other layers keep their gradient.
    """

    name = "guided_backprop"
    paper = "Springenberg et al. 2015, Striving for Simplicity: The All Convolutional Net"
    mode = "guided"


class Deconvnet(GuidedBackprop):
    """The logit's gradient with each ReLU's backward replaced by a ReLU of the incoming signal.

    Deconvnet (Zeiler & Fergus 2014): the backward pass ignores which units were active in the forward pass.
    """

    name = "deconvnet"
    paper = "Zeiler & Fergus 2014, Visualizing and Understanding Convolutional Networks"
    mode = "deconvnet"


class GuidedGradCAM(_Propagation):
    """Guided backprop times the Grad-CAM map upsampled to the input.

    Guided Grad-CAM (Selvaraju et al. 2017): the product, sample by sample and channel by channel, of
    guided backpropagation and Grad-CAM (``--layer``, ``--relu`` as for Grad-CAM).
    """

    name = "guided_gradcam"
    paper = "Selvaraju et al. 2017, Grad-CAM"
    mode = "guided"
    Parameters = LayerParameters
    params: LayerParameters

    def not_applicable(self, adapter: Adapter) -> str | None:
        from ..errors import MethodNotApplicableError

        try:
            adapter.resolve_layer(self.layer)
        except MethodNotApplicableError as error:
            return error.message
        return super().not_applicable(adapter)

    def _maps(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        from .cam import GradCAM

        guided = self._propagate(adapter, x, targets)[0]
        cam = GradCAM(layer=self.layer, relu=self.relu).attribute(adapter, x, targets)["gradcam"]
        return {self.name: guided * cam[:, :, None]}
