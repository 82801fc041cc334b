"""Option values parsed without Pydantic (``cli/plain_values.py``) are exactly what typer's own coercion gives.

For every parameter of every command, and values of every kind (absent, defaults, plain and odd numbers,
paths that exist, do not, or are empty, lists), the patched ``process_value`` returns what typer's
``process_value`` returns, or raises the same error; and a command line that parses imports no Pydantic.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer._click import Context
from typer.core import _TyperParameter

from signalscreen_cli.cli import app

ROOT = Path(__file__).parents[2]
SAMPLES = {
    str: ["abc", "", "15", "a,b"],
    int: ["15", "-3", "0", "007", "+4", " 5", "1.5", "x", "1_000"],
    float: ["0.5", "1", "-2.25", "1e3", "inf", "nan", ".5", "x", "007.5", "1_0.5"],
    Path: ["sample_models/ecg_cnn.keras", "nope/x.npy", "", "-", "sample_data"],
    bool: [True, False],
}


def commands():
    group = typer.main.get_command(app)
    yield group
    yield from group.commands.values()


def cases():
    for command in commands():
        for parameter in [*command.params, command.get_help_option(Context(command))]:
            if parameter is None:
                continue
            annotation = parameter.type_descriptor.annotation
            item = annotation.__args__[0] if hasattr(annotation, "__args__") else annotation
            values = [None, parameter.default, *SAMPLES.get(item, [])]
            if item is not annotation:
                values += [tuple(SAMPLES[item][:2]), (), tuple(SAMPLES[item][-2:])]
            for value in values:
                yield pytest.param(command, parameter, value, id=f"{command.name}-{parameter.name}-{value!r}")


def outcome(call, ctx, value):
    try:
        result = call(ctx, value)
    except Exception as error:  # the error itself is what must match
        return ("raised", type(error), str(error))
    return ("value", type(result), repr(result))  # repr: nan equals nan


@pytest.mark.parametrize(("command", "parameter", "value"), list(cases()))
def test_a_value_is_coerced_as_typer_coerces_it(command, parameter, value):
    ctx = Context(command)
    typer_own = outcome(lambda ctx, value: _TyperParameter.process_value(parameter, ctx, value), ctx, value)
    assert outcome(parameter.process_value, Context(command), value) == typer_own


def test_every_parameter_takes_the_plain_path():
    for command in commands():
        for parameter in command.params:
            assert "process_value" in vars(parameter), f"{command.name} {parameter.name} goes through Pydantic"


def test_a_parsed_command_line_imports_no_pydantic():
    script = (
        "import sys\nfrom signalscreen_cli.cli import run\n"
        "sys.argv = ['signalscreen', 'explain', 'nope.keras', 'sample_data/ecg_beats.csv', '-m', 'saliency',"
        " '--window', '7', '--steps', '8', '-o', 'nowhere']\n"
        "try:\n    run()\nexcept SystemExit as done:\n    print(done.code, 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "no such file" in done.stderr
    assert done.stdout.split()[-1] == "False"
