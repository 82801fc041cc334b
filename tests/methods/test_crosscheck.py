"""Every method against an independent implementation (``tests/independent.py``) on a zoo of models the
other tests do not use, each as built in memory and after a save/reload as ``.keras`` and legacy ``.h5``.

The package is only called to obtain its results; the references recompute the logits from each model's
head Dense layer and implement the methods from their papers with GradientTape, model calls and numpy.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from signalscreen_cli import load_model
from signalscreen_cli.errors import MethodNotApplicableError
from signalscreen_cli.methods import get_method
from signalscreen_cli.model.adapter import ModelAdapter
from signalscreen_cli.model.context import bind
from tests.independent import BUILDERS, HeldContext, Reference, ZooModel, reference_of, signals, trapezoid

# Keras' own numpy-2 deprecation noise on every eager call, not ours
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")

MODELS = list(BUILDERS)
CONV_MODELS = [name for name in MODELS if name != "gru"]
FORMATS = ("memory", ".keras", ".h5")
WIDTHS = (1, 4, 7)  # occlusion: a single sample, an even and an odd window
NOISE = {"noise_samples": 8, "noise": 0.1, "seed": 3}
PARAMETERS: dict[str, dict] = {
    "occlusion": {"sliding_window": WIDTHS},
    "saliency": {},
    "gradient_x_input": {},
    "integrated_gradients": {},  # defaults: 64 Gauss-Legendre nodes, steps doubled until a 1 % gap
    "integrated_gradients_trapezoid": {"n_steps": 33, "method": "trapezoid", "tolerance": math.inf},
    "smoothgrad": NOISE,
    "smoothgrad_squared": NOISE,
    "vargrad": NOISE,
    "gradcam": {},
    "gradcam_plus_plus": {},
    "scorecam": {},
}
CAMS = ("gradcam", "gradcam_plus_plus", "scorecam")
NOISY = ("smoothgrad", "smoothgrad_squared", "vargrad")

# Tolerances, relative to the largest magnitude of the reference array (``scale``) where absolute.
GRADIENT_TOL = {"rtol": 1e-4, "atol_scale": 1e-5}  # same maths, float32, graph vs eager kernels
CAM_TOL = {"rtol": 1e-3, "atol_scale": 1e-4}  # + a float64/float32 weighted sum and a resize
IG_VS_FINE_TOL = {"rtol": 0.0, "atol_scale": 0.02}  # adaptive Gauss-Legendre vs 512-interval trapezoid
OCCLUSION_ATOL = 2e-6  # difference of two float32 outputs of size ≤ ~1


def assert_close(actual, expected, rtol: float, atol_scale: float, what: str) -> None:
    """``|actual − expected| ≤ atol_scale · max|expected| + rtol · |expected|``, with a non-trivial reference."""
    expected = np.asarray(expected, np.float64)
    scale = float(np.abs(expected).max())
    assert scale > 0, f"{what}: the reference is all zeros, the comparison would prove nothing"
    assert np.shape(actual) == expected.shape, f"{what}: shape {np.shape(actual)} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol_scale * scale, err_msg=what)


class Lab:
    """Builds each zoo model, reference and adapter once per module, and caches results."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._zoo: dict[str, ZooModel] = {}
        self._refs: dict[str, Reference | HeldContext] = {}
        self._adapters: dict[tuple[str, str, int], ModelAdapter] = {}
        self._results: dict[tuple[str, str, str], dict[str, np.ndarray]] = {}
        self._expected: dict[tuple, object] = {}

    def zoo(self, name: str) -> ZooModel:
        if name not in self._zoo:
            self._zoo[name] = BUILDERS[name]()
            self._refs[name] = reference_of(self._zoo[name])  # before any adapter adds nodes to the graph
        return self._zoo[name]

    def ref(self, name: str) -> Reference | HeldContext:
        self.zoo(name)
        return self._refs[name]

    def adapter(self, name: str, fmt: str, batch_size: int = 512) -> ModelAdapter:
        key = (name, fmt, batch_size)
        if key not in self._adapters:
            zoo = self.zoo(name)
            chosen = {"batch_size": batch_size, "output": zoo.output, "signal_input": zoo.signal_input}
            if fmt == "memory":
                adapter = ModelAdapter(zoo.model, **chosen)
            else:
                path = self.folder / f"{name}{fmt}"
                if not path.exists():
                    zoo.model.save(path)
                adapter = load_model(path, **chosen)
            # a model with other inputs: each test signal's own row of them goes with every call
            self._adapters[key] = bind(adapter, [zoo.context[other.name] for other in adapter.context_inputs])
        return self._adapters[key]

    def expected(self, name: str, method: str, *args, **kwargs):
        """``Reference(name).method(x, targets, *args, **kwargs)`` on the model's test signals, computed once
        for all three formats."""
        key = (name, method, args, tuple(sorted(kwargs.items())))
        if key not in self._expected:
            zoo = self.zoo(name)
            self._expected[key] = getattr(self.ref(name), method)(zoo.x, zoo.targets, *args, **kwargs)
        return self._expected[key]

    def result(self, name: str, fmt: str, config: str) -> dict[str, np.ndarray]:
        """The package's arrays for ``config`` (a key of PARAMETERS) on the model's test signals."""
        key = (name, fmt, config)
        if key not in self._results:
            zoo = self.zoo(name)
            method = get_method(config.replace("_trapezoid", ""))(**PARAMETERS[config])
            self._results[key] = method.attribute(self.adapter(name, fmt), zoo.x, zoo.targets)
        return self._results[key]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    return Lab(tmp_path_factory.mktemp("crosscheck_models"))


# ------------------------------------------------------------------------------------ models and logits


@pytest.mark.parametrize("name", MODELS)
def test_reference_logits_reproduce_the_model(lab, name):
    """Sanity check of the reference itself: squashing its logits gives the model's own output."""
    zoo, ref = lab.zoo(name), lab.ref(name)
    outputs = ref.outputs(zoo.x)
    np.testing.assert_allclose(ref.squash(ref.logits(zoo.x)), outputs, rtol=1e-5, atol=1e-6)
    if zoo.activation != "linear":
        assert np.all((outputs > 0) & (outputs < 1))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_adapter_predictions_logits_and_layer(lab, name, fmt):
    zoo, ref = lab.zoo(name), lab.ref(name)
    adapter = lab.adapter(name, fmt)
    np.testing.assert_allclose(adapter.predict(zoo.x), ref.outputs(zoo.x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(adapter.logits(zoo.x), ref.logits(zoo.x), rtol=1e-5, atol=1e-6)
    assert adapter.n_outputs == zoo.explained.outputs[0].shape[-1]
    assert adapter.input_shape == zoo.x.shape[1:]
    if zoo.cam_layer is None:
        with pytest.raises(MethodNotApplicableError):
            adapter.resolve_layer(None)
    else:
        assert adapter.resolve_layer(None) == zoo.cam_layer


@pytest.mark.parametrize("fmt", FORMATS)
def test_fused_and_separate_softmax_are_the_same_model(lab, fmt):
    """Softmax inside the Dense, as an Activation layer, or as a Softmax layer (Functional): same weights, so
    the same logits and identical attributions from every method."""
    names = ("seq_fused", "seq_activation", "func_softmax_layer")
    x = lab.zoo(names[0]).x
    logits = [lab.adapter(name, fmt).logits(x) for name in names]
    np.testing.assert_allclose(logits[0], lab.ref(names[0]).logits(x), rtol=1e-6, atol=1e-6)
    for other in logits[1:]:
        np.testing.assert_allclose(other, logits[0], rtol=1e-6, atol=1e-7)
    for config in PARAMETERS:
        first = lab.result(names[0], fmt, config)
        for name in names[1:]:
            for array, values in lab.result(name, fmt, config).items():
                np.testing.assert_allclose(values, first[array], rtol=1e-5, atol=1e-7, err_msg=f"{name} {array}")


# -------------------------------------------------------------------------------------- gradient methods


@pytest.mark.parametrize("method", ["saliency", "gradient_x_input"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_saliency_and_gradient_x_input(lab, name, fmt, method):
    expected = lab.expected(name, method)
    assert_close(lab.result(name, fmt, method)[method], expected, **GRADIENT_TOL, what=f"{name} {fmt} {method}")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_integrated_gradients_default_against_fine_trapezoid(lab, name, fmt):
    zoo, ref = lab.zoo(name), lab.ref(name)
    out = lab.result(name, fmt, "integrated_gradients")
    ours = out["integrated_gradients"]
    assert_close(ours, lab.expected(name, "integrated_gradients", points=513), **IG_VS_FINE_TOL, what=name)
    # completeness, against logits computed by the reference: Σ IG = F(x) − F(0) (every input's IG, F(x, m) −
    # F(0, 0), for a model with other inputs: they move along the path too)
    difference = ref.completeness_difference(zoo.x, zoo.targets)
    others = [out[f"integrated_gradients.{other}"].reshape(len(zoo.x), -1) for other in zoo.context]
    total = ours.sum(axis=(1, 2), dtype=np.float64) + sum(part.sum(axis=1, dtype=np.float64) for part in others)
    gap = np.abs(total - difference)
    relative = np.where(np.abs(difference) < 1e-3, gap, gap / np.maximum(np.abs(difference), 1e-3))
    # every signal of the zoo can converge (our 512-interval sums leave gaps below 0.5 %): none may be left
    # above the 1 % tolerance, not even at the 1024-step cap
    assert np.all(relative <= 0.0101), (relative, out["integrated_gradients_steps"])
    np.testing.assert_allclose(out["integrated_gradients_delta"], relative, rtol=1e-2, atol=1e-5)


CONTEXT_MODELS = [name for name in MODELS if name.startswith("ecg_and")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", CONTEXT_MODELS)
def test_other_inputs_attributions(lab, name, fmt):
    """A model with other inputs: saliency, gradient × input and integrated gradients of each other input
    (``METHOD.INPUT``, one value per feature) are the reference's, written on the whole model's inputs."""
    zoo, ref = lab.zoo(name), lab.ref(name)
    gradients = ref.context_gradients(zoo.x, zoo.targets)
    joint = ref.joint_integrated_gradients(zoo.x, zoo.targets, points=33)
    for other, values in zoo.context.items():
        expected = {"saliency": np.abs(gradients[other]), "gradient_x_input": values * gradients[other]}
        for method, wanted in expected.items():
            got = lab.result(name, fmt, method)[f"{method}.{other}"]
            assert_close(got, wanted, **GRADIENT_TOL, what=f"{name} {fmt} {method}.{other}")
        got = lab.result(name, fmt, "integrated_gradients_trapezoid")[f"integrated_gradients.{other}"]
        assert_close(got, joint[other], **GRADIENT_TOL, what=f"{name} {fmt} integrated_gradients.{other}")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_integrated_gradients_same_rule_matches_tightly(lab, name, fmt):
    """With the package's trapezoid rule on 33 nodes and no step doubling, our own 33-node trapezoid sum
    must agree to float precision."""
    zoo = lab.zoo(name)
    out = lab.result(name, fmt, "integrated_gradients_trapezoid")
    assert out["integrated_gradients_steps"].tolist() == [33] * len(zoo.x)
    expected = lab.expected(name, "integrated_gradients", points=33)
    assert_close(out["integrated_gradients"], expected, **GRADIENT_TOL, what=f"{name} {fmt}")


@pytest.mark.parametrize("statistic", NOISY)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_smoothgrad_family_with_the_documented_draws(lab, name, fmt, statistic):
    """Noise σ = 0.1 × (max − min) of each signal drawn from default_rng([seed, crc32(signal)]): reproduced
    draw for draw, so the mean / mean square / variance of the gradients must agree tightly."""
    grads = lab.expected(name, "documented_noisy_gradients", NOISE["noise_samples"], NOISE["noise"], NOISE["seed"])
    expected = {"smoothgrad": grads.mean(axis=1), "smoothgrad_squared": (grads**2).mean(axis=1)}
    expected["vargrad"] = grads.var(axis=1)  # population variance (ddof=0), as Adebayo et al.'s VarGrad
    tol = GRADIENT_TOL if statistic == "smoothgrad" else {"rtol": 1e-3, "atol_scale": 1e-4}
    assert_close(lab.result(name, fmt, statistic)[statistic], expected[statistic], **tol, what=f"{name} {statistic}")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["ecg12", "gru", "flat_input", "binary_sigmoid"])
def test_smoothgrad_family_zero_noise_limit(lab, name, fmt):
    zoo, ref = lab.zoo(name), lab.ref(name)
    adapter = lab.adapter(name, fmt)
    gradient = ref.input_gradients(zoo.x, zoo.targets)
    quiet = {"noise_samples": 4, "noise": 0.0, "seed": 1}
    mean = get_method("smoothgrad")(**quiet).attribute(adapter, zoo.x, zoo.targets)["smoothgrad"]
    square = get_method("smoothgrad_squared")(**quiet).attribute(adapter, zoo.x, zoo.targets)["smoothgrad_squared"]
    var = get_method("vargrad")(**quiet).attribute(adapter, zoo.x, zoo.targets)["vargrad"]
    assert_close(mean, gradient, **GRADIENT_TOL, what="σ=0 smoothgrad")
    assert_close(square, gradient**2, rtol=2e-4, atol_scale=1e-5, what="σ=0 smoothgrad_squared")
    assert np.abs(var).max() <= 1e-6 * float(np.abs(gradient).max()) ** 2


def _z_scores(package: np.ndarray, samples: np.ndarray, statistic: str) -> np.ndarray:
    """|package − own estimate| in standard errors of the difference of two independent m-sample estimates."""
    m = samples.shape[1]
    if statistic == "smoothgrad":
        values = samples
    elif statistic == "smoothgrad_squared":
        values = samples**2
    else:  # variance: its standard error from the fourth central moment
        centred = samples - samples.mean(axis=1, keepdims=True)
        estimate = (centred**2).mean(axis=1)
        se = np.sqrt(np.maximum((centred**4).mean(axis=1) - estimate**2, 0.0) / m)
        floor = 1e-6 * np.abs(estimate).max()
        return np.abs(package - estimate) / (math.sqrt(2) * se + floor)
    estimate = values.mean(axis=1)
    se = values.std(axis=1) / math.sqrt(m)
    floor = 1e-6 * np.abs(estimate).max()
    return np.abs(package - estimate) / (math.sqrt(2) * se + floor)


@pytest.mark.parametrize("statistic", NOISY)
@pytest.mark.parametrize("name", ["gru", "regression", "sep_causal"])
def test_smoothgrad_family_against_own_monte_carlo(lab, name, statistic):
    """256 noisy copies from the package against 256 from an unrelated generator: the mean squared z-score
    of the difference stays near 1 (ReLU gradients are heavy-tailed, so no per-element maximum), and the
    same statistic flags our estimate made with σ three times as large."""
    zoo, ref = lab.zoo(name), lab.ref(name)
    m, noise = 256, 0.1
    package = get_method(statistic)(noise_samples=m, noise=noise, seed=5).attribute(
        lab.adapter(name, "memory"), zoo.x, zoo.targets
    )[statistic]
    own_rng = np.random.default_rng(20240611)
    ours = ref.noisy_gradients(zoo.x, zoo.targets, m, noise, lambda signal: own_rng)
    z2 = float((_z_scores(package, ours, statistic) ** 2).mean())
    assert z2 < 4.0, f"mean z² {z2:.2f} between the package and an independent Monte-Carlo estimate"
    wider = ref.noisy_gradients(zoo.x, zoo.targets, m, 3 * noise, lambda signal: own_rng)
    assert float((_z_scores(package, wider, statistic) ** 2).mean()) > 8.0, "the check cannot tell σ from 3σ"


# -------------------------------------------------------------------------------------------- occlusion


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_occlusion_brute_force(lab, name, fmt):
    zoo, ref = lab.zoo(name), lab.ref(name)
    out = lab.result(name, fmt, "occlusion")
    scale = max(1.0, float(np.abs(ref.outputs(zoo.x)).max()))
    for width in WIDTHS:
        expected = lab.expected(name, "occlusion", width)
        assert np.abs(expected).max() > 1e-4, "occlusion changes nothing: a weak test"
        got = out[f"occlusion_w{width}"]
        assert got.shape == zoo.x.shape
        for channel in range(zoo.x.shape[2]):  # occluded together: every channel holds the same map
            np.testing.assert_allclose(got[:, :, channel], expected, rtol=0, atol=OCCLUSION_ATOL * scale)


@pytest.mark.parametrize("name", ["ecg12", "sep_causal"])
def test_occlusion_per_channel_with_stride(lab, name):
    """``occlude_channels='each'``: one map per channel; ``stride=3``: scores at every third centre and the
    last, linearly interpolated between."""
    zoo, ref = lab.zoo(name), lab.ref(name)
    length, channels = zoo.x.shape[1:]
    method = get_method("occlusion")(sliding_window=(5,), stride=3, occlude_channels="each")
    got = method.attribute(lab.adapter(name, ".keras"), zoo.x, zoo.targets)["occlusion_w5"]
    centres = np.unique(np.r_[np.arange(0, length, 3), length - 1])
    for channel in range(channels):
        full = ref.occlusion(zoo.x, zoo.targets, 5, channel=channel)
        expected = np.stack([np.interp(np.arange(length), centres, row[centres]) for row in full])
        np.testing.assert_allclose(got[:, :, channel], expected, rtol=0, atol=OCCLUSION_ATOL, err_msg=str(channel))
        np.testing.assert_allclose(got[:, centres, channel], full[:, centres], rtol=0, atol=OCCLUSION_ATOL)


# ------------------------------------------------------------------------------- frequency and segments


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_spectral_occlusion_and_segment_shapley_by_hand(lab, name, fmt):
    zoo, ref = lab.zoo(name), lab.ref(name)
    adapter = lab.adapter(name, fmt)
    scale = max(1.0, float(np.abs(ref.outputs(zoo.x)).max()))
    bands = get_method("spectral_occlusion")(bands=6, band_taper=0.0).attribute(adapter, zoo.x, zoo.targets)
    expected = lab.expected(name, "spectral_occlusion", 6)
    assert np.abs(expected).max() > 1e-4, "removing a band changes nothing: a weak test"
    for channel in range(zoo.x.shape[2]):
        np.testing.assert_allclose(
            bands["spectral_occlusion"][:, :, channel], expected, atol=4 * OCCLUSION_ATOL * scale
        )
    shapley = get_method("segment_shapley")(segments=4).attribute(adapter, zoo.x, zoo.targets)
    expected = lab.expected(name, "segment_shapley", 4)
    assert np.abs(expected).max() > 1e-4
    np.testing.assert_allclose(shapley["segment_shapley_values"], expected, atol=4 * OCCLUSION_ATOL * scale)
    assert shapley["segment_shapley_gap"].max() <= 1e-6 * scale


# ----------------------------------------------------------------------------------------- CAM methods


@pytest.mark.parametrize("method", CAMS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_cam_methods(lab, name, fmt, method):
    zoo = lab.zoo(name)
    if zoo.cam_layer is None:
        with pytest.raises(MethodNotApplicableError):
            lab.result(name, fmt, method)
        return
    resized, raw = lab.expected(name, method)
    out = lab.result(name, fmt, method)
    layer_length = zoo.model.get_layer(zoo.cam_layer).output.shape[1]
    assert raw.shape == (len(zoo.x), layer_length)
    assert_close(out[f"{method}_raw"], raw, **CAM_TOL, what=f"{name} {fmt} {method}_raw")
    assert_close(out[method], resized, **CAM_TOL, what=f"{name} {fmt} {method}")


@pytest.mark.parametrize("method", CAMS)
@pytest.mark.parametrize("name", CONV_MODELS)
def test_cam_methods_without_relu(lab, name, method):
    """``relu=False`` keeps the negative part of the weighted sum: catches sign errors the ReLU hides."""
    zoo = lab.zoo(name)
    resized, raw = getattr(lab.ref(name), method)(zoo.x, zoo.targets, relu=False)
    out = get_method(method)(relu=False).attribute(lab.adapter(name, ".keras"), zoo.x, zoo.targets)
    assert_close(out[f"{method}_raw"], raw, **CAM_TOL, what=f"{name} {method}_raw without ReLU")
    assert_close(out[method], resized, **CAM_TOL, what=f"{name} {method} without ReLU")


def test_xla_compiled_adapter_matches_the_references(lab):
    """``jit=True`` (XLA) must not change any method's result beyond float tolerance (12-lead model)."""
    import inspect

    if "jit" not in inspect.signature(ModelAdapter).parameters:
        pytest.skip("this version of ModelAdapter has no jit option")
    name = "ecg12"
    zoo = lab.zoo(name)
    adapter = ModelAdapter(zoo.model, jit=True)
    np.testing.assert_allclose(adapter.predict(zoo.x), lab.ref(name).outputs(zoo.x), rtol=1e-5, atol=1e-6)

    def run(config: str) -> dict[str, np.ndarray]:
        method = get_method(config.replace("_trapezoid", ""))(**PARAMETERS[config])
        return method.attribute(adapter, zoo.x, zoo.targets)

    for method in ("saliency", "gradient_x_input"):
        assert_close(run(method)[method], lab.expected(name, method), **GRADIENT_TOL, what=method)
    ig = run("integrated_gradients_trapezoid")["integrated_gradients"]
    assert_close(ig, lab.expected(name, "integrated_gradients", points=33), **GRADIENT_TOL, what="IG")
    grads = lab.expected(name, "documented_noisy_gradients", NOISE["noise_samples"], NOISE["noise"], NOISE["seed"])
    assert_close(run("smoothgrad")["smoothgrad"], grads.mean(axis=1), **GRADIENT_TOL, what="smoothgrad")
    occlusion = run("occlusion")
    for width in WIDTHS:
        expected = lab.expected(name, "occlusion", width)
        np.testing.assert_allclose(occlusion[f"occlusion_w{width}"][:, :, 0], expected, atol=OCCLUSION_ATOL)
    for method in CAMS:
        resized, raw = lab.expected(name, method)
        out = run(method)
        assert_close(out[f"{method}_raw"], raw, **CAM_TOL, what=f"{method}_raw")
        assert_close(out[method], resized, **CAM_TOL, what=method)


# ------------------------------------------------------------------------------------ targets, batching


TARGET_MODELS = ["ecg12", "binary_sigmoid", "regression", "multi_regression"]


def _expected_targets(spec: str, outputs: np.ndarray) -> np.ndarray:
    """``auto``: the argmax of the model's output, unit 0 of a one-output model; an index: that unit."""
    if spec == "auto":
        return outputs.argmax(axis=1) if outputs.shape[1] > 1 else np.zeros(len(outputs), int)
    return np.full(len(outputs), int(spec))


@pytest.mark.parametrize("name", TARGET_MODELS)
def test_pipeline_resolves_targets(lab, name):
    from signalscreen_cli.targets import Target

    zoo, ref = lab.zoo(name), lab.ref(name)
    x = signals(8, *zoo.x.shape[1:], seed=77)
    outputs = ref.outputs(x)
    units = outputs.shape[1]
    if units > 1:
        assert len(set(outputs.argmax(axis=1).tolist())) > 1, "test signals all predicted alike: a weak test"
    predictions = lab.adapter(name, ".h5").predict(x)
    for spec in ("auto", str(units - 1)):
        assert Target.parse(spec).select(predictions).tolist() == _expected_targets(spec, outputs).tolist(), spec
    assert Target.parse("all").select(predictions).tolist() == list(range(units))


@pytest.mark.parametrize(
    "name, target", [*((name, "auto") for name in TARGET_MODELS), ("multi_regression", "2"), ("ecg12", "all")]
)
def test_explain_end_to_end_targets_and_saliency(lab, name, target, tmp_path):
    """Through the public ``explain`` API and its ``attributions.npz``: targets, predictions and saliency
    maps are the reference's, per signal's resolved target (a class axis after n with ``all``)."""
    from signalscreen_cli import explain

    zoo, ref = lab.zoo(name), lab.ref(name)
    x = signals(8, *zoo.x.shape[1:], seed=77)
    np.save(tmp_path / "signals.npy", x)
    lab.adapter(name, ".keras")  # saves the model file
    explain(
        lab.folder / f"{name}.keras",
        tmp_path / "signals.npy",
        tmp_path / "out",
        methods=("saliency",),
        target=target,
        plots=False,
    )
    with np.load(tmp_path / "out" / "attributions.npz") as archive:
        saved = {key: archive[key] for key in archive.files}
    outputs = ref.outputs(x)
    np.testing.assert_allclose(saved["predictions"], outputs, rtol=1e-5, atol=1e-6)
    if target == "all":
        assert saved["targets"].tolist() == list(range(outputs.shape[1]))
        assert saved["saliency"].shape == (len(x), outputs.shape[1], *x.shape[1:])
        for unit in range(outputs.shape[1]):
            expected = ref.saliency(x, np.full(len(x), unit))
            assert_close(saved["saliency"][:, unit], expected, **GRADIENT_TOL, what=f"all, unit {unit}")
        return
    expected_targets = _expected_targets(target, outputs)
    assert saved["targets"].tolist() == expected_targets.tolist()
    assert_close(saved["saliency"], ref.saliency(x, expected_targets), **GRADIENT_TOL, what=f"target {target}")


BATCH_PARAMETERS = {**PARAMETERS, "integrated_gradients": {"n_steps": 16, "max_steps": 64}}
BATCH_PARAMETERS["occlusion"] = {"sliding_window": (4,)}
del BATCH_PARAMETERS["integrated_gradients_trapezoid"]


@pytest.mark.parametrize("method", list(BATCH_PARAMETERS))
@pytest.mark.parametrize("name", ["bn_dropout", "sep_causal"])
def test_batch_invariance(lab, name, method):
    """Each signal gives the same arrays alone as inside a batch, for adapters of batch size 1, 3 and 64."""
    zoo = lab.zoo(name)
    x = signals(5, *zoo.x.shape[1:], seed=91)
    targets = np.array([0, 1, 1, 0, 1]) % lab.adapter(name, "memory").n_outputs
    attribute = get_method(method)(**BATCH_PARAMETERS[method]).attribute
    together = attribute(lab.adapter(name, ".keras", batch_size=64), x, targets)
    assert not any(np.isnan(v).any() for v in together.values())
    for batch_size in (1, 3, 64):
        adapter = lab.adapter(name, ".keras", batch_size=batch_size)
        whole = attribute(adapter, x, targets) if batch_size != 64 else together
        for i in (0, 4):
            alone = attribute(adapter, x[i : i + 1], targets[i : i + 1])
            for array, values in together.items():
                scale = float(np.abs(values).max())
                np.testing.assert_allclose(alone[array][0], values[i], rtol=1e-4, atol=1e-6 * scale)
                np.testing.assert_allclose(whole[array], values, rtol=1e-4, atol=1e-6 * scale)


def test_trapezoid_helper_is_exact_for_linear_functions():
    alphas, weights = trapezoid(5)
    assert weights.sum() == pytest.approx(1.0) and (weights * alphas).sum() == pytest.approx(0.5)
