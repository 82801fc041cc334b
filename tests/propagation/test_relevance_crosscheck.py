"""The propagation methods on every model of the independent zoo (``tests/independent.py``), saved and reloaded
as ``.keras`` and ``.h5``, checked against references that do not use the package: DeepLIFT's
summation-to-delta against the zoo's own logits, LRP-0 against the zoo's own gradient × input (ReLU
models, Ancona et al. 2018), Guided Grad-CAM as the product of its parts; and every rule on BatchNorm'd models
against the same rule on a twin whose BatchNorm was folded by hand, for both placements of the BatchNorm.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest

from signalscreen_cli import load_model
from signalscreen_cli.errors import MethodNotApplicableError
from signalscreen_cli.methods import get_method
from tests.independent import BUILDERS, Reference

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")
SUPPORTED = [name for name in BUILDERS if name != "gru" and not name.startswith("ecg_and")]
"""Every zoo model the engine serves: not the recurrent one, nor a model with other inputs (it says why)."""
NOT_RELU = ("regression",)  # a tanh layer: LRP-0 is not gradient × input there
CANCELLING = ("two_heads_rhythm", "two_heads_morph")
"""Models where one signal's LRP-0 divides by a pre-activation near zero: float32 round-off of that ratio
reaches 7e-4 relative (LRP-0 is gradient × input in exact arithmetic only)."""


@functools.cache
def zoo(name: str):
    return BUILDERS[name]()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("relevance_zoo")


def saved(name: str, fmt: str, folder):
    path = folder / f"{name}{fmt}"
    if not path.exists():
        zoo(name).model.save(path)
    return load_model(path, batch_size=64, output=zoo(name).output)  # a two-head model: its head explained


def assert_close(actual, expected, what: str, rtol: float = 1e-4, atol_scale: float = 1e-5) -> None:
    expected = np.asarray(expected, np.float64)
    scale = float(np.abs(expected).max())
    assert scale > 0, f"{what}: the reference is all zeros"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol_scale * scale, err_msg=what)


@pytest.mark.parametrize("fmt", [".keras", ".h5"])
@pytest.mark.parametrize("name", SUPPORTED)
def test_against_the_zoo_references(folder, name, fmt):
    model = zoo(name)
    adapter = saved(name, fmt, folder)
    reference = Reference(model)
    x, targets = model.x, model.targets
    logits = reference.logits(x)[np.arange(len(x)), targets]
    for baseline, rule in (("zero", "rescale"), ("mean", "rescale"), ("blur", "rescale"), ("mean", "revealcancel")):
        out = get_method("deeplift")(baselines=baseline, deeplift_rule=rule).attribute(adapter, x, targets)
        base = {"zero": np.zeros_like(x), "mean": np.broadcast_to(x.mean(axis=1, keepdims=True), x.shape)}.get(baseline)
        if base is not None:
            delta = logits - reference.logits(base)[np.arange(len(x)), targets]
            assert_close(out["deeplift"].sum(axis=(1, 2)), delta, f"{name}{fmt} deeplift {baseline} {rule}", rtol=1e-4)
        assert np.abs(out["deeplift_delta"]).max() <= 1e-4 * max(1.0, np.abs(logits).max()), (name, baseline, rule)
    if name not in NOT_RELU:
        lrp_zero = get_method("lrp")(lrp_rule="zero").attribute(adapter, x, targets)["lrp"]
        what, rtol = f"{name}{fmt} LRP-0 vs gradient × input", 1e-3 if name in CANCELLING else 1e-4
        assert_close(lrp_zero, reference.gradient_x_input(x, targets), what, rtol=rtol)
    for composite in ("epsilon_plus", "epsilon_plus_flat", "epsilon_gamma_box", "epsilon_alpha2_beta1_flat"):
        out = get_method("lrp")(lrp_composite=composite).attribute(adapter, x, targets)
        assert out["lrp"].shape == x.shape and np.isfinite(out["lrp"]).all(), (name, composite)
        np.testing.assert_allclose(out["lrp"].sum(axis=(1, 2)) + out["lrp_absorbed"], logits, rtol=1e-4, atol=1e-4)
    guided = get_method("guided_backprop")().attribute(adapter, x, targets)["guided_backprop"]
    cam = reference.gradcam(x, targets)[0]
    product = get_method("guided_gradcam")().attribute(adapter, x, targets)["guided_gradcam"]
    assert_close(product, guided * cam[:, :, None], f"{name}{fmt} guided Grad-CAM", rtol=1e-3, atol_scale=1e-4)


@pytest.mark.parametrize("method", ["lrp", "deeplift", "guided_backprop", "deconvnet", "guided_gradcam"])
def test_a_model_with_other_inputs_is_declined_with_the_reason(folder, method):
    adapter = saved("ecg_and_meta", ".keras", folder)
    model = zoo("ecg_and_meta")
    reason = get_method(method)().not_applicable(adapter)
    assert reason and "input" in reason, reason
    with pytest.raises(MethodNotApplicableError):
        get_method(method)().attribute(adapter, model.x, model.targets)


def test_recurrent_zoo_model_is_refused(folder):
    adapter = saved("gru", ".keras", folder)
    with pytest.raises(MethodNotApplicableError, match=r"layer 'gru' \(GRU\) has no propagation rule"):
        get_method("lrp")().attribute(adapter, zoo("gru").x, zoo("gru").targets)


# ---- BatchNorm: folded by the engine vs folded by hand ------------------------------------------------


def batchnormed(seed: int = 0) -> keras.Model:
    """BN after a linear conv (folds backwards), BN after a ReLU conv feeding a 'valid' conv (folds forwards)
    and BN after GAP feeding the Dense (folds forwards)."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((24, 2))
    h = keras.layers.Conv1D(5, 3, padding="same", name="a")(inputs)
    h = keras.layers.BatchNormalization(name="bn_a")(h)
    h = keras.layers.ReLU(name="relu_a")(h)
    h = keras.layers.Conv1D(6, 3, padding="same", activation="relu", name="b")(h)
    h = keras.layers.BatchNormalization(name="bn_b")(h)
    h = keras.layers.Conv1D(4, 3, padding="valid", activation="relu", name="c")(h)
    h = keras.layers.GlobalAveragePooling1D(name="gap")(h)
    h = keras.layers.BatchNormalization(name="bn_c")(h)
    out = keras.layers.Dense(3, name="dense")(h)
    model = keras.Model(inputs, keras.layers.Softmax()(out), name="batchnormed")
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            k = layer.gamma.shape[0]
            layer.set_weights(
                [rng.uniform(0.5, 1.5, k), rng.normal(0, 0.3, k), rng.normal(0, 0.5, k), rng.uniform(0.3, 2, k)]
            )
        elif layer.weights:
            layer.set_weights([w if w.ndim > 1 else rng.normal(0, 0.2, w.shape) for w in layer.get_weights()])
    return model


def affine(layer) -> tuple[np.ndarray, np.ndarray]:
    gamma, beta, mean, var = (w.astype(np.float64) for w in layer.get_weights())
    scale = gamma / np.sqrt(var + layer.epsilon)
    return scale, beta - mean * scale


def folded_twin(model: keras.Model) -> keras.Model:
    """The same function without BatchNorm: each folded by hand into its neighbouring layer."""
    get = model.get_layer
    inputs = keras.Input((24, 2))
    a = keras.layers.Conv1D(5, 3, padding="same", name="a")
    b = keras.layers.Conv1D(6, 3, padding="same", activation="relu", name="b")
    c = keras.layers.Conv1D(4, 3, padding="valid", activation="relu", name="c")
    dense = keras.layers.Dense(3, name="dense")
    h = keras.layers.ReLU()(a(inputs))
    h = keras.layers.GlobalAveragePooling1D()(c(b(h)))
    twin = keras.Model(inputs, keras.layers.Softmax()(dense(h)), name="twin")
    (wa, ba), (sa, ta) = get("a").get_weights(), affine(get("bn_a"))
    a.set_weights([wa * sa, ba * sa + ta])  # BN after a: y = s (W x + b) + t
    b.set_weights(get("b").get_weights())
    (wc, bc), (sb, tb) = get("c").get_weights(), affine(get("bn_b"))
    c.set_weights([wc * sb[None, :, None], bc + np.einsum("kcf,c->f", wc, tb)])  # BN before c: W (s h + t) + b
    (wd, bd), (sc, tc) = get("dense").get_weights(), affine(get("bn_c"))
    dense.set_weights([wd * sc[:, None], bd + tc @ wd])
    return twin


RULE_OPTIONS = [{"lrp_rule": rule} for rule in ("zero", "epsilon", "gamma", "zplus")] + [
    {"lrp_rule": "alpha_beta", "lrp_alpha": 2.0, "lrp_beta": 1.0},
    {"lrp_input_rule": "w_square"},
    {"lrp_input_rule": "zb"},
    *({"lrp_composite": name} for name in ("epsilon_plus", "epsilon_plus_flat", "epsilon_gamma_box")),
]


@pytest.mark.parametrize("fmt", [".keras", ".h5"])
def test_every_rule_on_batchnorm_equals_the_folded_twin(tmp_path, fmt):
    model = batchnormed()
    twin = folded_twin(model)
    x = np.random.default_rng(1).normal(size=(4, 24, 2)).astype(np.float32)
    targets = np.array([0, 1, 2, 1], np.int32)
    model.save(tmp_path / f"bn{fmt}")
    twin.save(tmp_path / f"twin{fmt}")
    adapter, twin_adapter = load_model(tmp_path / f"bn{fmt}"), load_model(tmp_path / f"twin{fmt}")
    np.testing.assert_allclose(adapter.logits(x), twin_adapter.logits(x), rtol=1e-4, atol=1e-5)
    for options in RULE_OPTIONS:
        method = get_method("lrp")(**options)
        theirs = method.attribute(twin_adapter, x, targets)["lrp"]
        ours = method.attribute(adapter, x, targets)["lrp"]
        assert_close(ours, theirs, f"{options} on {fmt}", rtol=1e-3, atol_scale=1e-5)
    layers = method.parameters()["layers"]  # what the last run (on the BatchNorm'd model) applied
    assert all(f"bn_{k} folded in" in layers[k if k != "b" else "c"] for k in ("a", "b"))
    assert "bn_c folded in" in layers["dense"] and "bn_a" not in layers
    for name in ("deeplift", "guided_backprop", "deconvnet"):
        method = get_method(name)()
        ours, theirs = method.attribute(adapter, x, targets)[name], method.attribute(twin_adapter, x, targets)[name]
        assert_close(ours, theirs, f"{name} on {fmt}", rtol=1e-3, atol_scale=1e-5)


def test_a_batchnorm_that_cannot_fold_is_an_affine_layer(tmp_path):
    """BN after a ReLU feeding a 'same'-padded conv: folding would change the padded border, so BN stays a
    per-channel affine layer. LRP-0 is then still gradient × input and DeepLIFT still sums to the delta."""
    keras.utils.set_random_seed(2)
    model = keras.Sequential(
        [
            keras.Input((20, 1)),
            keras.layers.Conv1D(4, 3, padding="same", activation="relu", name="a"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Conv1D(4, 3, padding="same", activation="relu", name="b"),
            keras.layers.Flatten(),
            keras.layers.Dense(2, name="dense"),
        ],
        name="unfoldable",
    )
    bn = model.get_layer("bn")
    bn.set_weights([np.full(4, 1.3), np.full(4, 0.2), np.full(4, -0.1), np.full(4, 0.8)])
    model.save(tmp_path / "u.keras")
    adapter = load_model(tmp_path / "u.keras")
    x = np.random.default_rng(3).normal(size=(3, 20, 1)).astype(np.float32)
    targets = np.array([0, 1, 0], np.int32)
    grads, _ = adapter.gradients(x, targets)
    method = get_method("lrp")(lrp_rule="zero")
    assert_close(method.attribute(adapter, x, targets)["lrp"], grads * x, "LRP-0 with an affine BN")
    assert "kept as a per-channel affine layer" in method.parameters()["layers"]["bn"]
    deeplift = get_method("deeplift")().attribute(adapter, x, targets)
    np.testing.assert_allclose(deeplift["deeplift_delta"], 0, atol=1e-4)
