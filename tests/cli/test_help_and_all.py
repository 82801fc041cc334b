"""First contact: help that fits 80 columns, ``methods NAME``, and ``-m all`` skipping what does not apply."""

import json
import os
import subprocess
import sys

import numpy as np
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from tests.zoo import recurrent_model

COMMANDS = ("explain", "evaluate", "compare", "report", "merge", "inspect", "methods")


def help_text(*command: str) -> str:
    """``--help`` as a terminal 80 columns wide shows it."""
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-m", "signalscreen_cli", *command, "--help"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_help_fits_80_columns_with_nothing_cut():
    for command in COMMANDS:
        text = help_text(command)
        assert max(len(line) for line in text.splitlines()) <= 80, command
        assert "…" not in text and "\\[" not in text, command
    explain = help_text("explain")
    assert len(explain.splitlines()) < 120
    flat = " ".join(explain.split())
    assert "signalscreen methods NAME" in flat and "--window" in flat  # the method options are one step away


def test_methods_name_lists_one_methods_options_in_full():
    result = CliRunner().invoke(app, ["methods", "occlusion"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "--window, -w" in result.output and "[default: 15]" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    unknown = CliRunner().invoke(app, ["methods", "lime"])
    assert unknown.exit_code == 2 and "unknown method 'lime'" in unknown.output


def test_all_methods_skip_those_the_model_cannot_serve(tmp_path):
    model = recurrent_model(length=16)
    model.save(tmp_path / "lstm.keras")
    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(size=(3, 16)).astype(np.float32))
    options = ["--noise-samples", "2", "--masks", "8", "--stft-window", "8", "--segments", "4", "--bands", "4"]
    result = CliRunner().invoke(
        app,
        [
            "explain",
            str(tmp_path / "lstm.keras"),
            str(tmp_path / "x.npy"),
            "-m",
            "all",
            *options,
            "--no-plots",
            "-o",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    skipped = manifest["skipped_methods"]
    cams = {"gradcam", "gradcam_plus_plus", "scorecam"}
    assert set(skipped) == cams | {"lrp", "deeplift", "guided_backprop", "deconvnet", "guided_gradcam"}
    assert skipped["gradcam"].startswith("the model has no Conv1D layer")
    assert "Skipped gradcam: the model has no Conv1D layer" in result.output
    with np.load(tmp_path / "out/attributions.npz") as arrays:
        assert {"occlusion_w15", "saliency", "integrated_gradients", "segment_shapley"} <= set(arrays.files)
        assert not any(name.startswith("gradcam") for name in arrays.files)


def test_mistakes_a_person_makes_first_are_answered_before_tensorflow_loads(tmp_path):
    """Paths, extensions, swapped arguments, sample ranges, targets and method names need no model."""
    from pathlib import Path

    root = Path(__file__).parents[2]
    model, data = str(root / "sample_models/ecg_cnn.keras"), str(root / "sample_data/ecg_beats.npy")
    (tmp_path / "model.txt").write_text("x")
    mistakes = {  # message: (exit code, arguments)
        "no such file": (4, [str(tmp_path / "absent.keras"), data]),
        "unsupported model file type '.txt'": (4, [str(tmp_path / "model.txt"), data]),
        "did you swap MODEL and DATA?": (4, [data, model]),
        "'0:9999' is outside": (2, [model, data, "--samples", "0:9999"]),
        "a class name (N, V)": (2, [model, data, "--class-names", "N,V", "--target", "S"]),
        "unknown method 'lime'": (2, [model, data, "-m", "lime"]),
    }
    code = (
        "import sys\nfrom signalscreen_cli.cli import run\n"
        "sys.argv = ['signalscreen', 'explain', *sys.argv[1:], '-o', sys.argv[1] + '.out']\n"
        "try:\n    run()\nexcept SystemExit as stop:\n    print('exit', stop.code, 'tensorflow' in sys.modules)\n"
    )
    for message, (exit_code, arguments) in mistakes.items():
        done = subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True)
        assert done.stdout.strip() == f"exit {exit_code} False", (message, done.stdout, done.stderr)
        assert message in done.stderr, (message, done.stderr)


def test_inspect_lists_the_methods_all_would_run(tmp_path):
    from signalscreen_cli.methods import builtin_methods
    from signalscreen_cli.model.inspection import describe_model

    model = recurrent_model(length=16)
    model.save(tmp_path / "lstm.keras")
    listed = describe_model(tmp_path / "lstm.keras", builtin_methods())["applicable_methods"]
    assert "saliency" in listed and "occlusion" in listed
    assert not {"gradcam", "lrp", "deeplift", "guided_gradcam"} & set(listed)
