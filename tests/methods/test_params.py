"""Parameters declared once: validation, text values, the generated options and the Python keywords."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import UsageError
from signalscreen_cli.methods import declared_parameters
from signalscreen_cli.methods.gradients import IntegratedGradients
from signalscreen_cli.methods.occlusion import OcclusionParameters
from signalscreen_cli.params import Parameters, param
from signalscreen_cli.request import ExplainRequest, explain_request, parse_method_params, resolve_methods

ROOT = Path(__file__).parents[2]


@dataclass(frozen=True)
class Example(Parameters):
    widths: tuple[int, ...] = param((3,), "Widths.", minimum=1)
    mode: str = param("a", "Mode.", choices=("a", "b"))
    scale: float | None = param(None, "Scale.", flags=("--zoom",), minimum=0)
    on: bool = param(True, "On.")


def test_values_given_as_text_are_brought_to_the_declared_type():
    built = Example(widths="5,9", scale="0.5", on="false")
    assert built.widths == (5, 9) and built.scale == 0.5 and built.on is False
    assert Example(widths=[4]).widths == (4,)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"widths": (3, 0)}, "--widths must be at least 1, not 0"),
        ({"mode": "c"}, "--mode must be one of a, b, not 'c'"),
        ({"scale": -1.0}, "--zoom must be at least 0, not -1.0"),
        ({"widths": "x"}, "--widths: cannot read 'x' as int"),
        ({"on": "maybe"}, "--on: cannot read 'maybe' as bool"),
    ],
)
def test_bad_values_name_the_option(values, message):
    with pytest.raises(UsageError) as caught:
        Example(**values)
    assert caught.value.message == message


def test_cross_field_rules_live_in_the_declaration():
    with pytest.raises(UsageError, match="applies to occlusion only, not to integrated_gradients"):
        IntegratedGradients.Parameters(baselines="interp")
    assert OcclusionParameters(baselines="interp").baselines == "interp"
    with pytest.raises(UsageError, match="--steps must be between 2 and 32"):
        IntegratedGradients.Parameters(n_steps=64, max_steps=32)


def test_shared_parameters_are_declared_once_and_agree():
    declared = declared_parameters()
    assert declared["baselines"].flag == "--baseline" and declared["sliding_window"].flag == "--window"
    assert declared["seed"].declaration.panel == "Run"


def test_options_are_shared_and_param_settings_win_for_one_method(tmp_path):
    request = ExplainRequest(
        ROOT,
        ROOT,
        tmp_path,
        methods=("occlusion", "integrated_gradients"),
        options={"baselines": "blur"},
        method_params=("occlusion.baselines=mean", "integrated_gradients.n_steps=16"),
    )
    resolved = dict(resolve_methods(request))
    assert resolved["occlusion"].baselines == "mean" and resolved["integrated_gradients"].baselines == "blur"
    assert resolved["integrated_gradients"].n_steps == 16 and resolved["occlusion"].sliding_window == (15,)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("occlusion.stride", "--param must look like METHOD.KEY=VALUE"),
        ("stride=3", "--param must look like METHOD.KEY=VALUE"),
        ("gradcam.layer=x", "'gradcam' is not among the chosen methods (occlusion)"),
    ],
)
def test_bad_param_entries(entry, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_method_params((entry,), ("occlusion",))


def test_python_keywords_take_field_or_option_names(tmp_path):
    by_option = explain_request(ROOT, ROOT, tmp_path, window=9, steps=8, baseline="mean", methods=("occlusion",))
    by_field = explain_request(
        ROOT, ROOT, tmp_path, sliding_window=(9,), n_steps=8, baselines="mean", methods=("occlusion",)
    )
    assert by_option.options == by_field.options == {"sliding_window": (9,), "n_steps": 8, "baselines": "mean"}
    with pytest.raises(UsageError, match="unknown option 'windw'"):
        explain_request(ROOT, ROOT, tmp_path, windw=3)


def test_generated_options_reach_the_request_and_the_manifest(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "explain",
            str(ROOT / "sample_models" / "ecg_cnn.keras"),
            str(ROOT / "sample_data" / "ecg_beats.npy"),
            "--samples",
            "0:2",
            "-m",
            "occlusion,gradcam",
            "-w",
            "5",
            "-w",
            "9",
            "--no-relu",
            "--stride",
            "2",
            "--perturbations-per-eval",
            "64",
            "--no-plots",
            "-q",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["options"] == {
        "sliding_window": [5, 9],
        "stride": 2,
        "perturbations_per_eval": 64,
        "relu": False,
    }
    assert manifest["methods"]["occlusion"]["sliding_window"] == [5, 9]
    assert manifest["methods"]["gradcam"] == {
        "layer": None,
        "relu": False,
        "layer_used": "conv2",  # what the default resolved to, and why
        "layer_why": "the last 1D convolution, on the main path (the longest from the input)",
    }
    assert manifest["arrays"]["occlusion_w9"]["parameters"]["stride"] == 2


def test_help_groups_options_in_panels_without_type_tags():
    for command in ("explain", "evaluate"):
        shown = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "160"}).output
        for panel in ("Input", "Methods", "Output", "Performance", "Safety", "Run"):
            assert f"\n{panel}:\n" in shown, (command, panel)
        assert "<bool>" not in shown and "<path>" not in shown and "<str>" not in shown
        assert "--param" in shown and "signalscreen methods NAME" in " ".join(shown.split())
    for method, flag in (("occlusion", "--window"), ("smoothgrad", "--noise-samples")):
        assert flag in CliRunner().invoke(app, ["methods", method]).output
    evaluate = CliRunner().invoke(app, ["evaluate", "--help"], env={"COLUMNS": "160"}).output
    assert "--steps" in evaluate  # the curves' steps; integrated gradients' are --ig-steps there
    shown = CliRunner().invoke(app, ["methods", "integrated_gradients"]).output
    assert "--steps, --ig-steps" in shown and "[default: 64]" in shown
