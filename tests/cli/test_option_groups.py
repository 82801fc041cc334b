"""A command parameter typed as a ``Parameters`` dataclass becomes one option per declared field, in its place,
and the command is given the dataclass: ``evaluate``'s scoring options are declared once this way."""

import json
from dataclasses import dataclass
from pathlib import Path

import typer
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.cli.common import Command
from signalscreen_cli.cli.options import option, with_declared_options
from signalscreen_cli.params import Parameters, param

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"


@dataclass(frozen=True)
class Knobs(Parameters):
    depth: int = param(3, "How deep.", panel="Knobs", metavar="N")
    loud: bool = param(False, "Shout.", panel="Knobs")
    name: str | None = param(None, "Who.", panel="Knobs", metavar="WHO")
    hush: bool = param(False, "Quietly.", flags=("--hush",), panel="Knobs")  # declared flags: as given


KNOBS = Knobs()


def toy_app(seen: list) -> typer.Typer:
    def command(
        first: option(int, "Before the group.", "Knobs") = 1,
        knobs: Knobs = KNOBS,
        last: option(int, "After the group.", "Knobs") = 2,
        *,
        method_options: dict,
        clinical_options: dict,
    ) -> None:
        seen.append((first, knobs, last, method_options))

    toy = typer.Typer()
    toy.command(cls=Command)(with_declared_options(command))
    toy.command("other")(lambda: None)  # two commands: typer then expects the command's name
    return toy


def test_a_parameters_group_becomes_its_fields_options_and_is_given_built():
    seen: list = []
    result = CliRunner().invoke(toy_app(seen), ["command", "--depth", "5", "--loud", "--name", "ann", "--last", "7"])
    assert result.exit_code == 0, result.output
    assert seen == [(1, Knobs(depth=5, loud=True, name="ann"), 7, {})]
    CliRunner().invoke(toy_app(seen), ["command"])
    assert seen[-1][1] == KNOBS  # nothing given: the declared defaults
    CliRunner().invoke(toy_app(seen), ["command", "--hush"])
    assert seen[-1][1] == Knobs(hush=True)
    refused = CliRunner().invoke(toy_app(seen), ["command", "--no-hush"])
    assert refused.exit_code == 2 and "No such option" in refused.output


def test_the_group_options_show_in_place_with_their_declared_help_and_defaults():
    help_text = CliRunner().invoke(toy_app([]), ["command", "--help"], terminal_width=100).output
    assert help_text.index("--first") < help_text.index("--depth N") < help_text.index("--last")
    assert "How deep.  [default: 3]" in help_text and "--loud / --no-loud" in help_text
    assert "[default: no-loud]" in help_text and "--name WHO" in help_text


def test_evaluate_scoring_options_reach_the_request_and_keep_the_methods_flags_apart(tmp_path):
    out = tmp_path / "ev"
    args = ["evaluate", MODEL, DATA, "--samples", "0:2", "-m", "integrated_gradients", "--no-plots", "-o", out]
    scoring = ["--steps", "4", "--no-randomization", "--baseline", "zero", "--randomization-threshold", "0.5"]
    result = CliRunner().invoke(app, [str(arg) for arg in [*args, *scoring]])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "evaluation.json").read_text())
    parameters = document["parameters"]
    assert parameters["steps"] == 4 and parameters["randomization"] is False
    assert parameters["baseline"] == "zero" and parameters["randomization_threshold"] == 0.5
    assert parameters["faithfulness_subsets"] == 32 and parameters["truth"] is None  # declared defaults
    assert "scoring" not in parameters  # recorded flat, as before the group
    # --steps and --baseline are evaluate's: integrated gradients keeps its own steps and gets --baseline
    method = document["method_parameters"]["integrated_gradients"]
    assert method["n_steps"] != 4 and method["baselines"] == "zero"


def test_explain_and_evaluate_share_the_cluster_group_and_it_reaches_the_request(tmp_path):
    refusals = {"--dask local:0": "local:N needs a positive", "--dask-timeout 0": "--dask-timeout must be positive"}
    for command in ("explain", "evaluate"):
        for flag_and_value, message in refusals.items():
            given = flag_and_value.split()
            result = CliRunner().invoke(app, [command, str(MODEL), str(DATA), "-o", str(tmp_path / command), *given])
            assert result.exit_code == 2 and message in result.output, (command, result.output)
