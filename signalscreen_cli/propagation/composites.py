"""Which LRP rule each layer gets: the rules, the published composites, and the choice by layer kind and depth.

Standard library only: the methods' parameters read the names from here before anything heavy is imported.
Presets follow Montavon et al. 2019 ("Layer-wise relevance propagation: an overview", sec. 10.2) as zennit
names them: ε for dense layers, z⁺ (or γ, or α2β1) for convolutions, a special rule for the first layer.
"""

from __future__ import annotations

from dataclasses import dataclass

# rules for any linear layer
RULES = ("zero", "epsilon", "gamma", "alpha_beta", "zplus")
# rules meant for the first linear layer only: they look at the weights (and bounds), not at the input
INPUT_RULES = ("same", *RULES, "flat", "w_square", "zb")
COMPOSITES = (
    "none",
    "epsilon_plus",
    "epsilon_plus_flat",
    "epsilon_gamma_box",
    "epsilon_alpha2_beta1",
    "epsilon_alpha2_beta1_flat",
)
# composite: (first layer, other convolutions, dense layers); None = the layer's kind decides
PRESETS: dict[str, tuple[str | None, str, str]] = {
    "epsilon_plus": (None, "zplus", "epsilon"),
    "epsilon_plus_flat": ("flat", "zplus", "epsilon"),
    "epsilon_gamma_box": ("zb", "gamma", "epsilon"),
    "epsilon_alpha2_beta1": (None, "alpha2_beta1", "epsilon"),
    "epsilon_alpha2_beta1_flat": ("flat", "alpha2_beta1", "epsilon"),
}
LAYER_KINDS = ("dense", "conv", "affine")  # affine: a BatchNormalization that could not be folded


@dataclass(frozen=True)
class Backward:
    """One modified backward pass, as the engine needs it (hashable: compiled calls are cached by it).

    Attributes
    ----------
    mode : str
        ``lrp`` (relevance rules), ``deeplift`` (Rescale multipliers against a reference), ``guided``
        (guided backprop) or ``deconvnet``: the last three pass multipliers, overriding only nonlinearities.
    rule, input_rule, composite : str
        LRP: the rule of every linear layer, of the first one (``same`` = ``rule``), and the composite that
        overrides both (``none`` = no composite).
    epsilon, gamma, alpha, beta : float
        LRP rule settings.
    reveal_cancel : bool
        DeepLIFT: the RevealCancel rule instead of Rescale where a nonlinearity follows a linear layer.
    """

    mode: str
    rule: str = "epsilon"
    input_rule: str = "same"
    composite: str = "none"
    epsilon: float = 0.25
    gamma: float = 0.25
    alpha: float = 1.0
    beta: float = 0.0
    reveal_cancel: bool = False  # DeepLIFT: RevealCancel at a nonlinearity right after a linear layer


def rule_for(backward: Backward, kind: str, first: bool) -> str:
    """The rule of a linear layer of ``kind`` (dense, conv, affine); ``first``: it reads the model input.

    ``alpha_beta`` rules come out as ``alpha_beta`` with the backward's α, β, or ``alpha2_beta1``.
    """
    if backward.composite == "none":
        if first and backward.input_rule != "same":
            return backward.input_rule
        return backward.rule
    first_rule, conv_rule, dense_rule = PRESETS[backward.composite]
    if first and first_rule is not None:
        return first_rule
    if kind == "affine":
        return "epsilon"  # an unfolded normalisation: ε keeps its relevance (z⁺ would drop negative scales)
    return conv_rule if kind == "conv" else dense_rule
