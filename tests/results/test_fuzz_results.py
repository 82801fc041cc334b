"""Fuzzing the results readers: an ``explain`` folder whose manifest has a key removed or a value replaced
at any depth must give ``compare`` and ``report`` a result or one of our errors, never exit 1 (a bug)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from signalscreen_cli import explain
from signalscreen_cli.cli import app

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60")) // 3  # each case runs compare and report: 20 by default
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
FOLDER = Path(tempfile.mkdtemp(prefix="fuzz_results."))


@pytest.fixture(scope="module", autouse=True)
def run_folder():
    explain(MODEL, DATA, FOLDER / "run", methods=("saliency", "gradcam"), samples="0:6", plots=False)
    yield
    shutil.rmtree(FOLDER, ignore_errors=True)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:3]):
            found += paths(value, (*prefix, index))
    return found


def changed(document: Any, path: tuple, value: Any, delete: bool) -> Any:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


VALUES = st.sampled_from([None, "", "x", 0, -1, 1e308, [], {}, [1, 2], {"a": 1}, True, "../../etc"])


@FUZZ
@given(st.data(), VALUES, st.booleans())
def test_a_changed_manifest_never_exits_as_a_bug(data, value, delete):
    manifest = json.loads((FOLDER / "run" / "manifest.json").read_text())
    path = data.draw(st.sampled_from(paths(manifest)))
    with tempfile.TemporaryDirectory(dir=FOLDER) as folder:
        broken = Path(folder) / "broken"
        shutil.copytree(FOLDER / "run", broken)
        (broken / "manifest.json").write_text(json.dumps(changed(manifest, path, value, delete)))
        for argv in (
            ["compare", str(FOLDER / "run"), str(broken), "-o", str(Path(folder) / "c"), "--no-plots"],
            ["report", str(broken), "-o", str(Path(folder) / "r.html")],
        ):
            result = CliRunner().invoke(app, argv)
            assert result.exit_code != 1, (path, value, delete, argv[0], result.output)
            assert result.exit_code == 0 or result.output.startswith("Error: "), result.output


def test_a_report_of_a_manifest_without_the_models_facts_still_renders(tmp_path):
    """Found by the fuzzer: the page read ``model.n_outputs`` and failed as a bug when it was missing."""
    run = tmp_path / "run"
    shutil.copytree(FOLDER / "run", run)
    manifest = json.loads((run / "manifest.json").read_text())
    for key in ("n_outputs", "input_shape", "output_activation", "logit_path"):
        manifest["model"].pop(key, None)
    (run / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(app, ["report", str(run), "-o", str(tmp_path / "page.html")])
    assert result.exit_code == 0, result.output
    assert "not recorded" in (tmp_path / "page.html").read_text()
