"""The compiled-adapter cache (``model/cache.py``) and the warm-up run once (``pipeline/warmth.py``).

A repeated one-shot ``explain(model, x)`` must be a warm call (no new trace, no new adapter), and never a
stale one: weights changed in place (``set_weights``, ``fit``) or a model file rewritten give a new adapter.
The known answer is the linear model's: the saliency of ``logit_k = Σ w[t, k] x[t] + b`` is ``|w[:, k]|``.
"""

from __future__ import annotations

import gc
import weakref

import keras
import numpy as np
import pytest

from signalscreen_cli import explain
from signalscreen_cli.api import request_for
from signalscreen_cli.model import cache
from signalscreen_cli.pipeline.specs import model_spec
from signalscreen_cli.pipeline.warmth import warm_up_key, warm_up_once
from tests.fakes import LinearAdapter

LENGTH, CLASSES = 6, 3
SIGNALS = np.random.default_rng(0).normal(size=(4, LENGTH, 1)).astype(np.float32)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.forget_all()
    yield
    cache.forget_all()


def linear_softmax(kernel: np.ndarray) -> keras.Model:
    """Flatten → Dense(softmax fused): the adapter's logits come from a twin of the Dense with copied weights."""
    inputs = keras.Input((LENGTH, 1))
    outputs = keras.layers.Dense(CLASSES, activation="softmax")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.set_weights([kernel, np.zeros(CLASSES, np.float32)])
    return model


def kernel(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(LENGTH, CLASSES)).astype(np.float32)


def saliency(model: object, target: int = 0) -> np.ndarray:
    return explain(model, SIGNALS, methods=("saliency",), target=str(target)).arrays["saliency"]


def expected(weights: np.ndarray, target: int = 0) -> np.ndarray:
    return np.broadcast_to(np.abs(weights[:, target])[None, :, None], SIGNALS.shape)


def adapter_of(model: object) -> object:
    """What the one-shot call with this model loads (through the cache)."""
    return model_spec(request_for(model, SIGNALS, None, {"methods": ("saliency",)})).load()


def trace_counts(adapter: object) -> list[int]:
    return [call.experimental_get_tracing_count() for call in adapter.compiled_calls()]


def test_a_repeated_one_shot_call_is_warm():
    model = linear_softmax(kernel(1))
    first = saliency(model)
    adapter = adapter_of(model)
    traced = trace_counts(adapter)
    second = saliency(model)
    assert adapter_of(model) is adapter
    assert trace_counts(adapter) == traced
    np.testing.assert_array_equal(first, second)


def test_weights_set_in_place_are_never_served_stale():
    model = linear_softmax(kernel(1))
    np.testing.assert_allclose(saliency(model), expected(kernel(1)), rtol=1e-6)
    old = adapter_of(model)
    model.set_weights([kernel(2), np.zeros(CLASSES, np.float32)])
    np.testing.assert_allclose(saliency(model), expected(kernel(2)), rtol=1e-6)
    assert adapter_of(model) is not old


def test_a_model_trained_between_calls_is_explained_with_its_new_weights():
    model = linear_softmax(kernel(1))
    saliency(model, target=1)
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    model.fit(SIGNALS, np.array([0, 1, 2, 0]), epochs=3, verbose=0)
    trained = model.get_weights()[0]
    assert not np.allclose(trained, kernel(1))
    np.testing.assert_allclose(saliency(model, target=1), expected(trained, target=1), rtol=1e-5)


def test_the_same_weights_set_again_keep_the_adapter():
    model = linear_softmax(kernel(1))
    saliency(model)
    adapter = adapter_of(model)
    model.set_weights(model.get_weights())
    assert adapter_of(model) is adapter


def test_a_replaced_layer_is_a_new_model_though_its_weights_are_equal():
    model = keras.Sequential([keras.Input((LENGTH, 1)), keras.layers.Flatten(), keras.layers.Dense(CLASSES)])
    saliency(model)
    adapter = adapter_of(model)
    model.add(keras.layers.Activation("softmax"))
    fresh = adapter_of(model)
    assert fresh is not adapter and fresh.output_activation == "softmax"


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_a_rewritten_model_file_is_loaded_again(tmp_path, suffix):
    path = tmp_path / f"linear{suffix}"
    linear_softmax(kernel(1)).save(path)
    np.testing.assert_allclose(saliency(path), expected(kernel(1)), rtol=1e-6)
    unchanged = adapter_of(path)
    assert adapter_of(path) is unchanged
    linear_softmax(kernel(3)).save(path)
    np.testing.assert_allclose(saliency(path), expected(kernel(3)), rtol=1e-6)


def test_the_cache_keeps_a_few_adapters_and_lets_the_others_go():
    models = [linear_softmax(kernel(seed)) for seed in range(cache.MAX_ENTRIES + 1)]
    for model in models:
        adapter_of(model)
    first = weakref.ref(models[0])
    del models[0], model
    gc.collect()
    assert len(cache._ENTRIES) == cache.MAX_ENTRIES
    assert first() is None


def test_the_warm_up_runs_once_per_adapter_methods_and_shape():
    from signalscreen_cli.methods import get_method

    adapter = LinearAdapter(np.ones((LENGTH, 1, CLASSES)), np.zeros(CLASSES))
    method = get_method("integrated_gradients")()
    other = get_method("integrated_gradients")(n_steps=8, max_steps=8)
    assert warm_up_once(adapter, [method], SIGNALS[:1], None)
    calls = adapter.calls
    assert not warm_up_once(adapter, [method], SIGNALS[:1], None)
    assert adapter.calls == calls
    assert warm_up_once(adapter, [other], SIGNALS[:1], None)
    assert warm_up_key([method], SIGNALS[:1], None) != warm_up_key([method], SIGNALS[:1, :4], None)
    assert warm_up_key([method], SIGNALS[:1], None) != warm_up_key([method], SIGNALS[:1], 4)
    assert warm_up_once(LinearAdapter(adapter.w, adapter.b), [method], SIGNALS[:1], None)


class Uncopyable:
    """A stand-in for a model that must not be copied (deep-copying a keras.Model pickles it)."""

    def __deepcopy__(self, memo: dict) -> None:
        raise AssertionError("the manifest deep-copied the in-memory model")


def test_the_manifest_leaves_the_in_memory_model_uncopied():
    from dataclasses import replace

    from signalscreen_cli.outputs.provenance import package_versions, request_parameters

    request = replace(request_for(linear_softmax(kernel(1)), SIGNALS, None, {}), model=Uncopyable())
    parameters = request_parameters(request)
    assert "model" not in parameters and "signals" not in parameters and parameters["methods"]
    package_versions()["numpy"] = "changed by a caller"
    assert package_versions()["numpy"] == np.__version__


def test_an_explainer_follows_its_model_retrained_in_place():
    from signalscreen_cli import Explainer

    model = linear_softmax(kernel(1))
    explainer = Explainer(model, ["saliency"], target="2")
    np.testing.assert_allclose(explainer.explain(SIGNALS).arrays["saliency"], expected(kernel(1), 2), rtol=1e-6)
    adapter = explainer.adapter
    explainer.explain(SIGNALS)
    assert explainer.adapter is adapter
    model.set_weights([kernel(4), np.zeros(CLASSES, np.float32)])
    np.testing.assert_allclose(explainer.explain(SIGNALS).arrays["saliency"], expected(kernel(4), 2), rtol=1e-6)


def test_one_call_hashes_the_weights_once_for_the_cache_and_the_manifest():
    import hashlib

    model = linear_softmax(kernel(1))
    read = model.get_weights
    reads = []
    model.get_weights = lambda: reads.append(1) or read()
    held = explain(model, SIGNALS, methods=("saliency",))
    assert len(reads) == 1
    by_hand = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes() for w in read())).hexdigest()
    assert held.manifest["model"]["sha256"] == by_hand  # the manifest's digest, as before
    explain(model, SIGNALS, methods=("saliency",))
    assert len(reads) == 2  # the next call checks again
