"""Resumable runs: each finished chunk is journaled in the staging folder; ``explain --resume`` takes over a
killed run's journal, recomputes only the missing chunks and ends byte for byte as an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode, OutputError, UsageError
from signalscreen_cli.pipeline.run import run as run_pipeline
from signalscreen_cli.request import explain_request
from signalscreen_cli.results.reader import read_result

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
ARGS = ("--samples", "0:40", "--chunk-size", "4", "-m", "occlusion,saliency", "--no-plots", "-q")
OUTPUTS = ("attributions.npz", "summary.npz")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def fake_killed_run(tmp_path: Path, chunks: int, store: str = "npz") -> tuple[Path, Path]:
    """An uninterrupted run into ``full``, and beside ``resumed`` the staging folder a run killed after
    ``chunks`` chunks leaves: its journal as it stood then, owned by a process that is gone."""
    copied: list[Path] = []

    def progress(stage: str, done: int, total: int) -> None:
        staging = next(tmp_path.glob(".full.partial-*"))
        if done == chunks * 4 and not copied:
            killed = tmp_path / ".resumed.partial-killed"
            shutil.copytree(staging / "journal", killed / "journal")
            copied.append(killed)

    options = {"samples": "0:40", "chunk_size": 4, "methods": ("occlusion", "saliency"), "plots": False, "store": store}
    run_pipeline(explain_request(MODEL, DATA, tmp_path / "full", **options), progress=progress)
    killed = copied[0]
    run = json.loads((killed / "journal" / "run.json").read_text())
    run["owner"]["pid"] = dead_pid()
    (killed / "journal" / "run.json").write_text(json.dumps(run))
    return tmp_path / "full", killed


def stored_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of the array store and the class summaries, by path."""
    files = [folder / "summary.npz", folder / "attributions.npz", *sorted((folder / "attributions.zarr").rglob("*"))]
    return {str(item.relative_to(folder)): item.read_bytes() for item in files if item.is_file()}


@pytest.mark.parametrize("store", ["npz", "zarr"])
def test_resume_replays_the_journal_and_ends_byte_identical(tmp_path, store):
    full, killed = fake_killed_run(tmp_path, 4, store)
    journal = sorted((killed / "journal").glob("chunk-*.npz"))
    assert len(journal) >= 4
    journal[1].write_bytes(journal[1].read_bytes()[:-10])  # cut short: must be computed again, not trusted
    (killed / "journal" / "chunk-000009.tmp").write_bytes(b"half")  # a write the kill interrupted
    out = tmp_path / "resumed"
    refused = invoke("explain", MODEL, DATA, *ARGS, "--store", store, "-o", out)
    assert refused.exit_code == ExitCode.OUTPUT, refused.output
    assert "a killed run left" in refused.output and "--resume" in refused.output and killed.exists()
    done = invoke("explain", MODEL, DATA, *ARGS, "--store", store, "-o", out, "--resume")
    assert done.exit_code == 0, done.output
    assert stored_bytes(out) == stored_bytes(full) and len(stored_bytes(out)) >= 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["executor"]["resumed_chunks"] == len(journal) - 1  # the cut one was recomputed
    assert not killed.exists() and not (out / "journal").exists() and not list(tmp_path.glob(".resumed.*"))
    read_result(out).arrays()  # verified against its manifest


def test_resume_with_other_options_is_refused_and_keeps_the_journal(tmp_path):
    _, killed = fake_killed_run(tmp_path, 2)
    out = tmp_path / "resumed"
    other = [arg if arg != "occlusion,saliency" else "saliency" for arg in ARGS]
    done = invoke("explain", MODEL, DATA, *other, "-o", out, "--resume")
    assert done.exit_code == ExitCode.USAGE, done.output
    assert "differs in option methods" in done.output and "Traceback" not in done.output
    assert (killed / "journal" / "run.json").exists() and not out.exists()


def test_resume_without_a_killed_run_is_an_ordinary_run(tmp_path):
    done = invoke("explain", MODEL, DATA, "--samples", "0:4", "-m", "saliency", "--no-plots", "-q",
                  "-o", tmp_path / "o", "--resume")
    assert done.exit_code == 0, done.output
    assert "resumed_chunks" not in json.loads((tmp_path / "o" / "manifest.json").read_text())["executor"]


def _kill_at_random(argv: list[str], folder: Path, rng: random.Random, chunks: int) -> None:
    """Start ``argv``, wait until a random number of chunks is journaled (or the run ends), then SIGKILL it
    after a random further delay: before the staging folder, between chunks, while packing or moving."""
    wanted = rng.randint(0, chunks + 1)
    process = subprocess.Popen(argv, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    while process.poll() is None and time.monotonic() - started < 120:
        if len(list(folder.glob(".out.partial-*/journal/chunk-*.npz"))) >= wanted:
            break
        time.sleep(0.01)
    time.sleep(rng.uniform(0, 0.4))
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.slow
@pytest.mark.parametrize(("executor", "seeds"), [((), range(5)), (("--dask", "local:2"), range(2))])
def test_sigkill_at_random_points_then_resume_ends_byte_identical(tmp_path, executor, seeds):
    command = [sys.executable, "-m", "signalscreen_cli", "explain", str(MODEL), str(DATA), *ARGS, *executor]
    reference = tmp_path / "reference"
    reference.mkdir()
    subprocess.run([*command, "-o", "out"], cwd=reference, check=True)
    for seed in seeds:
        folder = tmp_path / f"seed{seed}"
        folder.mkdir()
        _kill_at_random([*command, "-o", "out"], folder, random.Random(seed), chunks=10)
        if (folder / "out").exists():  # the kill came after the rename: the result must be whole
            read_result(folder / "out").arrays()
        else:
            subprocess.run([*command, "-o", "out", "--resume"], cwd=folder, check=True)
        for name in OUTPUTS:
            assert (folder / "out" / name).read_bytes() == (reference / "out" / name).read_bytes(), (seed, name)
        assert not list(folder.glob(".out.*")), seed
        np.testing.assert_array_equal(read_result(folder / "out").arrays()["sample_index"], np.arange(40))


def test_a_reused_process_id_does_not_hide_a_killed_run(tmp_path):
    """The owner's id now names another live process (this one), started at another time: still a killed run."""
    _, killed = fake_killed_run(tmp_path, 2)
    run = json.loads((killed / "journal" / "run.json").read_text())
    run["owner"].update(pid=os.getpid(), started="1")
    (killed / "journal" / "run.json").write_text(json.dumps(run))
    refused = invoke("explain", MODEL, DATA, *ARGS, "-o", tmp_path / "resumed")
    assert refused.exit_code == ExitCode.OUTPUT and "a killed run left" in refused.output, refused.output
    run["owner"]["started"] = None  # an owner that is alive as far as can be told is left alone
    (killed / "journal" / "run.json").write_text(json.dumps(run))
    done = invoke("explain", MODEL, DATA, "--samples", "0:4", "-m", "saliency", "--no-plots", "-q",
                  "-o", tmp_path / "resumed")
    assert done.exit_code == 0, done.output
    assert killed.exists()


def test_a_killed_runs_folder_without_a_journal_is_removed_by_the_next_run(tmp_path):
    from signalscreen_cli.outputs.owners import host_tag

    dead = tmp_path / f".o.partial-{host_tag()}-{dead_pid()}-12345-abcd"
    (dead / "plots").mkdir(parents=True)  # what a killed compare, merge or report leaves: nothing to resume
    alive_folder = tmp_path / f".o.partial-{host_tag()}-{os.getpid()}-0-efgh"  # a run still going
    alive_folder.mkdir()
    other = tmp_path / ".o.partial-oldstyle"  # a name this version did not write: left alone
    other.mkdir()
    done = invoke("explain", MODEL, DATA, "--samples", "0:4", "-m", "saliency", "--no-plots", "-o", tmp_path / "o")
    assert done.exit_code == 0, done.output
    assert not dead.exists() and alive_folder.exists() and other.exists()
    assert not [p for p in tmp_path.glob(".o.partial-*") if p not in (alive_folder, other)]


def test_evaluate_resumes_a_killed_run_with_the_same_scores(tmp_path):
    from signalscreen_cli.evaluation.request import EvaluateRequest
    from signalscreen_cli.evaluation.runner import evaluate

    copied: list[Path] = []

    def progress(stage: str, done: int, total: int) -> None:
        if done == 12 and not copied:
            journal = next(tmp_path.glob(".full.partial-*/journal"))
            killed = tmp_path / ".resumed.partial-killed"
            shutil.copytree(journal, killed / "journal")
            copied.append(killed)

    maps = explain_request(MODEL, DATA, tmp_path / "full", methods=("saliency",), samples="0:24", chunk_size=4)
    full = evaluate(EvaluateRequest(maps, steps=8, randomization=False, plots=False), progress)
    killed = copied[0]
    run = json.loads((killed / "journal" / "run.json").read_text())
    run["owner"]["pid"] = dead_pid()
    (killed / "journal" / "run.json").write_text(json.dumps(run))
    # evaluate has no --chunk-size (its chunks are thousands of signals): the API makes small ones here
    def request(out: str, steps: int = 8, resume: bool = False) -> EvaluateRequest:
        again = replace(maps, out_dir=tmp_path / out, resume=resume)
        return EvaluateRequest(again, steps=steps, randomization=False, plots=False)

    with pytest.raises(OutputError, match="a killed run left"):
        evaluate(request("resumed"))
    with pytest.raises(UsageError, match="evaluate steps"):
        evaluate(request("resumed", steps=10, resume=True))
    resumed = evaluate(request("resumed", resume=True))
    assert resumed.document["curves"] == full.document["curves"]
    assert resumed.document["signals"] == full.document["signals"]
    assert not killed.exists()  # its journal was taken over
    assert not list(tmp_path.glob(".resumed.partial-*")) and not list(tmp_path.glob(".full.partial-*"))
