"""Method plugins: the example plugin installed with pip runs from explain and evaluate; broken ones are refused.

The example plugin (``examples/plugin``) is installed into a temporary folder with pip and put on the
subprocess's ``PYTHONPATH``, so the test environment itself is left as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from signalscreen_cli.errors import ExitCode
from tests.zoo import build_linear

ROOT = Path(__file__).parents[2]
LENGTH, CHANNELS, OUTPUTS = 16, 2, 3


@pytest.fixture(scope="module")
def linear(tmp_path_factory):
    folder = tmp_path_factory.mktemp("linear")
    rng = np.random.default_rng(4)
    weights = rng.normal(size=(LENGTH * CHANNELS, OUTPUTS)).astype(np.float32)
    model = build_linear(LENGTH, CHANNELS, weights, np.zeros(OUTPUTS))
    model.save(folder / "linear.keras")
    np.save(folder / "x.npy", rng.normal(size=(6, LENGTH, CHANNELS)).astype(np.float32))
    return folder / "linear.keras", folder / "x.npy", weights


def cli(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "signalscreen_cli", *args], capture_output=True, text=True, env=env, check=False
    )


def test_listing_reads_entry_points_without_importing_the_plugin_or_tensorflow(plugin_path):
    code = (
        "import sys\nfrom signalscreen_cli.cli import run\nsys.argv = ['signalscreen', 'methods']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "heavy = ('tensorflow', 'numpy', 'signalscreen_finite_difference')\n"
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(plugin_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert "finite_difference" in done.stdout and "plugin (signalscreen-finite-difference 0.1.0)" in done.stdout
    assert "HEAVY []" in done.stdout
    listed = json.loads(cli(plugin_path, "methods", "--json").stdout)
    assert {
        "name": "finite_difference",
        "source": "plugin (signalscreen-finite-difference 0.1.0)",
        "import_path": "signalscreen_finite_difference.method:FiniteDifference",
    } in listed


def test_plugin_runs_from_explain_with_its_parameters_and_gives_the_weights(plugin_path, linear, tmp_path):
    model, data, weights = linear
    out = tmp_path / "out"
    done = cli(
        plugin_path,
        "explain",
        str(model),
        str(data),
        "-m",
        "finite_difference,saliency",
        "--param",
        "finite_difference.epsilon=0.01",
        "--no-plots",
        "-q",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    with np.load(out / "attributions.npz") as archive:
        targets, maps, saliency = archive["targets"], archive["finite_difference"], archive["saliency"]
    expected = weights.T[targets].reshape(-1, LENGTH, CHANNELS)  # a linear model's gradient is its weights
    np.testing.assert_allclose(maps, expected, rtol=2e-3, atol=2e-3)
    np.testing.assert_allclose(np.abs(maps), saliency, rtol=2e-3, atol=2e-3)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["methods"]["finite_difference"] == {"epsilon": 0.01, "signed": True}
    assert manifest["arrays"]["finite_difference"]["method"] == "finite_difference"


def test_plugin_runs_from_evaluate(plugin_path, linear, tmp_path):
    model, data, _ = linear
    out = tmp_path / "evaluation"
    done = cli(
        plugin_path,
        "evaluate",
        str(model),
        str(data),
        "-m",
        "finite_difference,saliency",
        "--steps",
        "4",
        "--no-plots",
        "-q",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    document = json.loads((out / "evaluation.json").read_text())
    methods = [row["method"] for row in document["summary"]]
    assert methods[:2] == ["finite_difference", "saliency"]
    assert document["randomization"]["maps"]["finite_difference"]["correlations"]  # recomputed on random models


def test_unknown_plugin_parameter_and_bad_value_are_usage_errors(plugin_path, linear, tmp_path):
    model, data, _ = linear
    base = ("explain", str(model), str(data), "-m", "finite_difference", "--no-plots", "-o", str(tmp_path / "o"))
    unknown = cli(plugin_path, *base, "--param", "finite_difference.step=1")
    assert unknown.returncode == ExitCode.USAGE
    assert "finite_difference has no parameter 'step'" in unknown.stderr and "epsilon, signed" in unknown.stderr
    bad = cli(plugin_path, *base, "--param", "finite_difference.epsilon=-1")
    assert bad.returncode == ExitCode.USAGE and "--epsilon must be at least 1e-09, not -1.0" in bad.stderr
    other = cli(plugin_path, *base, "--param", "saliency.epsilon=1")
    assert other.returncode == ExitCode.USAGE and "'saliency' is not among the chosen methods" in other.stderr
    assert not (tmp_path / "o").exists()


BROKEN = """\
[signalscreen.methods]
missing_module = no_such_module_anywhere:Thing
not_a_method = json:JSONDecoder
misnamed = signalscreen_cli.methods.gradients:Saliency
"""


@pytest.fixture()
def broken_path(tmp_path) -> Path:
    info = tmp_path / "broken_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(BROKEN)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("missing_module", "cannot be imported: No module named 'no_such_module_anywhere'"),
        ("not_a_method", "breaks the method contract: it is not a subclass of signalscreen_cli.methods.base.Method"),
        ("misnamed", "breaks the method contract: its name attribute is 'saliency'"),
    ],
)
def test_a_broken_plugin_gets_one_clear_error_naming_it(broken_path, tmp_path, name, problem):
    model, data = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
    done = cli(
        broken_path,
        "explain",
        str(model),
        str(data),
        "-m",
        name,
        "--samples",
        "0:2",
        "--no-plots",
        "-o",
        str(tmp_path / "out"),
    )
    assert done.returncode == ExitCode.PLUGIN
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"Error: plugin method '{name}'") and problem in first
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_builtin_methods_keep_working_beside_broken_plugins(broken_path, tmp_path):
    listing = cli(broken_path, "methods")
    assert listing.returncode == 0 and "missing_module" in listing.stdout and "saliency" in listing.stdout
    model, data = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
    done = cli(
        broken_path,
        "explain",
        str(model),
        str(data),
        "-m",
        "saliency",
        "--samples",
        "0:2",
        "--no-plots",
        "-q",
        "-o",
        str(tmp_path / "out"),
    )
    assert done.returncode == 0, done.stderr
