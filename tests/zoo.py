"""Small hand-built and random Keras models shared by the tests."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from signalscreen_cli.model.adapter import ModelAdapter
from signalscreen_cli.model.files import load_model

FORMATS = ("memory", ".keras", ".h5")


def adapter_for(model: keras.Model, fmt: str, folder: Path, batch_size: int = 512) -> ModelAdapter:
    """The adapter of ``model`` as built in memory, or after a save/reload in ``fmt``."""
    if fmt == "memory":
        return ModelAdapter(model, batch_size=batch_size)
    path = folder / f"{model.name}{fmt}"
    model.save(path)
    return load_model(path, batch_size=batch_size)


def built_once(folder: Path):
    """``get(key, make, fmt=".keras") -> (model, adapter)``: ``make()``'s model and its adapter (saved and reloaded
    in ``fmt``), made on the first call for each ``(key, fmt)`` and returned again after. For a module's tests
    that only read a model (the methods never change weights): one model, save/reload and trace, not one each."""
    made: dict[tuple[str, str], tuple[keras.Model, ModelAdapter]] = {}

    def get(key: str, make, fmt: str = ".keras") -> tuple[keras.Model, ModelAdapter]:
        if (key, fmt) not in made:
            model = make()
            made[key, fmt] = model, adapter_for(model, fmt, folder)
        return made[key, fmt]

    return get


def _stack(name: str, inputs: keras.KerasTensor, layers: list, functional: bool) -> keras.Model:
    if not functional:
        return keras.Sequential([inputs, *layers], name=name)
    tensor = inputs
    for layer in layers:
        tensor = layer(tensor)
    return keras.Model(inputs, tensor, name=f"{name}_functional")


def build_linear(
    length: int, channels: int, weights: np.ndarray, bias: np.ndarray, head: str = "linear", functional: bool = False
) -> keras.Model:
    """``f(x) = W·flatten(x) + b`` on ``(L, C)`` inputs, ``weights`` of shape ``(L*C, K)``.

    Heads: ``linear``, ``fused`` (softmax inside Dense), ``activation`` (separate Activation layer),
    ``softmax`` (Softmax layer), ``sigmoid`` (sigmoid inside Dense).
    """
    activation = {"fused": "softmax", "sigmoid": "sigmoid"}.get(head)
    dense = keras.layers.Dense(weights.shape[1], activation=activation, name="dense")
    layers: list[keras.layers.Layer] = [keras.layers.Flatten(), dense]
    if head == "activation":
        layers.append(keras.layers.Activation("softmax", name="probs"))
    elif head == "softmax":
        layers.append(keras.layers.Softmax(name="probs"))
    model = _stack(f"linear_{head}", keras.Input((length, channels)), layers, functional)
    dense.set_weights([weights.astype(np.float32), bias.astype(np.float32)])
    return model


def conv_gap_dense(
    length: int,
    channels: int,
    filters: int,
    outputs: int,
    kernel: int,
    seed: int,
    head: str = "softmax_layer",
    functional: bool = False,
) -> keras.Model:
    """Conv1D (linear, 'same') → GlobalAveragePooling1D → Dense, weights drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    conv = keras.layers.Conv1D(filters, kernel, padding="same", name="conv")
    dense = keras.layers.Dense(outputs, name="dense", activation="softmax" if head == "fused" else None)
    layers = [conv, keras.layers.GlobalAveragePooling1D(name="gap"), dense]
    if head == "softmax_layer":
        layers.append(keras.layers.Softmax(name="probs"))
    model = _stack(f"cgd_{head}", keras.Input((length, channels)), layers, functional)
    conv.set_weights(
        [rng.normal(size=(kernel, channels, filters)).astype(np.float32), rng.normal(size=filters).astype(np.float32)]
    )
    dense.set_weights(
        [rng.normal(size=(filters, outputs)).astype(np.float32), rng.normal(size=outputs).astype(np.float32)]
    )
    return model


def small_cnn(length: int = 64, channels: int = 1, outputs: int = 3, seed: int = 0) -> keras.Model:
    """A random two-conv ReLU CNN with a separate softmax layer."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((length, channels)),
            keras.layers.Conv1D(6, 5, padding="same", activation="relu", name="c1"),
            keras.layers.MaxPooling1D(2),
            keras.layers.Conv1D(8, 3, padding="same", activation="relu", name="c2"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(outputs, name="logits"),
            keras.layers.Activation("softmax", name="probs"),
        ],
        name="small_cnn",
    )


def residual_cnn(length: int = 48, channels: int = 2, outputs: int = 3, seed: int = 0) -> keras.Model:
    """A Functional residual model: the last conv output is added to a skip path."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((length, channels))
    stem = keras.layers.Conv1D(6, 3, padding="same", activation="relu", name="stem")(inputs)
    branch = keras.layers.Conv1D(6, 3, padding="same", dilation_rate=2, activation="relu", name="branch")(stem)
    merged = keras.layers.Add(name="add")([stem, branch])
    pooled = keras.layers.GlobalAveragePooling1D()(merged)
    outputs_tensor = keras.layers.Dense(outputs, activation="softmax", name="head")(pooled)
    return keras.Model(inputs, outputs_tensor, name="residual_cnn")


def recurrent_model(length: int = 32, channels: int = 1, seed: int = 0) -> keras.Model:
    """An LSTM classifier with one sigmoid unit and no conv layer."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((length, channels)), keras.layers.LSTM(4), keras.layers.Dense(1, activation="sigmoid")],
        name="lstm_binary",
    )


def regression_cnn(length: int = 40, channels: int = 1, seed: int = 0) -> keras.Model:
    """A SeparableConv1D regression model with one linear output."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((length, channels)),
            keras.layers.SeparableConv1D(4, 5, padding="same", activation="relu", name="sep"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1, name="out"),
        ],
        name="regression",
    )


def deep_residual_cnn(length: int = 187, channels: int = 1, outputs: int = 5, seed: int = 0) -> keras.Model:
    """A deeper random residual CNN: a stem, three residual blocks (BatchNorm, a dilated block, pools between)
    and a global-average head; the incremental occlusion benchmark's second model."""
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    inputs = keras.Input((length, channels))
    tensor = layers.Conv1D(16, 7, padding="same", activation="relu", name="stem")(inputs)
    tensor = layers.BatchNormalization(name="stem_bn")(tensor)
    for block, dilation in enumerate((1, 1, 2)):
        branch = layers.Conv1D(16, 5, padding="same", dilation_rate=dilation, activation="relu", name=f"b{block}a")(
            tensor
        )
        branch = layers.Conv1D(16, 5, padding="same", dilation_rate=dilation, name=f"b{block}b")(branch)
        tensor = layers.Activation("relu", name=f"b{block}_relu")(layers.Add(name=f"b{block}_add")([tensor, branch]))
        if block < 2:
            tensor = layers.MaxPooling1D(2, name=f"b{block}_pool")(tensor)
    pooled = layers.GlobalAveragePooling1D(name="gap")(tensor)
    return keras.Model(inputs, layers.Dense(outputs, activation="softmax", name="head")(pooled), name="deep_residual")


# ---- models with several outputs or inputs (issue 26) ----
def _trunk(signal: keras.KerasTensor) -> keras.KerasTensor:
    conv = keras.layers.Conv1D(4, 5, padding="same", activation="relu", name="conv")(signal)
    return keras.layers.GlobalAveragePooling1D(name="gap")(conv)


def two_head_cnn(length: int = 32, channels: int = 1, seed: int = 0, heads: tuple[str, ...] = ("rhythm", "morph")):
    """Conv1D → GAP, then a softmax head ``rhythm`` (3 classes) and a linear head ``morph`` (2); with ``heads``
    one name, that head alone (the same layers, built anew): the model each head must be explained as."""
    signal = keras.Input((length, channels), name="ecg")
    features = _trunk(signal)
    made = {
        "rhythm": keras.layers.Dense(3, activation="softmax", name="rhythm")(features),
        "morph": keras.layers.Dense(2, name="morph")(features),
    }
    model = keras.Model(signal, [made[head] for head in heads], name="two_head" if len(heads) > 1 else heads[0])
    rng = np.random.default_rng(seed)
    for name in ("conv", "rhythm", "morph"):  # the same weights whichever heads are built
        layer = next((layer for layer in model.layers if layer.name == name), None)
        shapes = [w.shape for w in keras.Model(signal, [*made.values()]).get_layer(name).get_weights()]
        values = [rng.normal(size=shape).astype(np.float32) for shape in shapes]
        if layer is not None:
            layer.set_weights(values)
    return model


def linear_two_input(length: int, channels: int, w: np.ndarray, v: np.ndarray) -> keras.Model:
    """``f(x, m) = w·flatten(x) + v·m`` (no bias, linear): inputs ``ecg`` ``(L, C)`` and ``meta`` ``(F,)``;
    ``w`` ``(L*C, K)``, ``v`` ``(F, K)``."""
    signal = keras.Input((length, channels), name="ecg")
    meta = keras.Input((v.shape[0],), name="meta")
    joined = keras.layers.Concatenate(name="join")([keras.layers.Flatten(name="flat")(signal), meta])
    dense = keras.layers.Dense(w.shape[1], use_bias=False, name="dense")
    model = keras.Model([signal, meta], dense(joined), name="linear_two_input")
    dense.set_weights([np.concatenate([w, v]).astype(np.float32)])
    return model


def ecg_and_meta_cnn(length: int = 32, channels: int = 1, features: int = 2, outputs: int = 3, seed: int = 0):
    """A Conv1D branch on the signal ``ecg`` and a Dense branch on ``age_sex``, concatenated, then a softmax
    head: the shape of an ECG classifier that also takes age and sex."""
    signal = keras.Input((length, channels), name="ecg")
    meta = keras.Input((features,), name="age_sex")
    conv = keras.layers.Conv1D(4, 5, padding="same", activation="relu", name="conv")(signal)
    pooled = keras.layers.GlobalAveragePooling1D(name="gap")(conv)
    dense = keras.layers.Dense(3, activation="tanh", name="meta_dense")(meta)
    joined = keras.layers.Concatenate(name="join")([pooled, dense])
    model = keras.Model([signal, meta], keras.layers.Dense(outputs, activation="softmax", name="probs")(joined))
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def ecg_and_ppg_cnn(ecg: tuple[int, int] = (32, 1), ppg: tuple[int, int] = (16, 2), seed: int = 0):
    """Two signal inputs, ``ecg`` ``(L1, C1)`` and ``ppg`` ``(L2, C2)``, each through its own Conv1D branch,
    pooled and concatenated into a softmax head: a fusion model."""
    branches, inputs = [], []
    for name, shape in (("ecg", ecg), ("ppg", ppg)):
        signal = keras.Input(shape, name=name)
        conv = keras.layers.Conv1D(3, 3, padding="same", activation="relu", name=f"{name}_conv")(signal)
        branches.append(keras.layers.GlobalAveragePooling1D(name=f"{name}_gap")(conv))
        inputs.append(signal)
    joined = keras.layers.Concatenate(name="join")(branches)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="probs")(joined), name="ecg_ppg")
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in model.get_weights()])
    return model
