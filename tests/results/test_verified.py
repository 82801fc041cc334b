"""Verified results: every array's SHA-256 is in the manifest, and every reader (merge, evaluate --from,
compare, report, ``RunResult.load``) refuses a missing chunk, a changed byte or a missing array."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli import explain
from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from signalscreen_cli.results.integrity import DamagedResultError, array_entry
from signalscreen_cli.results.reader import read_result

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
METHODS = ("saliency", "gradcam")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Two shards (npz) and one Zarr run of rows 0-11, chunks of 4 signals."""
    folder = tmp_path_factory.mktemp("runs")
    made = {}
    for name, extra in (("shard1", {"shard": "1/2"}), ("shard2", {"shard": "2/2"})):
        result = invoke("explain", MODEL, DATA, "-o", folder / name, "--samples", "0:12", "-m", "saliency",
                        "-m", "gradcam", "--no-plots", "--shard", extra["shard"], "--chunk-size", 4)
        assert result.exit_code == 0, result.output
        made[name] = folder / name
    made["zarr"] = explain(MODEL, DATA, folder / "zarr", methods=METHODS, samples="0:12", plots=False,
                           store="zarr", chunk_size=4).out_dir
    made["npz"] = explain(MODEL, DATA, folder / "npz", methods=METHODS, samples="0:12", plots=False).out_dir
    return made


def copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_the_manifest_records_each_arrays_sha256_shape_dtype_and_zarr_chunk_grid(runs):
    for name in ("npz", "zarr"):
        manifest = json.loads((runs[name] / "manifest.json").read_text())
        arrays = read_result(runs[name]).arrays()
        table = manifest["integrity"]
        assert table["store"] == name and set(table["arrays"]) == set(arrays) >= {"saliency", "sample_index"}
        for array, values in arrays.items():
            entry = table["arrays"][array]
            assert entry["shape"] == list(values.shape) and entry["dtype"] == values.dtype.str
            assert entry["sha256"] == array_entry(values)["sha256"]  # the data bytes, not the container
    zarr_entry = json.loads((runs["zarr"] / "manifest.json").read_text())["integrity"]["arrays"]["saliency"]
    assert zarr_entry["chunks"] == [4, 187, 1]
    npz_entry = json.loads((runs["npz"] / "manifest.json").read_text())["integrity"]["arrays"]["saliency"]
    assert npz_entry["sha256"] == zarr_entry["sha256"]  # same values, same digest, whichever store


def _drop_zarr_chunk(folder: Path) -> None:
    chunk = folder / "attributions.zarr" / "saliency" / "c" / "1" / "0" / "0"
    assert chunk.is_file()
    chunk.unlink()


def _rewrite_member(folder: Path, name: str, change) -> None:
    """Rewrite one member of ``attributions.npz`` as a valid zip (its CRC made anew): only the SHA-256 can tell."""
    path = folder / "attributions.npz"
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    changed = change(arrays)
    np.savez(path, **changed)


def _flip_byte(folder: Path) -> None:
    """A changed byte inside the stored ``saliency`` member (the zip's CRC then disagrees)."""
    path = folder / "attributions.npz"
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("saliency.npy")
    data = bytearray(path.read_bytes())
    data[info.header_offset + 200] ^= 0xFF  # past the local header and the .npy header: inside the values
    path.write_bytes(bytes(data))


def _one_error_line(result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Error: ") and all(word in lines[0] for word in words), result.output
    assert "Traceback" not in result.output


DAMAGES = {
    "missing zarr chunk": ("zarr", _drop_zarr_chunk, "'saliency'"),
    "changed values": (
        "npz",
        lambda f: _rewrite_member(f, "saliency", lambda a: {**a, "saliency": a["saliency"] * 1.0001}),
        "'saliency' does not match its SHA-256",
    ),
    "changed byte": ("npz", _flip_byte, "'saliency'"),
    "missing array": (
        "npz",
        lambda f: _rewrite_member(f, "gradcam", lambda a: {k: v for k, v in a.items() if k != "gradcam"}),
        "lack 'gradcam'",
    ),
    "missing sample_index": (
        "npz",
        lambda f: _rewrite_member(f, "sample_index", lambda a: {k: v for k, v in a.items() if k != "sample_index"}),
        "lack 'sample_index'",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_every_reader_refuses_a_damaged_store_naming_the_array(runs, tmp_path, damage):
    store, harm, words = DAMAGES[damage]
    broken = copy(runs[store], tmp_path / "broken")
    harm(broken)
    with pytest.raises(DamagedResultError, match=r"array|lack"):
        read_result(broken).arrays()
    out = tmp_path / "out"
    cases = {
        "evaluate": ("evaluate", MODEL, DATA, "--from", broken, "-o", out, "--quiet"),
        "compare": ("compare", runs[store], broken, "-o", out, "--no-plots"),
        "report": ("report", broken, "-o", out),
    }
    for command, argv in cases.items():
        result = invoke(*argv)
        _one_error_line(result, ExitCode.OUTPUT, words)
        assert not out.exists(), command


def test_merge_refuses_a_shard_with_a_damaged_array_and_writes_nothing(runs, tmp_path):
    first = copy(runs["shard1"], tmp_path / "s1")
    _rewrite_member(first, "saliency", lambda a: {**a, "saliency": np.zeros_like(a["saliency"])})
    out = tmp_path / "merged"
    _one_error_line(invoke("merge", first, runs["shard2"], "-o", out), ExitCode.OUTPUT, "s1", "'saliency'")
    assert not out.exists() and not list(tmp_path.glob(".merged.partial-*"))
    merged = invoke("merge", runs["shard1"], runs["shard2"], "-o", out)
    assert merged.exit_code == 0, merged.output
    arrays = read_result(out).arrays()  # the merged manifest's own digests hold
    np.testing.assert_array_equal(arrays["saliency"], read_result(runs["npz"]).arrays()["saliency"])


def test_run_result_load_verifies(runs, tmp_path):
    result = explain(MODEL, DATA, tmp_path / "api", methods=("saliency",), samples="0:3", plots=False)
    assert set(result.load()) >= {"saliency", "sample_index"}
    assert "integrity" in result.manifest
    _rewrite_member(result.out_dir, "saliency", lambda a: {**a, "saliency": a["saliency"][::-1].copy()})
    with pytest.raises(DamagedResultError, match="'saliency' does not match"):
        result.load()


def test_results_written_before_verification_still_read_but_must_hold_their_listed_arrays(runs, tmp_path):
    old = copy(runs["npz"], tmp_path / "old")
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["integrity"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert set(read_result(old).arrays()) >= {"saliency"}
    _rewrite_member(old, "gradcam", lambda a: {k: v for k, v in a.items() if k != "gradcam"})
    with pytest.raises(DamagedResultError, match="lack 'gradcam'"):
        read_result(old).arrays()
