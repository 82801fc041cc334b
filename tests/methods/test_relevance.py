"""Known answers of the propagation methods on tiny hand-weighted Keras models, written from the papers.

LRP rules from Montavon et al. 2019 (eqs. 1-7 and sec. 10), LRP-0 = gradient × input on ReLU networks
(Ancona et al. 2018), DeepLIFT's summation-to-delta (Shrikumar et al. 2017), guided backprop (Springenberg et
al. 2015) and Guided Grad-CAM (Selvaraju et al. 2017). Every model is saved and reloaded as ``.keras``.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from signalscreen_cli.errors import MethodNotApplicableError, UsageError
from signalscreen_cli.methods import get_method
from tests.zoo import adapter_for, build_linear, built_once, recurrent_model, small_cnn

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")
RNG = np.random.default_rng(0)


def lrp(adapter, x, targets, **options) -> dict[str, np.ndarray]:
    return get_method("lrp")(**options).attribute(adapter, x, targets)


def mlp(w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, length: int) -> keras.Model:
    """Flatten → Dense(relu) → Dense (the logits) → Softmax layer, weights as given."""
    hidden = keras.layers.Dense(w1.shape[1], activation="relu", name="hidden")
    out = keras.layers.Dense(w2.shape[1], name="out")
    model = keras.Sequential(
        [keras.Input((length, 1)), keras.layers.Flatten(), hidden, out, keras.layers.Softmax()], name="mlp"
    )
    hidden.set_weights([w1.astype(np.float32), b1.astype(np.float32)])
    out.set_weights([w2.astype(np.float32), b2.astype(np.float32)])
    return model


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("relevance")


@pytest.fixture(scope="module")
def built(folder):
    """Models the tests below share (each built, saved and reloaded once): ``built(key, make, fmt)``."""
    return built_once(folder)


def test_lrp_epsilon_bookkeeping_by_hand(folder):
    """Two layers computed by hand: R_j = a_j w_jk R_k / (z_k + ε sign z_k), then down to the input."""
    w1 = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.5]])
    b1 = np.array([0.5, -0.25])
    w2 = np.array([[2.0, -1.0], [-1.0, 1.5]])
    b2 = np.array([0.3, -0.2])
    adapter = adapter_for(mlp(w1, b1, w2, b2, 3), ".keras", folder)
    x = np.array([[[1.0], [2.0], [-0.5]], [[-1.0], [0.5], [1.5]]], np.float32)
    targets = np.array([0, 1], np.int32)
    eps = 0.5
    out = lrp(adapter, x, targets, lrp_rule="epsilon", lrp_epsilon=eps)
    for n in range(2):
        xi = x[n, :, 0].astype(np.float64)
        z1 = xi @ w1 + b1
        a1 = np.maximum(z1, 0)
        k = targets[n]
        z2 = a1 @ w2[:, k] + b2[k]
        r_hidden = a1 * w2[:, k] * z2 / (z2 + eps * np.sign(z2))
        r_input = np.array(
            [
                sum(xi[i] * w1[i, j] * r_hidden[j] / (z1[j] + eps * (1 if z1[j] >= 0 else -1)) for j in range(2))
                for i in range(3)
            ]
        )
        np.testing.assert_allclose(out["lrp"][n, :, 0], r_input, rtol=1e-5, atol=1e-6)
        # what the biases and ε absorbed: the logit minus the input relevance, exactly
        np.testing.assert_allclose(out["lrp_absorbed"][n], z2 - r_input.sum(), rtol=1e-5, atol=1e-6)
        assert abs(out["lrp_absorbed"][n]) > 0.01  # the bookkeeping is not trivially zero here


def alpha2_beta1(q: np.ndarray, bias: float, relevance: float) -> np.ndarray:
    """Montavon et al. 2019 eq. 7 for one output: q holds the contributions x_i w_i; a part with no
    contribution of its sign (0/0) gives nothing."""
    positive, negative = np.maximum(q, 0), np.minimum(q, 0)
    up, down = positive.sum() + max(bias, 0), negative.sum() + min(bias, 0)
    return (2 * (positive / up if up else 0 * q) - (negative / down if down else 0 * q)) * relevance


def test_lrp_alpha2_beta1_through_two_layers_by_hand(folder):
    """The hidden layer's input is a ReLU output (only its positive half is computed), the first one signed."""
    w1 = np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0], [-1.0, 0.5, 2.0]])
    b1 = np.array([0.5, -0.25, 0.1])
    w2 = np.array([[2.0, -1.0], [-1.0, 1.5], [0.7, 0.2]])
    b2 = np.array([0.3, -0.2])
    adapter = adapter_for(mlp(w1, b1, w2, b2, 3), ".keras", folder)
    x = np.array([[[1.0], [2.0], [-0.5]], [[-1.0], [0.5], [1.5]]], np.float32)
    targets = np.array([0, 1], np.int32)
    out = lrp(adapter, x, targets, lrp_rule="alpha_beta", lrp_alpha=2.0, lrp_beta=1.0)["lrp"]
    for n in range(2):
        xi, k = x[n, :, 0].astype(np.float64), targets[n]
        z1 = xi @ w1 + b1
        a1 = np.maximum(z1, 0)
        logit = a1 @ w2[:, k] + b2[k]
        hidden = alpha2_beta1(a1 * w2[:, k], b2[k], logit)
        expected = sum(alpha2_beta1(xi * w1[:, j], b1[j], hidden[j]) for j in range(3))
        np.testing.assert_allclose(out[n, :, 0], expected, rtol=1e-5, atol=1e-6)


def test_lrp_zero_equals_gradient_times_input_on_relu_networks(folder):
    model = small_cnn(length=20, channels=2, outputs=3, seed=4)
    for layer in model.layers:  # Ancona et al. 2018: exact with zero biases (and still exact with biases)
        if getattr(layer, "bias", None) is not None:
            layer.bias.assign(np.zeros(layer.bias.shape, np.float32))
    adapter = adapter_for(model, ".h5", folder)
    x = RNG.normal(size=(4, 20, 2)).astype(np.float32)
    targets = np.array([0, 1, 2, 1], np.int32)
    grads, logits = adapter.gradients(x, targets)
    out = lrp(adapter, x, targets, lrp_rule="zero")
    np.testing.assert_allclose(out["lrp"], grads * x, rtol=1e-4, atol=1e-6)
    # zero biases: LRP-0 conserves the logit exactly
    np.testing.assert_allclose(out["lrp"].sum(axis=(1, 2)), logits[np.arange(4), targets], rtol=1e-4)


CONVOLUTIONS = [
    {"padding": "same"},
    {"padding": "valid", "strides": 2},
    {"padding": "causal", "dilation_rate": 2},
    {"padding": "same", "strides": 3},
    {"padding": "valid", "dilation_rate": 3},
]
CONV_CASES = [
    (kind, conv)
    for kind in ("Conv1D", "SeparableConv1D", "DepthwiseConv1D")
    for conv in CONVOLUTIONS
    if kind == "Conv1D" or conv["padding"] != "causal"  # only Conv1D has causal padding
]


@pytest.mark.parametrize(
    "kind, conv", CONV_CASES, ids=[f"{k}-" + "-".join(f"{a}{b}" for a, b in c.items()) for k, c in CONV_CASES]
)
def test_lrp_zero_through_every_convolution(folder, kind, conv):
    keras.utils.set_random_seed(1)
    layer_args = {"kernel_size": 3, **conv, "activation": "relu", "name": "conv"}
    first = getattr(keras.layers, kind)(**({"filters": 4} if kind != "DepthwiseConv1D" else {}), **layer_args)
    model = keras.Sequential(
        [keras.Input((17, 2)), first, keras.layers.Flatten(), keras.layers.Dense(2, name="out")], name=kind.lower()
    )
    adapter = adapter_for(model, ".keras", folder)
    x = RNG.normal(size=(3, 17, 2)).astype(np.float32)
    targets = np.array([0, 1, 1], np.int32)
    grads, _ = adapter.gradients(x, targets)
    np.testing.assert_allclose(lrp(adapter, x, targets, lrp_rule="zero")["lrp"], grads * x, rtol=1e-4, atol=1e-6)


W = np.array([1.0, -2.0, 0.5, 3.0, -0.25])
B = 0.4


def single_dense(built):
    """One Dense unit ``W·x + B``, built once for the module."""
    return built("single_dense", lambda: build_linear(len(W), 1, W[:, None], np.array([B]), head="linear"))[1]
X = np.array([[0.5, 1.0, -2.0, 0.25, 1.5], [-1.0, 0.2, 0.3, 0.8, -0.6]], np.float32)[:, :, None]
ZERO_TARGETS = np.zeros(2, np.int32)


@pytest.mark.parametrize("rule", ["flat", "w_square", "zb", "gamma", "alpha_beta"])
def test_single_layer_rules_by_hand(built, rule):
    """Montavon et al. 2019: R_i = q_i / Σ q · R with the rule's contribution q_i, R = the logit."""
    adapter = single_dense(built)
    gamma, low, high = 0.5, -2.5, 2.0
    options = {"lrp_input_rule": rule, "lrp_gamma": gamma, "lrp_alpha": 2.0, "lrp_beta": 1.0}
    if rule == "zb":
        options |= {"lrp_low": low, "lrp_high": high}
    out = lrp(adapter, X, ZERO_TARGETS, **options)["lrp"][:, :, 0]
    for n, xi in enumerate(X[:, :, 0].astype(np.float64)):
        logit = xi @ W + B
        if rule == "flat":
            expected = np.full(5, logit / 5)
        elif rule == "w_square":
            expected = W**2 / (W**2).sum() * logit
        elif rule == "zb":
            q = xi * W - low * np.maximum(W, 0) - high * np.minimum(W, 0)
            expected = q / q.sum() * logit
        elif rule == "gamma":
            q = xi * (W + gamma * np.maximum(W, 0))
            expected = q / (q.sum() + B + gamma * max(B, 0)) * logit
        else:  # α2β1 with signed inputs: a contribution is positive when input and weight share a sign
            q = xi * W
            positive, negative = np.maximum(q, 0), np.minimum(q, 0)
            expected = (2 * positive / (positive.sum() + max(B, 0)) - negative / (negative.sum() + min(B, 0))) * logit
        np.testing.assert_allclose(out[n], expected, rtol=1e-5, atol=1e-6)


def test_linear_model_lrp_zero_and_deeplift_are_weights_times_difference(built):
    adapter = single_dense(built)
    lrp_zero = lrp(adapter, X, ZERO_TARGETS, lrp_rule="zero")
    np.testing.assert_allclose(lrp_zero["lrp"][:, :, 0], W * X[:, :, 0], rtol=1e-5, atol=1e-6)
    for baseline, reference in (
        ("zero", np.zeros_like(X)),
        ("mean", np.broadcast_to(X.mean(1, keepdims=True), X.shape)),
    ):
        deeplift = get_method("deeplift")(baselines=baseline).attribute(adapter, X, ZERO_TARGETS)
        np.testing.assert_allclose(deeplift["deeplift"][:, :, 0], W * (X - reference)[:, :, 0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(deeplift["deeplift_delta"], 0, atol=1e-5)


def test_alpha1_beta0_maps_are_non_negative_where_the_logit_is_positive(folder):
    adapter = adapter_for(small_cnn(length=24, channels=1, outputs=3, seed=2), ".keras", folder)
    x = np.repeat(RNG.normal(size=(6, 24, 1)).astype(np.float32), 3, axis=0)
    targets = np.tile(np.arange(3, dtype=np.int32), 6)
    logits = adapter.logits(x)[np.arange(18), targets]
    assert (logits > 0).any() and (logits < 0).any()
    maps = lrp(adapter, x, targets, lrp_rule="zplus")["lrp"]
    assert (maps[logits > 0] >= 0).all() and (maps[logits < 0] <= 0).all()
    assert (np.abs(maps).sum(axis=(1, 2)) > 0).all()
    assert (x < 0).any()  # signed inputs: the first layer splits them by the sign of each product


def tanh_model() -> keras.Model:
    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [
            keras.Input((16, 1)),
            keras.layers.Conv1D(4, 3, padding="same", activation="tanh"),
            keras.layers.AveragePooling1D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ],
        name="tanh",
    )


@pytest.mark.parametrize("name", ["guided_backprop", "deconvnet"])
def test_guided_methods_without_relu_equal_the_gradient(built, name):
    adapter = built("tanh", tanh_model)[1]
    x = RNG.normal(size=(3, 16, 1)).astype(np.float32)
    targets = np.array([0, 1, 0], np.int32)
    grads, _ = adapter.gradients(x, targets)
    np.testing.assert_allclose(get_method(name)().attribute(adapter, x, targets)[name], grads, rtol=1e-5, atol=1e-7)


def test_guided_backprop_and_deconvnet_by_hand(folder):
    """One hidden ReLU layer: guided = W1 (1[z>0] · ReLU(w2)), deconvnet = W1 ReLU(w2)."""
    w1 = np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0]])
    w2 = np.array([[1.0, 0.0], [-2.0, 0.0], [3.0, 0.0]])
    adapter = adapter_for(mlp(w1, np.array([0.0, 0.1, -0.2]), w2, np.zeros(2), 2), ".keras", folder)
    x = np.array([[[1.0], [0.5]]], np.float32)
    z = x[0, :, 0] @ w1 + np.array([0.0, 0.1, -0.2])
    guided = get_method("guided_backprop")().attribute(adapter, x, np.zeros(1, np.int32))["guided_backprop"]
    deconv = get_method("deconvnet")().attribute(adapter, x, np.zeros(1, np.int32))["deconvnet"]
    np.testing.assert_allclose(guided[0, :, 0], w1 @ ((z > 0) * np.maximum(w2[:, 0], 0)), rtol=1e-6)
    np.testing.assert_allclose(deconv[0, :, 0], w1 @ np.maximum(w2[:, 0], 0), rtol=1e-6)


def test_guided_gradcam_is_the_product_of_its_parts(folder):
    adapter = adapter_for(small_cnn(length=24, channels=2, outputs=3, seed=6), ".keras", folder)
    x = RNG.normal(size=(4, 24, 2)).astype(np.float32)
    targets = np.array([0, 1, 2, 0], np.int32)
    guided = get_method("guided_backprop")().attribute(adapter, x, targets)["guided_backprop"]
    cam = get_method("gradcam")().attribute(adapter, x, targets)["gradcam"]
    product = get_method("guided_gradcam")().attribute(adapter, x, targets)["guided_gradcam"]
    np.testing.assert_allclose(product, guided * cam[:, :, None], rtol=1e-6, atol=1e-9)
    assert np.abs(product).max() > 0


def test_recurrent_layer_is_refused_naming_it(built):
    adapter = built("lstm", recurrent_model)[1]
    x = RNG.normal(size=(2, 32, 1)).astype(np.float32)
    for name in ("lrp", "deeplift", "guided_backprop", "guided_gradcam"):
        with pytest.raises(MethodNotApplicableError) as caught:
            get_method(name)().attribute(adapter, x, np.zeros(2, np.int32))
        assert "(LSTM) has no propagation rule" in str(caught.value) and "integrated_gradients" in str(caught.value)


def test_not_applicable_says_why_before_running(folder, built):
    """What ``-m all`` asks before it runs a method: the refusal's message, or None where the pass runs."""
    lstm = built("lstm", recurrent_model)[1]
    cnn = adapter_for(small_cnn(length=24, channels=1, outputs=2, seed=1), ".keras", folder)
    for name in ("lrp", "deeplift", "guided_backprop", "deconvnet", "guided_gradcam"):
        method = get_method(name)()
        assert method.not_applicable(cnn) is None, name
        reason = method.not_applicable(lstm)
        assert reason and ("(LSTM) has no propagation rule" in reason or "no Conv1D layer" in reason), name


def test_bad_rule_settings_are_usage_errors():
    with pytest.raises(UsageError, match="α − β must be 1"):
        get_method("lrp")(lrp_alpha=2.0, lrp_beta=0.5)
    with pytest.raises(UsageError, match="--lrp-composite must be one of"):
        get_method("lrp")(lrp_composite="epsilon_minus")
    with pytest.raises(UsageError, match="interp"):
        get_method("deeplift")(baselines="interp")


def test_bounds_that_do_not_hold_are_refused(built):
    adapter = single_dense(built)
    with pytest.raises(UsageError, match="do not hold every input value"):
        lrp(adapter, X, ZERO_TARGETS, lrp_input_rule="zb", lrp_low=-1.0, lrp_high=1.0)


@pytest.mark.parametrize(
    "pool",
    [
        keras.layers.MaxPooling1D(2),  # tiling windows: winners found by reshaping
        keras.layers.MaxPooling1D(3, strides=2, padding="same"),  # overlapping, padded: by forward derivatives
        keras.layers.GlobalMaxPooling1D(),
    ],
    ids=["tiling", "overlapping", "global"],
)
def test_deeplift_sums_to_the_delta_through_max_pooling(folder, pool):
    """Zero-valued ReLU outputs tie inside windows and equal the reference's there: the winner of x₀ takes
    the window's share where the winner of x has no difference (else summation-to-delta breaks)."""
    keras.utils.set_random_seed(7)
    layers = [keras.layers.Conv1D(4, 3, padding="same", activation="relu"), pool]
    if not isinstance(pool, keras.layers.GlobalMaxPooling1D):
        layers += [keras.layers.Conv1D(3, 3, activation="relu"), keras.layers.Flatten()]
    model = keras.Sequential([keras.Input((21, 1)), *layers, keras.layers.Dense(2)], name=f"pool_{pool.name}")
    adapter = adapter_for(model, ".keras", folder)
    x = RNG.normal(size=(6, 21, 1)).astype(np.float32)
    targets = np.array([0, 1, 0, 1, 0, 1], np.int32)
    logits = adapter.logits(x)[np.arange(6), targets]
    for baseline in ("zero", "mean", "blur"):
        out = get_method("deeplift")(baselines=baseline).attribute(adapter, x, targets)
        assert np.abs(out["deeplift_delta"]).max() <= 1e-5 * max(1.0, np.abs(logits).max()), baseline
        assert np.abs(out["deeplift"]).max() > 0


def every_layer_kind(elu: bool) -> keras.Model:
    """Padding, cropping, up-sampling, averages, concatenation, permutes and the elementwise activations in
    one Functional model (ELU optional: it is not positively homogeneous, so LRP-0 ≠ gradient × input)."""
    keras.utils.set_random_seed(11)
    L = keras.layers
    inputs = keras.Input((20, 2))
    h = L.LeakyReLU(negative_slope=0.1)(L.Conv1D(4, 3, padding="same")(L.ZeroPadding1D(2)(inputs)))
    a = L.Conv1D(3, 3, padding="same", activation="relu")(h)
    b = L.PReLU(alpha_initializer=keras.initializers.Constant(0.2))(L.Conv1D(3, 1)(h))
    c = L.AveragePooling1D(2)(L.Concatenate()([a, b]))
    c = L.Cropping1D((2, 2))(L.UpSampling1D(2)(c))
    side = L.Conv1D(6, 3, padding="same", activation="elu" if elu else "relu")(c)
    merged = L.Permute((2, 1))(L.Average()([c, side]))
    out = L.Dense(3)(L.Dropout(0.3)(L.Flatten()(merged)))
    return keras.Model(inputs, L.Softmax()(out), name=f"every_kind_{elu}")


@pytest.mark.parametrize("fmt", [".keras", ".h5"])
def test_every_covered_layer_kind(folder, fmt):
    x = RNG.normal(size=(4, 20, 2)).astype(np.float32)
    targets = np.array([0, 1, 2, 0], np.int32)
    homogeneous = adapter_for(every_layer_kind(elu=False), fmt, folder)
    grads, _ = homogeneous.gradients(x, targets)
    np.testing.assert_allclose(lrp(homogeneous, x, targets, lrp_rule="zero")["lrp"], grads * x, rtol=1e-4, atol=1e-6)
    with_elu = adapter_for(every_layer_kind(elu=True), fmt, folder)
    logits = with_elu.logits(x)[np.arange(4), targets]
    for baseline in ("zero", "blur"):
        out = get_method("deeplift")(baselines=baseline).attribute(with_elu, x, targets)
        assert np.abs(out["deeplift_delta"]).max() <= 1e-5 * max(1.0, np.abs(logits).max()), baseline
    for name in ("lrp", "guided_backprop", "deconvnet"):
        maps = get_method(name)().attribute(with_elu, x, targets)[name]
        assert maps.shape == x.shape and np.isfinite(maps).all() and np.abs(maps).max() > 0, name


def test_reveal_cancel_by_hand(folder):
    """Shrikumar et al. 2017 sec. 3.5.3: y = ReLU(x1 − x2) at x = (1, 1) against 0. Δz = 0, so Rescale gives
    both inputs nothing; RevealCancel splits Δz⁺ = 1, Δz⁻ = −1: Δy⁺ = ½(ReLU(1) − 0) + ½(ReLU(0) − ReLU(−1))
    = ½ and Δy⁻ = −½; through the next layer's weight 2, x1 gets +1 and x2 gets −1."""
    w1 = np.array([[1.0, 0.0], [-1.0, 0.0]])
    w2 = np.array([[2.0, 0.0], [0.0, 0.0]])
    adapter = adapter_for(mlp(w1, np.zeros(2), w2, np.zeros(2), 2), ".keras", folder)
    x = np.array([[[1.0], [1.0]], [[2.0], [0.5]]], np.float32)
    targets = np.zeros(2, np.int32)
    rescale = get_method("deeplift")().attribute(adapter, x, targets)["deeplift"][:, :, 0]
    reveal = get_method("deeplift")(deeplift_rule="revealcancel").attribute(adapter, x, targets)["deeplift"][:, :, 0]
    np.testing.assert_allclose(rescale[0], [0.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(reveal[0], [1.0, -1.0], rtol=1e-6)
    # x = (2, 0.5): Δz⁺ = 2, Δz⁻ = −0.5, Δy⁺ = ½(2 − 0) + ½(1.5 − 0) = 1.75, Δy⁻ = ½(0 − 0) + ½(1.5 − 2) = −0.25
    np.testing.assert_allclose(reveal[1], [2 * 1.75, 2 * -0.25], rtol=1e-6)
    np.testing.assert_allclose(rescale[1], [2 * 2.0, 2 * -0.5], rtol=1e-6)  # Δy/Δz = 1 for a positive z


def conv_reference(x, kernel, bias, stride: int, padding: str, rule: str, relevance, bounds=(None, None)):
    """LRP of one Conv1D layer written out index by index: ``R_i = Σ_(t,f) q_itf / Σ_i' q_i'tf · R_tf``."""
    length, channels = x.shape
    k, _, filters = kernel.shape
    out_length = relevance.shape[0]
    left = 0
    if padding == "same":
        left = max((out_length - 1) * stride + k - length, 0) // 2
    low, high = bounds
    result = np.zeros_like(x, dtype=np.float64)
    for t in range(out_length):
        for f in range(filters):
            terms = []  # (input position, channel, contribution)
            for j in range(k):
                i = t * stride + j - left
                if not 0 <= i < length:
                    continue
                for c in range(channels):
                    w, xi = kernel[j, c, f], x[i, c]
                    q = {
                        "epsilon": xi * w,
                        "zplus": max(xi * w, 0.0),
                        "flat": 1.0,
                        "w_square": w * w,
                        "zb": xi * w
                        - (low * max(w, 0) if low is not None else 0)
                        - (high * min(w, 0) if high is not None else 0),
                    }[rule]
                    terms.append((i, c, q))
            total = sum(q for _, _, q in terms)
            if rule == "epsilon":
                z = total + bias[f]
                total = z + 0.25 * (1 if z >= 0 else -1)
            elif rule == "zplus":
                total += max(bias[f], 0.0)
            for i, c, q in terms:
                if total != 0:
                    result[i, c] += q / total * relevance[t, f]
    return result


@pytest.mark.parametrize("rule", ["epsilon", "zplus", "flat", "w_square", "zb"])
@pytest.mark.parametrize("stride, padding", [(1, "same"), (2, "same"), (2, "valid")])
def test_first_layer_rules_on_a_convolution_index_by_index(built, rule, stride, padding):
    def make() -> keras.Model:
        keras.utils.set_random_seed(5)
        conv = keras.layers.Conv1D(3, 3, strides=stride, padding=padding, activation="relu", name="conv")
        dense = keras.layers.Dense(2, name="dense")
        layers = [keras.Input((11, 2)), conv, keras.layers.Flatten(), dense]
        model = keras.Sequential(layers, name=f"conv_{stride}_{padding}")
        conv.set_weights([conv.get_weights()[0], np.array([0.1, -0.2, 0.05], np.float32)])
        return model

    model, adapter = built(f"conv_{stride}_{padding}", make, ".h5")  # one model for the five rules
    conv, dense = model.get_layer("conv"), model.get_layer("dense")
    x = RNG.normal(size=(2, 11, 2)).astype(np.float32)
    targets = np.array([0, 1], np.int32)
    out = lrp(adapter, x, targets, lrp_rule="epsilon", lrp_input_rule=rule)["lrp"]
    kernel, bias = (w.astype(np.float64) for w in conv.get_weights())
    w2, b2 = (w.astype(np.float64) for w in dense.get_weights())
    for n in range(2):
        z = np.asarray(model.get_layer("conv")(x[n : n + 1]))[0].astype(np.float64)  # ReLU outputs (L', F)
        k = targets[n]
        logit = z.reshape(-1) @ w2[:, k] + b2[k]
        stabilised = logit + 0.25 * (1 if logit >= 0 else -1)
        upper = (z.reshape(-1) * w2[:, k] / stabilised * logit).reshape(z.shape)
        bounds = (float(x[n].min()), float(x[n].max())) if rule == "zb" else (None, None)
        expected = conv_reference(x[n].astype(np.float64), kernel, bias, stride, padding, rule, upper, bounds)
        np.testing.assert_allclose(out[n], expected, rtol=1e-4, atol=1e-6)


def test_a_plugin_method_can_reuse_the_engine(folder):
    """What a plugin writes to get its own rule set: a Method whose attribute calls ``propagate``."""
    from signalscreen_cli.methods.base import Method
    from signalscreen_cli.methods.relevance import LRP
    from signalscreen_cli.propagation.composites import Backward
    from signalscreen_cli.propagation.engine import propagate

    class PositiveRelevance(Method):
        """z⁺ everywhere, flat first layer."""

        name, family, paper = "positive_relevance", "gradient", "Montavon et al. 2019"

        def attribute(self, adapter, x, targets):
            return {self.name: propagate(adapter, x, targets, Backward("lrp", "zplus", "flat"))[0]}

    adapter = adapter_for(small_cnn(length=24, channels=2, outputs=3, seed=8), ".keras", folder)
    x = RNG.normal(size=(3, 24, 2)).astype(np.float32)
    targets = np.array([2, 1, 0], np.int32)
    ours = PositiveRelevance().attribute(adapter, x, targets)["positive_relevance"]
    built_in = LRP(lrp_rule="zplus", lrp_input_rule="flat").attribute(adapter, x, targets)["lrp"]
    np.testing.assert_array_equal(ours, built_in)
    assert np.abs(ours).max() > 0
