"""Models with several output heads: ``--output NAME|INDEX`` explains one head, ``--output all`` each.

The known answer: a two-head model explained on a head equals that head's single-head model explained alone,
in memory and after a save/reload in each format.
"""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli import api
from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode, ModelFileError, UsageError
from signalscreen_cli.results.reader import read_result
from tests.zoo import two_head_cnn

METHODS = ("saliency", "integrated_gradients", "occlusion", "gradcam", "lrp", "scorecam")
SIGNALS = np.random.default_rng(3).normal(size=(4, 32, 1)).astype(np.float32)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The two-head model and each single-head model, saved as .keras and .h5, and the signals."""
    folder = tmp_path_factory.mktemp("heads")
    paths = {}
    for heads in (("rhythm", "morph"), ("rhythm",), ("morph",)):
        model = two_head_cnn(heads=heads)
        for fmt in (".keras", ".h5"):
            paths[heads, fmt] = folder / f"{'_'.join(heads)}{fmt}"
            model.save(paths[heads, fmt])
    np.save(folder / "x.npy", SIGNALS)
    return folder, paths


def _maps(result):
    return {name: values for name, values in result.arrays.items() if name != "signals"}


@pytest.mark.parametrize("fmt", ["memory", ".keras", ".h5"])
@pytest.mark.parametrize("head", ["rhythm", "morph"])
def test_each_head_equals_its_single_head_model(saved, fmt, head):
    _, paths = saved
    both = two_head_cnn() if fmt == "memory" else paths[("rhythm", "morph"), fmt]
    alone = two_head_cnn(heads=(head,)) if fmt == "memory" else paths[(head,), fmt]
    chosen = head if head == "rhythm" else 1  # by name and by index
    two = api.explain(both, SIGNALS, methods=METHODS, output=str(chosen), window=5, steps=16)
    one = api.explain(alone, SIGNALS, methods=METHODS, window=5, steps=16)
    mine, theirs = _maps(two), _maps(one)
    assert set(mine) == set(theirs)
    for name in theirs:
        np.testing.assert_allclose(mine[name], theirs[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert two.manifest["model"]["output"] == head
    assert two.manifest["model"]["outputs"] == ["rhythm", "morph"]
    assert two.manifest["model"]["n_outputs"] == (3 if head == "rhythm" else 2)
    assert "output" not in one.manifest["model"]


def test_output_all_writes_one_ordinary_result_per_head(saved):
    folder, paths = saved
    out = folder / "all"
    args = ("--no-plots", "-m", "saliency,occlusion", "--window", "5", "--target", "1")
    result = invoke("explain", paths[("rhythm", "morph"), ".h5"], folder / "x.npy", "-o", out, "--output", "all", *args)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "heads.json").read_text())["heads"] == {
        "rhythm": {"folder": "rhythm"},
        "morph": {"folder": "morph"},
    }
    for head in ("rhythm", "morph"):
        alone = folder / f"alone_{head}"
        single = invoke("explain", paths[(head,), ".h5"], folder / "x.npy", "-o", alone, *args)
        assert single.exit_code == 0, single.output
        stored, expected = read_result(out / head), read_result(alone)
        assert stored.manifest["model"]["output"] == head
        assert stored.request().io.output == head  # evaluate --from and compare rebuild the head's request
        for name, values in expected.arrays().items():
            np.testing.assert_allclose(stored.arrays()[name], values, rtol=1e-5, atol=1e-6, err_msg=name)
    scored = invoke(
        "evaluate", paths[("rhythm", "morph"), ".h5"], folder / "x.npy", "--from", out / "morph", "-o", folder / "ev",
        "--steps", "8", "--no-randomization",
    )  # fmt: skip
    assert scored.exit_code == 0, scored.output
    with pytest.raises(UsageError, match="holds one result per output head") as caught:
        read_result(out)
    assert str(out / "morph") in caught.value.hint
    again = invoke("explain", paths[("rhythm", "morph"), ".h5"], folder / "x.npy", "-o", out, "--output", "all", *args)
    assert again.exit_code == ExitCode.OUTPUT  # an existing folder needs --overwrite, which then replaces it
    model = paths[("rhythm", "morph"), ".h5"]
    replaced = invoke("explain", model, folder / "x.npy", "-o", out, "--output", "all", "--overwrite", *args)
    assert replaced.exit_code == 0, replaced.output


def test_output_all_in_memory_gives_each_head():
    result = api.explain(two_head_cnn(), SIGNALS, methods=("saliency",), output="all")
    assert list(result.heads) == ["rhythm", "morph"]
    assert result["rhythm"].arrays["predictions"].shape == (4, 3)
    assert result["morph"].arrays["predictions"].shape == (4, 2)


def test_a_model_with_two_heads_needs_output(saved):
    folder, paths = saved
    result = invoke("explain", paths[("rhythm", "morph"), ".keras"], folder / "x.npy", "-o", folder / "none")
    assert result.exit_code == ModelFileError.exit_code
    assert "Error: model has 2 outputs (rhythm, morph)" in result.output
    assert "--output NAME|INDEX, or --output all" in result.output
    assert not (folder / "none").exists()


@pytest.mark.parametrize("given", ["nope", "2", "-3"])
def test_an_unknown_head_is_a_usage_error(saved, given):
    folder, paths = saved
    result = invoke(
        "explain", paths[("rhythm", "morph"), ".keras"], folder / "x.npy", "-o", folder / "bad", "--output", given
    )
    assert result.exit_code == ExitCode.USAGE
    assert f"Error: --output {given}: the model's outputs are rhythm, morph" in result.output


def test_resume_with_every_head_is_refused(saved):
    folder, paths = saved
    model = paths[("rhythm", "morph"), ".keras"]
    result = invoke("explain", model, folder / "x.npy", "-o", folder / "r", "--output", "all", "--resume")
    assert result.exit_code == ExitCode.USAGE
    assert "--resume and --output all contradict each other" in result.output


def test_an_explainer_explains_the_head_it_was_made_for():
    explainer = api.Explainer(two_head_cnn(), ["saliency"], output="morph")
    found = explainer.explain(SIGNALS, target="1").arrays
    alone = api.Explainer(two_head_cnn(heads=("morph",)), ["saliency"]).explain(SIGNALS, target="1").arrays
    assert found["predictions"].shape == (4, 2)
    np.testing.assert_allclose(found["saliency"], alone["saliency"], rtol=1e-5, atol=1e-7)


def _per_step_and_flat(heads: tuple[str, ...]):
    import keras

    signal = keras.Input((32, 1), name="ecg")
    conv = keras.layers.Conv1D(3, 5, padding="same", name="steps")  # a per-step head: (32, 3) logits
    flat = keras.layers.Dense(2, name="flat")
    made = {"steps": conv(signal), "flat": flat(keras.layers.Flatten()(signal))}
    model = keras.Model(signal, [made[h] for h in heads])
    rng = np.random.default_rng(9)
    conv.set_weights([rng.normal(size=(5, 1, 3)).astype(np.float32), np.zeros(3, np.float32)])
    flat.set_weights([rng.normal(size=(32, 2)).astype(np.float32), np.zeros(2, np.float32)])
    return model


def test_a_per_step_head_keeps_its_step_targets():
    options = {"methods": ("saliency", "occlusion"), "target": "2@4:12", "window": 3}
    both = api.explain(_per_step_and_flat(("steps", "flat")), SIGNALS, output="steps", **options).arrays
    alone = api.explain(_per_step_and_flat(("steps",)), SIGNALS, **options).arrays
    for name in ("saliency", "occlusion_w3", "predictions"):
        np.testing.assert_allclose(both[name], alone[name], rtol=1e-5, atol=1e-6, err_msg=name)
    with pytest.raises(Exception, match="has no step axis"):
        api.explain(_per_step_and_flat(("steps", "flat")), SIGNALS, output="flat", **options)


def test_inspect_names_the_heads_and_inputs(saved):
    _, paths = saved
    refused = invoke("inspect", paths[("rhythm", "morph"), ".keras"])
    assert refused.exit_code == ModelFileError.exit_code and "model has 2 outputs (rhythm, morph)" in refused.output
    shown = invoke("inspect", paths[("rhythm", "morph"), ".keras"], "--output", "morph", "--json")
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.output)
    assert report["outputs"] == ["rhythm", "morph"] and report["output"] == "morph" and report["n_outputs"] == 2
    assert report["inputs"] == {"signal": "ecg", "others": {}}
