"""The method contract and batch invariance of every registered method on the two-input zoo model.

Each method either serves the model (an ECG ``(L, C)`` beside ``age_sex`` ``(F,)``: maps of the signal, and
``METHOD.age_sex`` per-feature arrays from the gradient methods) or says why not, once, through its
``not_applicable`` hook and as a ``MethodNotApplicableError`` when run anyway.
"""

from __future__ import annotations

import numpy as np
import pytest

from signalscreen_cli.errors import MethodNotApplicableError
from signalscreen_cli.methods import builtin_methods, get_method
from signalscreen_cli.model.context import FEATURE_KIND, array_kind, bind
from tests.methods.table import quick
from tests.zoo import adapter_for, ecg_and_meta_cnn

N, L, C, F = 5, 24, 2, 2
X = np.random.default_rng(2).normal(size=(N, L, C)).astype(np.float32)
META = np.random.default_rng(3).normal(size=(N, F)).astype(np.float32)
TARGETS = np.array([0, 1, 2, 1, 0], np.int32)
GRADIENT_METHODS = (
    *("saliency", "gradient_x_input", "integrated_gradients"),
    *("smoothgrad", "smoothgrad_squared", "vargrad"),
)
DECLINED = ("lrp", "deeplift", "guided_backprop", "deconvnet", "guided_gradcam")


@pytest.fixture(scope="module")
def adapter(tmp_path_factory):
    model = ecg_and_meta_cnn(length=L, channels=C, features=F, outputs=3, seed=5)
    return adapter_for(model, ".h5", tmp_path_factory.mktemp("two_input"))


@pytest.mark.parametrize("name", list(builtin_methods()))
def test_every_method_serves_the_two_input_model_or_says_why_not(name, adapter):
    method = get_method(name)(**quick(name))
    bound = bind(adapter, [META])
    reason = method.not_applicable(bound)
    if name in DECLINED:
        assert reason and "other inputs (age_sex)" in reason
        with pytest.raises(MethodNotApplicableError, match="other inputs"):
            method.attribute(bound, X, TARGETS)
        return
    assert reason is None
    first = method.attribute(bound, X, TARGETS)
    again = get_method(name)(**quick(name)).attribute(bind(adapter, [META]), X, TARGETS)
    assert set(first) == set(again)
    features = {array for array in first if array_kind(array) == FEATURE_KIND}
    assert features == ({f"{name}.age_sex"} if name in GRADIENT_METHODS else set())
    for array, values in first.items():
        assert array.startswith(name) and values.shape[0] == N and np.isfinite(values).all(), array
        if array in features:
            assert values.shape == (N, F)
        np.testing.assert_array_equal(values, again[array])  # deterministic, random draws included


@pytest.mark.parametrize("name", [name for name in builtin_methods() if name not in DECLINED])
def test_each_signal_is_explained_the_same_alone_and_in_a_batch(name, adapter):
    together = get_method(name)(**quick(name)).attribute(bind(adapter, [META]), X, TARGETS)
    for i in (0, 3):
        rows = slice(i, i + 1)
        alone = get_method(name)(**quick(name)).attribute(bind(adapter, [META[rows]]), X[rows], TARGETS[rows])
        for array, values in alone.items():
            np.testing.assert_allclose(values[0], together[array][i], rtol=1e-4, atol=1e-5, err_msg=array)


def test_a_method_calling_the_model_without_saying_whose_rows_is_refused(adapter):
    bound = bind(adapter, [META])
    with pytest.raises(MethodNotApplicableError, match="10 rows for 5 signals without saying whose each is"):
        bound.predict(np.concatenate([X, X]))
    with pytest.raises(MethodNotApplicableError, match="got 0 of the model's 1 other inputs"):
        adapter.predict(X)
