"""Independent references for ``test_crosscheck.py``: a model zoo of its own and every attribution method
written again from its paper's definition with plain TensorFlow (GradientTape, model calls) and numpy.

Nothing here imports ``signalscreen_cli``: the logits are recomputed from the kernel and bias of each
model's last Dense layer, not found by the package's logic, and every loop is written out by hand.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

# ---------------------------------------------------------------------------------------------- the zoo


@dataclass
class ZooModel:
    """A model of the zoo and what an independent reference needs to know about it.

    Attributes
    ----------
    name : str
        Key in :data:`BUILDERS`; also the file name of its saved copies.
    model : keras.Model
        The model as built in memory (weights seeded).
    head : str
        Name of the last Dense layer: its kernel and bias give the logits.
    activation : str
        What the model applies to the logits: ``softmax``, ``sigmoid`` or ``linear``.
    cam_layer : str or None
        Last Conv1D-type layer (what the CAM methods must use), ``None`` for a model without one.
    x : numpy.ndarray
        Test signals ``(n, L, C)``, float32.
    targets : numpy.ndarray
        One target unit per signal (not only the predicted class).
    signal_input : str or None
        A model with several inputs: the signal's (the others are held at ``context``).
    context : dict of str to numpy.ndarray
        The other inputs' values, one row per signal, by input name.
    output : str or None
        A model with several heads: the one explained (the name of its last layer).
    """

    name: str
    model: keras.Model
    head: str
    activation: str
    cam_layer: str | None
    x: np.ndarray
    targets: np.ndarray
    signal_input: str | None = None
    context: dict[str, np.ndarray] = field(default_factory=dict)
    output: str | None = None

    @property
    def explained(self) -> keras.Model:
        """The model as it is explained: its head ``output`` alone when it has several."""
        if self.output is None:
            return self.model
        return keras.Model(self.model.inputs, self.model.get_layer(self.output).output)

    def signal_tensor(self) -> keras.KerasTensor:
        inputs = self.model.inputs
        return inputs[0] if self.signal_input is None else next(t for t in inputs if t.name == self.signal_input)


def signals(n: int, length: int, channels: int, seed: int) -> np.ndarray:
    """ECG-ish test signals: a few sinusoids, a sharp bump and noise per channel, an offset per signal."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, length)[None, :, None]
    freq = rng.uniform(1.0, 4.0, size=(n, 1, channels))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1, channels))
    centre = rng.uniform(0.2, 0.8, size=(n, 1, 1))
    bump = 2.0 * np.exp(-(((t - centre) / 0.04) ** 2))
    noise = 0.2 * rng.standard_normal((n, length, channels))
    offset = rng.normal(0.0, 0.3, size=(n, 1, 1))
    return (np.sin(2 * np.pi * freq * t + phase) + bump + noise + offset).astype(np.float32)


def _randomise_biases_and_norms(model: keras.Model, seed: int) -> None:
    """Non-zero biases and BatchNormalization statistics far from the identity, so that every term and
    the inference-mode normalisation matter."""
    rng = np.random.default_rng(seed + 1000)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights(
                [
                    rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
                    rng.normal(0.0, 0.2, beta.shape).astype(np.float32),
                    rng.normal(0.0, 0.5, mean.shape).astype(np.float32),
                    rng.uniform(0.3, 2.0, var.shape).astype(np.float32),
                ]
            )
            continue
        weights = layer.get_weights()
        names = [w.path for w in layer.weights]
        if not weights:
            continue
        layer.set_weights(
            [
                rng.normal(0.0, 0.2, w.shape).astype(np.float32) if "bias" in name else w
                for w, name in zip(weights, names, strict=True)
            ]
        )


def _finish(
    name: str,
    model: keras.Model,
    head: str,
    activation: str,
    cam_layer: str | None,
    n: int,
    seed: int,
    targets,
    **others,
) -> ZooModel:
    _randomise_biases_and_norms(model, seed)
    signal = ZooModel(name, model, head, activation, cam_layer, np.zeros(0), np.zeros(0), **others).signal_tensor()
    length, channels = (signal.shape[1], signal.shape[2] if len(signal.shape) == 3 else 1)
    x = signals(n, length, channels, seed)
    return ZooModel(name, model, head, activation, cam_layer, x, np.asarray(targets, np.int32), **others)


def seq_fused(seed: int = 1, head: str = "fused", functional: bool = False) -> ZooModel:
    """Conv1D → MaxPool → Conv1D → GAP → Dense(3): softmax fused in the Dense (``fused``), as a separate
    ``Activation`` (``activation``) or ``Softmax`` (``softmax``) layer; Sequential or Functional.

    The same ``seed`` gives the same weights whatever the head, so the three must agree exactly.
    """
    keras.utils.set_random_seed(seed)
    layers = [
        keras.layers.Conv1D(6, 5, padding="same", activation="relu", name="c1"),
        keras.layers.MaxPooling1D(2, name="pool"),
        keras.layers.Conv1D(8, 3, padding="same", activation="relu", name="c2"),
        keras.layers.GlobalAveragePooling1D(name="gap"),
        keras.layers.Dense(3, activation="softmax" if head == "fused" else None, name="dense"),
    ]
    if head == "activation":
        layers.append(keras.layers.Activation("softmax", name="probs"))
    elif head == "softmax":
        layers.append(keras.layers.Softmax(name="probs"))
    inputs = keras.Input((32, 1))
    name = f"{'func' if functional else 'seq'}_{head}"
    if functional:
        tensor = inputs
        for layer in layers:
            tensor = layer(tensor)
        model = keras.Model(inputs, tensor, name=name)
    else:
        model = keras.Sequential([inputs, *layers], name=name)
    return _finish(name, model, "dense", "softmax", "c2", 3, seed, [0, 1, 2])


def residual(seed: int = 2) -> ZooModel:
    """Functional: Conv1D → Conv1D with an Add skip connection around it → ReLU → GAP → Dense → Activation."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((40, 2))
    stem = keras.layers.Conv1D(8, 5, padding="same", activation="relu", name="stem")(inputs)
    last = keras.layers.Conv1D(8, 3, padding="same", name="last_conv")(stem)
    merged = keras.layers.Add(name="skip")([stem, last])
    merged = keras.layers.ReLU(name="post_relu")(merged)
    pooled = keras.layers.GlobalAveragePooling1D(name="gap")(merged)
    logits = keras.layers.Dense(4, name="dense")(pooled)
    probs = keras.layers.Activation("softmax", name="probs")(logits)
    model = keras.Model(inputs, probs, name="residual")
    return _finish("residual", model, "dense", "softmax", "last_conv", 3, seed, [3, 0, 2])


def ecg12(seed: int = 3) -> ZooModel:
    """Functional 12-lead model: strided Conv1D → Conv1D → Flatten → Dense(5) → Softmax layer."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((48, 12))
    h = keras.layers.Conv1D(8, 7, strides=2, padding="same", activation="relu", name="lead_mix")(inputs)
    h = keras.layers.Conv1D(6, 5, padding="same", activation="relu", name="conv_top")(h)
    h = keras.layers.Flatten(name="flat")(h)
    logits = keras.layers.Dense(5, name="dense")(h)
    probs = keras.layers.Softmax(name="probs")(logits)
    model = keras.Model(inputs, probs, name="ecg12")
    return _finish("ecg12", model, "dense", "softmax", "conv_top", 3, seed, [4, 1, 2])


def gru(seed: int = 4) -> ZooModel:
    """A recurrent classifier without any conv layer: GRU → Dense(3, softmax)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((24, 2)),
            keras.layers.GRU(6, name="gru"),
            keras.layers.Dense(3, activation="softmax", name="dense"),
        ],
        name="gru",
    )
    return _finish("gru", model, "dense", "softmax", None, 3, seed, [2, 0, 1])


def bn_dropout(seed: int = 5) -> ZooModel:
    """Conv1D → BatchNorm → ReLU → Dropout → Conv1D → BatchNorm → ReLU → GAP → Dropout → Dense(2, softmax),
    trained one quick epoch on random data (so its saved files hold an optimizer too)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((32, 1)),
            keras.layers.Conv1D(8, 5, padding="same", name="conv_a"),
            keras.layers.BatchNormalization(name="bn_a"),
            keras.layers.ReLU(name="relu_a"),
            keras.layers.Dropout(0.5, name="drop_a"),
            keras.layers.Conv1D(8, 3, padding="same", name="conv_b"),
            keras.layers.BatchNormalization(name="bn_b"),
            keras.layers.ReLU(name="relu_b"),
            keras.layers.GlobalAveragePooling1D(name="gap"),
            keras.layers.Dropout(0.3, name="drop_b"),
            keras.layers.Dense(2, activation="softmax", name="dense"),
        ],
        name="bn_dropout",
    )
    _randomise_biases_and_norms(model, seed)
    rng = np.random.default_rng(seed)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(signals(32, 32, 1, seed + 50), rng.integers(0, 2, 32), epochs=1, batch_size=16, verbose=0)
    x = signals(3, 32, 1, seed)
    return ZooModel("bn_dropout", model, "dense", "softmax", "conv_b", x, np.array([1, 0, 1], np.int32))


def regression(seed: int = 7) -> ZooModel:
    """Functional regression: Conv1D(tanh) → AveragePooling → Conv1D(relu) → GAP → Dense(1), linear."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((36, 1))
    h = keras.layers.Conv1D(6, 5, padding="same", activation="tanh", name="c1")(inputs)
    h = keras.layers.AveragePooling1D(2, name="avg")(h)
    h = keras.layers.Conv1D(6, 3, padding="same", activation="relu", name="c2")(h)
    h = keras.layers.GlobalAveragePooling1D(name="gap")(h)
    out = keras.layers.Dense(1, name="dense")(h)
    model = keras.Model(inputs, out, name="regression")
    return _finish("regression", model, "dense", "linear", "c2", 3, seed, [0, 0, 0])


def multi_regression(seed: int = 7) -> ZooModel:
    """Sequential, three linear outputs: Conv1D ('valid') → SeparableConv1D (stride 2, the last conv) →
    GAP → Dense(3)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((40, 1)),
            keras.layers.Conv1D(6, 5, activation="relu", name="c1"),
            keras.layers.SeparableConv1D(8, 3, strides=2, activation="relu", name="sep"),
            keras.layers.GlobalAveragePooling1D(name="gap"),
            keras.layers.Dense(3, name="dense"),
        ],
        name="multi_regression",
    )
    return _finish("multi_regression", model, "dense", "linear", "sep", 3, seed, [2, 0, 1])


def binary_sigmoid(seed: int = 11) -> ZooModel:
    """Functional: Conv1D → MaxPool → Conv1D → GlobalMaxPooling → Dense(1, sigmoid)."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((32, 1))
    h = keras.layers.Conv1D(6, 5, padding="same", activation="relu", name="c1")(inputs)
    h = keras.layers.MaxPooling1D(2, name="pool")(h)
    h = keras.layers.Conv1D(6, 3, padding="same", activation="relu", name="c2")(h)
    h = keras.layers.GlobalMaxPooling1D(name="gmp")(h)
    out = keras.layers.Dense(1, activation="sigmoid", name="dense")(h)
    model = keras.Model(inputs, out, name="binary_sigmoid")
    return _finish("binary_sigmoid", model, "dense", "sigmoid", "c2", 3, seed, [0, 0, 0])


def flat_input(seed: int = 9) -> ZooModel:
    """Sequential with input ``(L,)`` (no channel axis): Reshape → Conv1D → Conv1D → GAP → Dense(3, softmax)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((32,)),
            keras.layers.Reshape((32, 1), name="to_channels"),
            keras.layers.Conv1D(6, 5, padding="same", activation="relu", name="c1"),
            keras.layers.Conv1D(6, 3, padding="same", activation="relu", name="c2"),
            keras.layers.GlobalAveragePooling1D(name="gap"),
            keras.layers.Dense(3, activation="softmax", name="dense"),
        ],
        name="flat_input",
    )
    return _finish("flat_input", model, "dense", "softmax", "c2", 3, seed, [1, 2, 0])


def sep_causal(seed: int = 10) -> ZooModel:
    """Functional, 3 channels: SeparableConv1D → MaxPool → dilated causal Conv1D (the last conv) → GAP →
    Dense(3) → Activation('softmax')."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((48, 3))
    h = keras.layers.SeparableConv1D(8, 5, padding="same", activation="relu", name="sep")(inputs)
    h = keras.layers.MaxPooling1D(2, name="pool")(h)
    h = keras.layers.Conv1D(8, 3, padding="causal", dilation_rate=2, activation="relu", name="causal")(h)
    h = keras.layers.GlobalAveragePooling1D(name="gap")(h)
    logits = keras.layers.Dense(3, name="dense")(h)
    probs = keras.layers.Activation("softmax", name="probs")(logits)
    model = keras.Model(inputs, probs, name="sep_causal")
    return _finish("sep_causal", model, "dense", "softmax", "causal", 3, seed, [0, 2, 1])


def ecg_and_meta(seed: int = 12) -> ZooModel:
    """Two inputs: the signal ``ecg`` (36, 2) through Conv1D → Conv1D → GAP, beside ``meta`` (3,) through a
    Dense; Concatenate → Dense(3) → Activation('softmax'). ``meta`` is held at each signal's own row."""
    keras.utils.set_random_seed(seed)
    ecg, meta = keras.Input((36, 2), name="ecg"), keras.Input((3,), name="meta")
    h = keras.layers.Conv1D(6, 5, padding="same", activation="relu", name="c1")(ecg)
    h = keras.layers.Conv1D(8, 3, padding="same", activation="relu", name="c2")(h)
    h = keras.layers.GlobalAveragePooling1D(name="gap")(h)
    m = keras.layers.Dense(4, activation="tanh", name="meta_dense")(meta)
    joined = keras.layers.Concatenate(name="join")([h, m])
    logits = keras.layers.Dense(3, name="dense")(joined)
    model = keras.Model([ecg, meta], keras.layers.Activation("softmax", name="probs")(logits), name="ecg_and_meta")
    context = {"meta": np.random.default_rng(seed).normal(0.0, 1.5, (3, 3)).astype(np.float32)}
    return _finish(
        "ecg_and_meta", model, "dense", "softmax", "c2", 3, seed, [2, 0, 1], signal_input="ecg", context=context
    )


def two_heads(output: str, seed: int = 13) -> ZooModel:
    """Two heads on one trunk, Conv1D → MaxPool → Conv1D → GAP: ``rhythm`` Dense(3, softmax) and ``morph``
    Dense(1, sigmoid); the zoo model explains head ``output``. The same seed gives the same weights."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((32, 1), name="beat")
    h = keras.layers.Conv1D(6, 5, padding="same", activation="relu", name="c1")(inputs)
    h = keras.layers.MaxPooling1D(2, name="pool")(h)
    h = keras.layers.Conv1D(8, 3, padding="same", activation="relu", name="c2")(h)
    h = keras.layers.GlobalAveragePooling1D(name="gap")(h)
    rhythm = keras.layers.Dense(3, activation="softmax", name="rhythm")(h)
    morph = keras.layers.Dense(1, activation="sigmoid", name="morph")(h)
    model = keras.Model(inputs, [rhythm, morph], name="two_heads")
    activation, targets = ("softmax", [1, 2, 0]) if output == "rhythm" else ("sigmoid", [0, 0, 0])
    return _finish(f"two_heads_{output}", model, output, activation, "c2", 3, seed, targets, output=output)


BUILDERS = {
    "seq_fused": lambda: seq_fused(head="fused"),
    "seq_activation": lambda: seq_fused(head="activation"),
    "func_softmax_layer": lambda: seq_fused(head="softmax", functional=True),
    "residual": residual,
    "ecg12": ecg12,
    "gru": gru,
    "bn_dropout": bn_dropout,
    "regression": regression,
    "multi_regression": multi_regression,
    "binary_sigmoid": binary_sigmoid,
    "flat_input": flat_input,
    "sep_causal": sep_causal,
    "ecg_and_meta": ecg_and_meta,
    "two_heads_rhythm": lambda: two_heads("rhythm"),
    "two_heads_morph": lambda: two_heads("morph"),
}
"""Every model of the zoo; the first three share weights and differ only in how the softmax is applied, and
so do the two ``two_heads`` models, which explain one head each."""


# ------------------------------------------------------------------------------------- the references


def resize_linear(maps: np.ndarray, length: int) -> np.ndarray:
    """``(n, L', K)`` → ``(n, length, K)`` with ``tf.image.resize`` (bilinear, half-pixel centres)."""
    images = tf.constant(maps[:, :, None, :].astype(np.float32))  # (batch, height=L', width=1, channels)
    return tf.image.resize(images, (length, 1), method="bilinear").numpy()[:, :, 0, :]


def trapezoid(points: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the composite trapezoid rule with ``points`` equally spaced nodes on [0, 1]."""
    alphas = np.linspace(0.0, 1.0, points)
    h = 1.0 / (points - 1)
    weights = np.array([h / 2 if i in (0, points - 1) else h for i in range(points)])
    return alphas, weights


class Reference:
    """Attribution methods on one in-memory model, from their definitions.

    The logits are ``features @ kernel + bias`` with the kernel and bias of the model's head Dense layer and
    ``features`` the tensor entering it, whatever activation the Dense or a following layer applies.
    """

    def __init__(self, zoo: ZooModel, context: dict[str, np.ndarray] | None = None) -> None:
        self.zoo = zoo
        self.context = {name: tf.constant(row[None]) for name, row in (context or {}).items()}
        model = zoo.explained
        head = model.get_layer(zoo.head)
        kernel, bias = head.get_weights()
        self.kernel, self.bias = tf.constant(kernel), tf.constant(bias)
        outputs = [head.input]
        if zoo.cam_layer is not None:
            outputs.append(model.get_layer(zoo.cam_layer).output)
        self.features = keras.Model(model.inputs, outputs)
        self.channel_axis = len(zoo.signal_tensor().shape) == 3
        self.input_names = [tensor.name for tensor in model.inputs]
        spec = tf.TensorSpec((None, *zoo.x.shape[1:]), tf.float32)
        # compiled once for speed (the recurrent model is slow eagerly); layer gradients stay eager
        self._outputs = tf.function(
            lambda x: model(self._model_input(x), training=False), input_signature=[spec], reduce_retracing=True
        )
        self._gradients = tf.function(
            self._input_gradients, input_signature=[spec, tf.TensorSpec((None,), tf.int32)], reduce_retracing=True
        )

    # ---- model calls ----
    def _model_input(self, x: tf.Tensor) -> tf.Tensor | list[tf.Tensor]:
        signal = x if self.channel_axis else tf.reshape(x, (tf.shape(x)[0], tf.shape(x)[1]))
        if not self.context:
            return signal
        held = {name: tf.repeat(row, tf.shape(x)[0], axis=0) for name, row in self.context.items()}
        return [held.get(name, signal) for name in self.input_names]  # every copy of the one signal: its own row

    def _parts(self, x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor | None]:
        out = self.features(self._model_input(x), training=False)
        out = out if isinstance(out, (list, tuple)) else [out]
        logits = tf.matmul(out[0], self.kernel) + self.bias
        return logits, (out[1] if len(out) > 1 else None)

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The model's own outputs (probabilities for softmax/sigmoid models)."""
        return self._outputs(tf.constant(np.asarray(x, np.float32))).numpy()

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self._parts(tf.constant(np.asarray(x, np.float32)))[0].numpy()

    def squash(self, logits: np.ndarray) -> np.ndarray:
        """Softmax/sigmoid/identity of the logits, as the model's output should be."""
        z = logits.astype(np.float64)
        if self.zoo.activation == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        if self.zoo.activation == "sigmoid":
            return 1.0 / (1.0 + np.exp(-z))
        return z

    def _input_gradients(self, x: tf.Tensor, targets: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            tape.watch(x)
            chosen = tf.gather(self._parts(x)[0], targets, axis=1, batch_dims=1)
        return tape.gradient(chosen, x)  # signals are independent: the gradient of the sum is per signal

    def input_gradients(self, x: np.ndarray, targets: np.ndarray, chunk: int = 2048) -> np.ndarray:
        """``∂ logit[target] / ∂x`` per signal, ``(n, L, C)``."""
        out = []
        for start in range(0, len(x), chunk):
            xt = tf.constant(np.asarray(x[start : start + chunk], np.float32))
            rows = tf.constant(np.asarray(targets[start : start + chunk], np.int32))
            out.append(self._gradients(xt, rows).numpy())
        return np.concatenate(out)

    def layer_gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Activations ``A`` of the CAM layer ``(n, L', K)`` and ``∂ logit[target] / ∂A``."""
        xt = tf.constant(np.asarray(x, np.float32))
        with tf.GradientTape() as tape:
            logits, activations = self._parts(xt)
            chosen = tf.gather(logits, tf.constant(targets, tf.int32), axis=1, batch_dims=1)
        grads = tape.gradient(chosen, activations)
        assert grads is not None, "no gradient path from the CAM layer to the logits"
        return activations.numpy(), grads.numpy()

    # ---- gradient methods ----
    def saliency(self, x, targets):
        return np.abs(self.input_gradients(x, targets))

    def gradient_x_input(self, x, targets):
        return x * self.input_gradients(x, targets)

    def completeness_difference(self, x, targets) -> np.ndarray:
        """``F(x) − F(0)``: what integrated gradients from a zero baseline sum to."""
        rows = np.arange(len(x))
        return (self.logits(x) - self.logits(np.zeros_like(x)))[rows, targets].astype(np.float64)

    def integrated_gradients(self, x, targets, points: int = 513) -> np.ndarray:
        """Zero baseline: ``x ⊙ ∫₀¹ ∂F(αx)/∂x dα`` by the trapezoid rule on ``points`` nodes."""
        alphas, weights = trapezoid(points)
        out = np.zeros_like(x, dtype=np.float64)
        for n in range(len(x)):
            path = (alphas[:, None, None] * x[n][None].astype(np.float64)).astype(np.float32)
            grads = self.input_gradients(path, np.full(points, targets[n]))
            out[n] = x[n] * np.einsum("a,alc->lc", weights, grads.astype(np.float64))
        return out

    def noisy_gradients(self, x, targets, samples: int, noise: float, rng_for) -> np.ndarray:
        """Gradients at ``samples`` noisy copies of each signal, ``(n, samples, L, C)``; σ = noise × range.

        ``rng_for(signal)`` gives the generator of that signal's draws.
        """
        out = []
        for n in range(len(x)):
            sigma = noise * float(x[n].max() - x[n].min())
            draws = rng_for(x[n]).standard_normal((samples, *x[n].shape))
            noisy = (x[n][None] + sigma * draws).astype(np.float32)
            out.append(self.input_gradients(noisy, np.full(samples, targets[n])))
        return np.stack(out)

    def documented_noisy_gradients(self, x, targets, samples: int, noise: float, seed: int) -> np.ndarray:
        """:meth:`noisy_gradients` with the documented seeding rule: each signal's draws come from
        ``default_rng([seed, crc32(float32 bytes of the signal)])``, shape ``(samples, L, C)``."""

        def rng_for(signal: np.ndarray) -> np.random.Generator:
            return np.random.default_rng([seed, zlib.crc32(np.ascontiguousarray(signal, dtype=np.float32).tobytes())])

        return self.noisy_gradients(x, targets, samples, noise, rng_for)

    # ---- occlusion ----
    def occlusion(self, x, targets, width: int, channel: int | None = None) -> np.ndarray:
        """``p_c(x) − p_c(x with [i − (w−1)//2, i + w//2] zeroed)`` for every centre ``i``, ``(n, L)``; only
        ``channel`` is zeroed when given. One occluded copy per position, built by hand."""
        n, length, _ = x.shape
        reference = self.outputs(x)
        out = np.zeros((n, length))
        for s in range(n):
            copies = []
            for i in range(length):
                copy = x[s].copy()
                lo, hi = max(0, i - (width - 1) // 2), min(length - 1, i + width // 2)
                if channel is None:
                    copy[lo : hi + 1, :] = 0.0
                else:
                    copy[lo : hi + 1, channel] = 0.0
                copies.append(copy)
            occluded = self.outputs(np.stack(copies))
            out[s] = reference[s, targets[s]] - occluded[:, targets[s]]
        return out

    def spectral_occlusion(self, x, targets, bands: int) -> np.ndarray:
        """``p_c(x) − p_c(x with the FFT bins of band b zeroed)`` for ``bands`` equal hard-edged bands between 0
        and the Nyquist frequency (the last band keeps its upper edge), ``(n, B)``; float64 FFTs, one by one."""
        n, length, _ = x.shape
        frequencies = np.arange(length // 2 + 1) / length
        edges = np.linspace(0, 0.5, bands + 1)
        reference = self.outputs(x)[np.arange(n), targets]
        out = np.zeros((n, bands))
        for b in range(bands):
            inside = (frequencies >= edges[b]) & ((frequencies < edges[b + 1]) | (b == bands - 1))
            copies = []
            for s in range(n):
                spectrum = np.fft.rfft(x[s].astype(np.float64), axis=0)
                spectrum[inside] = 0
                copies.append(np.fft.irfft(spectrum, n=length, axis=0))
            out[:, b] = reference - self.outputs(np.stack(copies))[np.arange(n), targets]
        return out

    def segment_shapley(self, x, targets, segments: int) -> np.ndarray:
        """Shapley values ``(n, S)`` of ``segments`` near-equal segments against a zero baseline, as the mean
        marginal contribution over every order of the segments (Shapley's definition)."""
        import itertools
        import math

        n, length, _ = x.shape
        bounds = np.round(np.linspace(0, length, segments + 1)).astype(int)
        out = np.zeros((n, segments))
        for s in range(n):
            coalitions = list(itertools.product([0, 1], repeat=segments))
            copies = np.zeros((len(coalitions), *x.shape[1:]), np.float32)
            for k, held in enumerate(coalitions):
                for player in np.flatnonzero(held):
                    copies[k, bounds[player] : bounds[player + 1]] = x[s, bounds[player] : bounds[player + 1]]
            value = dict(zip(coalitions, self.outputs(copies)[:, targets[s]].astype(np.float64), strict=True))
            for order in itertools.permutations(range(segments)):
                held = [0] * segments
                for player in order:
                    before = value[tuple(held)]
                    held[player] = 1
                    out[s, player] += value[tuple(held)] - before
        return out / math.factorial(segments)

    # ---- class-activation maps ----
    def gradcam(self, x, targets, relu: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Grad-CAM: ``ReLU(Σ_k mean_t(∂logit/∂A_k) A_k)``; (resized to L, raw at the layer's resolution)."""
        activations, grads = self.layer_gradients(x, targets)
        raw = np.zeros(activations.shape[:2])
        for n in range(len(x)):
            weights = grads[n].astype(np.float64).mean(axis=0)
            raw[n] = activations[n].astype(np.float64) @ weights
        raw = np.maximum(raw, 0.0) if relu else raw
        return resize_linear(raw[:, :, None], x.shape[1])[:, :, 0], raw

    def gradcam_plus_plus(self, x, targets, relu: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Grad-CAM++ (Chattopadhay et al. 2018, Eq. 19 with the exponential score):
        ``α = g² / (2g² + Σ_t A_t g³)``, ``w_k = Σ_t α ReLU(g)``, ``ReLU(Σ_k w_k A_k)``."""
        activations, grads = self.layer_gradients(x, targets)
        n, steps, channels = activations.shape
        raw = np.zeros((n, steps))
        for s in range(n):
            a, g = activations[s].astype(np.float64), grads[s].astype(np.float64)
            weights = np.zeros(channels)
            for k in range(channels):
                total = a[:, k].sum()
                for t in range(steps):
                    denominator = 2 * g[t, k] ** 2 + total * g[t, k] ** 3
                    alpha = g[t, k] ** 2 / denominator if denominator != 0 else 0.0
                    weights[k] += alpha * max(g[t, k], 0.0)
            raw[s] = a @ weights
        raw = np.maximum(raw, 0.0) if relu else raw
        return resize_linear(raw[:, :, None], x.shape[1])[:, :, 0], raw

    def scorecam(self, x, targets, relu: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Score-CAM: channel ``k``'s activation resized to L and min-max scaled to [0, 1] masks the input;
        its weight is the model's own output for the target on the masked input; ``ReLU(Σ_k w_k A_k)``."""
        activations, _ = self.layer_gradients(x, targets)
        n, _, channels = activations.shape
        masks = resize_linear(activations, x.shape[1])  # (n, L, K)
        raw = np.zeros(activations.shape[:2])
        for s in range(n):
            masked = []
            for k in range(channels):
                m = masks[s, :, k].astype(np.float64)
                span = m.max() - m.min()
                m = (m - m.min()) / span if span > 0 else np.zeros_like(m)
                masked.append(x[s] * m[:, None])
            weights = self.outputs(np.stack(masked).astype(np.float32))[:, targets[s]]
            raw[s] = activations[s].astype(np.float64) @ weights.astype(np.float64)
        raw = np.maximum(raw, 0.0) if relu else raw
        return resize_linear(raw[:, :, None], x.shape[1])[:, :, 0], raw


class HeldContext:
    """The references of a model with other inputs beside the signal, signal by signal: signal ``s``'s are
    those of the one-input model ``x ↦ model(x, others = row s)`` (a :class:`Reference` with that row held).

    Any reference method is called as on a :class:`Reference`; every array argument with one row per signal
    (the signals, their targets) is cut to signal ``s`` for its reference, and the results are joined.
    """

    def __init__(self, zoo: ZooModel) -> None:
        self.zoo = zoo
        rows = range(len(zoo.x))
        self.signals = [Reference(zoo, {name: values[s] for name, values in zoo.context.items()}) for s in rows]
        model = zoo.explained
        head = model.get_layer(zoo.head)
        self.head_input = keras.Model(model.inputs, head.input)
        self.kernel, self.bias = (tf.constant(w) for w in head.get_weights())

    def __getattr__(self, name: str):
        if name in ("zoo", "signals", "head_input", "kernel", "bias"):
            raise AttributeError(name)
        n = len(self.zoo.x)

        def per_signal(*args, **kwargs):
            parts = []
            for s, reference in enumerate(self.signals):
                cut = [a[s : s + 1] if isinstance(a, np.ndarray) and len(a) == n else a for a in args]
                parts.append(getattr(reference, name)(*cut, **kwargs))
            if isinstance(parts[0], tuple):
                return tuple(np.concatenate(column) for column in zip(*parts, strict=True))
            return np.concatenate(parts)

        return per_signal


    def _joint_gradients(self, inputs: dict[str, np.ndarray], target: int) -> dict[str, np.ndarray]:
        """``∂ logit[target] / ∂`` every input, at each row of ``inputs`` (by input name)."""
        tensors = {name: tf.constant(values.astype(np.float32)) for name, values in inputs.items()}
        with tf.GradientTape() as tape:
            for tensor in tensors.values():
                tape.watch(tensor)
            features = self.head_input([tensors[t.name] for t in self.head_input.inputs], training=False)
            chosen = tf.reduce_sum((tf.matmul(features, self.kernel) + self.bias)[:, target])
        grads = tape.gradient(chosen, tensors)
        return {name: grads[name].numpy().astype(np.float64) for name in tensors}

    def _inputs(self, x: np.ndarray, s: int) -> dict[str, np.ndarray]:
        return {self.zoo.signal_input: x[s], **{name: values[s] for name, values in self.zoo.context.items()}}

    def joint_integrated_gradients(self, x, targets, points: int = 513) -> dict[str, np.ndarray]:
        """Integrated gradients of every input along one straight path from all-zero baselines (Sundararajan
        et al. 2017 with the inputs as one vector): ``v ⊙ ∫₀¹ ∂F(αx, αm)/∂v dα`` for ``v`` = each input, by
        the trapezoid rule on ``points`` nodes; by input name, one row per signal."""
        alphas, weights = trapezoid(points)
        out: dict[str, list[np.ndarray]] = {}
        for s in range(len(x)):
            point = self._inputs(x, s)
            path = {name: np.einsum("a,...->a...", alphas, value.astype(np.float64)) for name, value in point.items()}
            grads = self._joint_gradients(path, int(targets[s]))
            for name, value in point.items():
                integral = np.tensordot(weights, grads[name], axes=1)
                out.setdefault(name, []).append(value * integral)
        return {name: np.stack(rows) for name, rows in out.items()}

    def integrated_gradients(self, x, targets, points: int = 513) -> np.ndarray:
        """The signal's part of :meth:`joint_integrated_gradients` (every input moves along the path)."""
        return self.joint_integrated_gradients(x, targets, points)[self.zoo.signal_input]

    def context_gradients(self, x, targets) -> dict[str, np.ndarray]:
        """``∂ logit[target] / ∂m`` for each other input ``m``, one row per signal."""
        rows = [self._joint_gradients({k: v[None] for k, v in self._inputs(x, s).items()}, int(targets[s]))
                for s in range(len(x))]  # fmt: skip
        return {name: np.concatenate([row[name] for row in rows]) for name in self.zoo.context}

    def completeness_difference(self, x, targets) -> np.ndarray:
        """``F(x, m) − F(0, 0)``: what the joint path's attributions of every input sum to."""
        zero = {name: np.zeros_like(values[0]) for name, values in self.zoo.context.items()}
        rows = np.arange(len(x))
        at_zero = Reference(self.zoo, zero).logits(np.zeros_like(x))
        return (self.logits(x) - at_zero)[rows, targets].astype(np.float64)


def reference_of(zoo: ZooModel) -> Reference | HeldContext:
    """The independent reference of a zoo model: :class:`HeldContext` where it has other inputs."""
    return HeldContext(zoo) if zoo.context else Reference(zoo)
