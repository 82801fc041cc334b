"""The command line end to end on the bundled sample model and data: files, shapes, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from signalscreen_cli.cli import app

ROOT = Path(__file__).parents[2]
MODELS = {fmt: ROOT / "sample_models" / f"ecg_cnn{fmt}" for fmt in (".keras", ".h5")}
DATA = {"npy": ROOT / "sample_data" / "ecg_beats.npy", "csv": ROOT / "sample_data" / "ecg_beats.csv"}


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("model_format", list(MODELS))
@pytest.mark.parametrize("data_format", list(DATA))
def test_explain_end_to_end(tmp_path, model_format, data_format):
    out = tmp_path / "out"
    extra = ["--label-column", "-1"] if data_format == "csv" else []
    result = invoke(
        "explain",
        MODELS[model_format],
        DATA[data_format],
        "--out",
        out,
        "--samples",
        "0:6",
        *extra,
        "--window",
        "15",
        "--window",
        "31",
        "--format",
        "png,svg",
        "--max-plots",
        "2",
        "--csv",
        "--class-names",
        "N,V",
    )
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    assert arrays["occlusion_w15"].shape == (6, 187, 1) and arrays["occlusion_w31"].shape == (6, 187, 1)
    assert arrays["saliency"].shape == (6, 187, 1) and arrays["gradcam"].shape == (6, 187)
    assert arrays["gradcam_raw"].shape == (6, 93)
    assert arrays["predictions"].shape == (6, 2) and arrays["sample_index"].tolist() == list(range(6))
    np.testing.assert_array_equal(arrays["targets"], arrays["predictions"].argmax(axis=1))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"]["logit_path"].startswith("cut before the separate Activation layer")
    assert set(manifest["arrays"]) == set(arrays.files)
    assert manifest["arrays"]["occlusion_w31"]["parameters"]["sliding_window"] == [15, 31]
    assert len(manifest["model"]["sha256"]) == 64 and manifest["class_names"] == ["N", "V"]
    for name in ("occlusion_w15", "saliency", "gradcam"):
        for ext in ("png", "svg"):
            assert (out / "plots" / f"1_{name}.{ext}").stat().st_size > 1000
    assert not (out / "plots" / "2_saliency.png").exists()  # --max-plots 2
    image = imread(out / "plots" / "0_gradcam.png")
    assert image[..., :3].std() > 0.05  # drawn, not blank
    colourful = np.abs(image[..., 0] - image[..., 2]) > 0.2
    assert colourful.sum() > 200  # the coloured line and colour bar are there
    table = np.loadtxt(out / "csv" / "saliency.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(table[:, 1:], arrays["saliency"][:, :, 0], rtol=1e-6)
    assert (out / "overview.png").exists()


def test_target_all_and_normalize(tmp_path):
    out = tmp_path / "all"
    result = invoke(
        "explain",
        MODELS[".keras"],
        DATA["npy"],
        "-o",
        out,
        "--samples",
        "3,1",
        "--target",
        "all",
        "-m",
        "saliency,gradcam",
        "--normalize",
        "maxabs",
        "--max-plots",
        "1",
        "--class-names",
        "N,V",
    )
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    assert arrays["saliency"].shape == (2, 2, 187, 1) and arrays["gradcam"].shape == (2, 2, 187)
    np.testing.assert_allclose(np.abs(arrays["saliency"]).max(axis=(2, 3)), 1.0, rtol=1e-6)
    assert arrays["sample_index"].tolist() == [3, 1] and arrays["targets"].tolist() == [0, 1]
    assert (out / "plots" / "3_saliency_V.png").exists()


def test_overwrite_replaces_existing_output(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    (out / "manifest.json").write_text("{}")  # an earlier result, so --overwrite may replace it
    result = invoke(
        "explain",
        MODELS[".h5"],
        DATA["npy"],
        "-o",
        out,
        "--samples",
        "0",
        "-m",
        "saliency",
        "--no-plots",
        "--overwrite",
    )
    assert result.exit_code == 0, result.output
    assert not (out / "stale.txt").exists() and (out / "attributions.npz").exists()


def test_inspect_and_methods():
    result = invoke("inspect", MODELS[".h5"], "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["conv_layers"] == ["conv1", "conv2"] and report["output_activation"] == "softmax"
    assert "gradcam" in report["applicable_methods"]
    assert "conv2" in invoke("inspect", MODELS[".keras"]).output
    listing = invoke("methods")
    assert listing.exit_code == 0 and "Selvaraju" in listing.output and "occlusion" in listing.output


def test_help_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from signalscreen_cli.cli import run\n"
        "for argv in (['signalscreen', '--help'], ['signalscreen', 'methods'],\n"
        "             ['signalscreen', 'explain', '--help']):\n"
        "    sys.argv = argv\n"
        "    try:\n"
        "        run()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('HEAVY', sorted(m for m in ('tensorflow', 'keras', 'numpy', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout


def test_module_entry_point_runs_the_sample_job(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "signalscreen_cli",
            "explain",
            MODELS[".keras"],
            DATA["csv"],
            "--label-column",
            "-1",
            "--out",
            tmp_path / "o",
            "--max-plots",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # TensorFlow's start-up chatter is hidden
    assert "occlusion_w15" in done.stdout


ALL_METHODS = "occlusion,saliency,gradient_x_input,integrated_gradients,smoothgrad,smoothgrad_squared,vargrad"
CAM_METHODS = "gradcam,gradcam_plus_plus,scorecam"


@pytest.mark.parametrize(
    "factory, fmt, methods, channels",
    [
        ("residual_cnn", ".keras", f"{ALL_METHODS},{CAM_METHODS}", 3),
        ("recurrent_model", ".h5", ALL_METHODS, 1),
        ("regression_cnn", ".keras", f"{ALL_METHODS},{CAM_METHODS}", 1),
    ],
)
def test_every_method_on_multichannel_binary_and_regression_models(tmp_path, factory, fmt, methods, channels):
    from tests import zoo

    model = getattr(zoo, factory)(channels=channels)
    model_path = tmp_path / f"model{fmt}"
    model.save(model_path)
    length = model.inputs[0].shape[1]
    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(size=(5, length, channels)).astype(np.float32))
    out = tmp_path / "out"
    result = invoke(
        "explain",
        model_path,
        tmp_path / "x.npy",
        "-o",
        out,
        "-m",
        methods,
        "--steps",
        "16",
        "--noise-samples",
        "4",
        "--occlude-channels",
        "each",
        "--max-plots",
        "1",
        "--baseline",
        "mean",
    )
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    for name in ALL_METHODS.split(","):
        name = "occlusion_w15" if name == "occlusion" else name
        assert arrays[name].shape == (5, length, channels) and np.isfinite(arrays[name]).all(), name
    if "gradcam" in methods:
        for name in CAM_METHODS.split(","):
            assert arrays[name].shape == (5, length), name
    assert arrays["integrated_gradients_delta"].shape == (5,)
    if model.outputs[0].shape[1] == 1:
        assert arrays["targets"].tolist() == [0] * 5  # the one unit, whatever the sigmoid says
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["arrays"]["integrated_gradients_delta"]["kind"] == "diagnostic"
    assert "max" in manifest["arrays"]["integrated_gradients_delta"]["summary"]
    assert (out / "plots" / "0_integrated_gradients.png").exists()
    assert not (out / "plots" / "0_integrated_gradients_delta.png").exists()


def test_overwrite_refuses_a_folder_that_is_not_a_result(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = invoke("explain", MODELS[".keras"], DATA["npy"], "-o", precious, "--samples", "0", "--overwrite")
    assert result.exit_code == 7 and "is not a SignalScreen result" in result.output
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_csv_per_class_and_overview_formats_with_target_all(tmp_path):
    out = tmp_path / "o"
    result = invoke(
        "explain",
        MODELS[".keras"],
        DATA["npy"],
        "-o",
        out,
        "--samples",
        "86:90",
        "--target",
        "all",
        "-m",
        "saliency,integrated_gradients",
        "--steps",
        "8",
        "--csv",
        "--class-names",
        "N,V",
        "--format",
        "png,svg",
        "--max-plots",
        "2",
    )
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    for label, k in (("N", 0), ("V", 1)):
        table = np.loadtxt(out / "csv" / f"saliency_{label}.csv", delimiter=",", skiprows=1)
        np.testing.assert_allclose(table[:, 1:], arrays["saliency"][:, k, :, 0], rtol=1e-6)
    assert not (out / "csv" / "predictions.csv").exists()
    assert (out / "overview.png").exists() and (out / "overview.svg").exists()
