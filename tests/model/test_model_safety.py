"""No code from a model file runs unasked; custom layers and SavedModel folders load as documented."""

import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from signalscreen_cli.errors import MethodNotApplicableError, ModelFileError
from signalscreen_cli.methods.gradients import IntegratedGradients, Saliency
from signalscreen_cli.methods.occlusion import Occlusion
from signalscreen_cli.model.files import load_model


def lambda_model(marker: Path) -> keras.Model:
    # A real lambda, so Keras stores its bytecode (a named function is stored by name only); the marker
    # path is a constant inside the code because Keras 3 cannot reload lambdas with default arguments.
    touch_and_pass = eval(f"lambda t: __import__('pathlib').Path({str(marker)!r}).write_text('ran') and t * 2.0")
    return keras.Sequential(
        [
            keras.Input((8, 1)),
            keras.layers.Lambda(touch_and_pass, name="sneaky"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )


@pytest.mark.parametrize("fmt", [".keras", ".h5"])
def test_lambda_layers_are_refused_unless_unsafe(tmp_path, fmt):
    marker = tmp_path / "marker.txt"
    path = tmp_path / f"lambda{fmt}"
    lambda_model(marker).save(path)
    marker.unlink()
    with pytest.raises(ModelFileError, match="layer 'sneaky' stores Python code") as caught:
        load_model(path)
    assert "--unsafe-load" in caught.value.hint
    assert not marker.exists()
    adapter = load_model(path, unsafe=True)
    assert marker.exists()
    assert adapter.predict(np.ones((1, 8, 1), np.float32)).shape == (1, 2)


CUSTOM_LAYER = textwrap.dedent(
    """
    import keras

    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}
    """
)


@pytest.mark.parametrize("fmt", [".keras", ".h5"])
def test_custom_layers_need_their_code(tmp_path, fmt):
    source = tmp_path / "layers.py"
    source.write_text(CUSTOM_LAYER)
    namespace: dict = {}
    exec(compile(CUSTOM_LAYER, str(source), "exec"), namespace)
    model = keras.Sequential(
        [keras.Input((6, 1)), namespace["Scale"](3.0, name="scale"), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    path = tmp_path / f"custom{fmt}"
    model.save(path)
    with pytest.raises(ModelFileError, match="'Scale'") as caught:
        load_model(path)
    assert "--custom-objects" in caught.value.hint
    adapter = load_model(path, custom_objects=source)
    x = np.random.default_rng(0).normal(size=(2, 6, 1)).astype(np.float32)
    np.testing.assert_allclose(adapter.predict(x), model(x).numpy(), rtol=1e-6)


def test_saved_model_folder_runs_gradient_and_perturbation_methods(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((16, 1)),
            keras.layers.Conv1D(3, 3, activation="relu"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(2),
        ]
    )
    model.export(tmp_path / "exported", verbose=False)
    adapter = load_model(tmp_path / "exported")
    x = np.random.default_rng(1).normal(size=(3, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(adapter.predict(x), model(x).numpy(), rtol=1e-5, atol=1e-6)
    targets = np.array([0, 1, 0])
    reference = Saliency().attribute(load_model_in_memory(model), x, targets)["saliency"]
    np.testing.assert_allclose(Saliency().attribute(adapter, x, targets)["saliency"], reference, rtol=1e-4, atol=1e-6)
    assert Occlusion().attribute(adapter, x, targets)["occlusion_w15"].shape == (3, 16, 1)
    assert IntegratedGradients(n_steps=8).attribute(adapter, x, targets)["integrated_gradients"].shape == x.shape
    with pytest.raises(MethodNotApplicableError, match="SavedModel folder exposes no layers"):
        adapter.resolve_layer(None)


def load_model_in_memory(model):
    from signalscreen_cli.model.adapter import ModelAdapter

    return ModelAdapter(model)


def test_directory_without_saved_model_and_bad_custom_objects(tmp_path):
    with pytest.raises(ModelFileError, match="is a directory"):
        load_model(tmp_path)
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.save(tmp_path / "m.keras")
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    with pytest.raises(ModelFileError, match="importing custom objects failed: RuntimeError: boom"):
        load_model(tmp_path / "m.keras", custom_objects=tmp_path / "broken.py")
