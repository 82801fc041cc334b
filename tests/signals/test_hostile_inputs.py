"""Hostile or broken structure is refused cleanly, in its error class, before heavy work; ``.npz`` members and
``.h5`` datasets stream in bounded memory whatever their compression or what their header claims."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
from numpy.lib import format as npy_format
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode, SignalFileError
from signalscreen_cli.signals.files import open_rows, read_signals

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
H5_MODEL = ROOT / "sample_models" / "ecg_cnn.h5"


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def refused(result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output, result.output
    assert all(word in result.output for word in words), result.output
    assert "Warning" not in result.output, result.output


def claimed_member(path: Path, shape: tuple[int, ...], rows: np.ndarray, compression: int) -> None:
    """An ``.npz`` whose one member's header claims ``shape`` but holds only ``rows``' bytes after it, and
    (deflated) zeros up to the claim: the compressed size is a tiny part of what the header says."""
    header = io.BytesIO()
    npy_format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": shape})
    info = zipfile.ZipInfo("x.npy")
    info.compress_type = compression
    with zipfile.ZipFile(path, "w") as archive, archive.open(info, "w", force_zip64=True) as member:
        member.write(header.getvalue())
        member.write(rows.astype("<f4").tobytes())
        if compression == zipfile.ZIP_DEFLATED:
            left = (int(np.prod(shape)) - rows.size) * 4
            block = bytes(1 << 24)
            while left > 0:
                member.write(block[: min(left, len(block))])
                left -= len(block)


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_members_read_any_rows_as_np_load_does(tmp_path, compressed):
    values = np.random.default_rng(0).normal(size=(700, 40, 2)).astype(np.float32)
    path = tmp_path / "s.npz"
    (np.savez_compressed if compressed else np.savez)(path, signals=values, other=values[:3])
    for chosen in ("0:5", "699,3,3,650:700,1", "100:600"):
        got = read_signals(path, key="signals", samples=chosen)
        np.testing.assert_array_equal(got.data, values[got.sample_index])
    source = open_rows(path, key="signals")
    np.testing.assert_array_equal(source[np.arange(690, 700)], values[690:])
    np.testing.assert_array_equal(source[np.arange(0, 4)], values[:4])  # back to the start: a fresh stream


def test_a_deflated_member_claiming_far_more_than_the_bound_is_streamed_in_bounded_memory(tmp_path):
    """(3e5, 108) float32 claimed (130 MB, four times the memory bound below) in ~0.13 MB deflated: reading 8
    rows holds a block, not the member; rows near the end are reached by skipping, not by holding."""
    rows = np.arange(8 * 108, dtype=np.float32).reshape(8, 108)
    path = tmp_path / "bomb.npz"
    claimed_member(path, (300_000, 108), rows, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 4 << 20
    tracemalloc.start()
    try:
        got = read_signals(path, samples="0:8")
        near_end = read_signals(path, samples="299990:300000")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(got.data[..., 0], rows)
    assert not near_end.data.any() and peak < 32 << 20, peak  # a 4 MB skip block at a time


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_member_shorter_than_its_header_reads_its_rows_and_refuses_the_rest(tmp_path, compression):
    beats = np.load(DATA)[:4]
    path = tmp_path / "short.npz"
    header = io.BytesIO()
    npy_format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (10**7, 187)})
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr("x.npy", header.getvalue() + beats.astype("<f4").tobytes())
    done = invoke("explain", MODEL, path, "--samples", "0:4", "-m", "saliency", "--no-plots", "-o", tmp_path / "a")
    assert done.exit_code == 0, done.output
    out = tmp_path / "b"
    refused(invoke("explain", MODEL, path, "--samples", "2:8", "-m", "saliency", "--no-plots", "-o", out),
            ExitCode.SIGNAL_FILE, "short.npz", "ends at row 4")
    assert not out.exists()


def test_npz_structure_that_is_not_signals_is_refused(tmp_path):
    outside = tmp_path / "outside.npz"
    with zipfile.ZipFile(outside, "w") as archive:
        archive.writestr("../x.npy", b"")
    empty = tmp_path / "empty.npz"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("notes.txt", b"hello")
    objects = tmp_path / "objects.npz"
    np.savez(objects, x=np.array([{"a": 1}], dtype=object))
    broken = tmp_path / "broken.npz"
    np.savez_compressed(broken, x=np.ones((50, 187), np.float32))
    data = bytearray(broken.read_bytes())
    data[120:140] = bytes(20)  # inside the deflate stream
    broken.write_bytes(bytes(data))
    cases = [
        (outside, "archive member '../x.npy' points outside the archive"),
        (empty, "holds no array"),
        (objects, "holds Python objects"),
        (broken, "broken.npz"),
    ]
    for path, words in cases:
        out = tmp_path / "o"
        refused(invoke("explain", MODEL, path, "-m", "saliency", "--no-plots", "-o", out), ExitCode.SIGNAL_FILE, words)
        assert not out.exists()


def test_h5_datasets_read_by_row_ranges_and_what_the_file_holds_is_said(tmp_path):
    values = np.random.default_rng(1).normal(size=(300, 187)).astype(np.float32)
    chunked = tmp_path / "chunked.h5"
    with h5py.File(chunked, "w") as handle:
        handle.create_dataset("beats", data=values, chunks=(16, 187), compression="gzip")
    got = read_signals(chunked, samples="299,0:3,150")
    np.testing.assert_array_equal(got.data[..., 0], values[[299, 0, 1, 2, 150]])
    links = tmp_path / "links.h5"
    with h5py.File(links, "w") as handle:
        handle["a"] = h5py.SoftLink("/nowhere")
        handle["b"] = h5py.ExternalLink("missing.h5", "/x")
    huge = tmp_path / "huge.h5"
    with h5py.File(huge, "w") as handle:  # one 400 MB storage chunk of zeros: a few KB on disk
        handle.create_dataset("x", shape=(560_000, 187), dtype="f4", chunks=(560_000, 187), compression="gzip")
    for path, words in (
        (links, "holds no dataset (only links that resolve to nothing: /a, /b)"),
        (huge, "is stored in chunks of 399 MB (560000, 187)"),
    ):
        refused(invoke("explain", MODEL, path, "--no-plots", "-o", tmp_path / "o"), ExitCode.SIGNAL_FILE, words)


def nested_config(depth: int) -> str:
    return '{"class_name": "Sequential", "config": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def test_model_configs_nested_absurdly_deep_are_refused_as_model_files(tmp_path):
    keras_file = tmp_path / "deep.keras"
    with zipfile.ZipFile(MODEL) as source, zipfile.ZipFile(keras_file, "w") as target:
        for item in source.infolist():
            data = nested_config(300_000).encode() if item.filename == "config.json" else source.read(item)
            target.writestr(item, data)
    h5_file = tmp_path / "deep.h5"
    h5_file.write_bytes(H5_MODEL.read_bytes())
    with h5py.File(h5_file, "r+") as handle:
        handle.attrs["model_config"] = nested_config(300_000)
    outside = tmp_path / "outside.keras"
    with zipfile.ZipFile(MODEL) as source, zipfile.ZipFile(outside, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("../../escape.txt", b"x")
    for path, words in (
        (keras_file, "nested more than 100 levels deep"),
        (h5_file, "nested more than 100 levels deep"),
        (outside, "archive member '../../escape.txt' points outside the archive"),
    ):
        out = tmp_path / "o"
        refused(invoke("explain", path, DATA, "--samples", "0:2", "--no-plots", "-o", out), ExitCode.MODEL_FILE, words)
        assert not out.exists()
    # a real config still passes: the sample model's own nesting is far from the limit
    assert json.loads(zipfile.ZipFile(MODEL).read("config.json"))["class_name"]


def test_records_outside_their_folder_and_annotators_that_are_paths_are_refused(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    inner = tmp_path / "inner"
    inner.mkdir()
    wfdb.wrsamp("r0", fs=125, units=["mV"], sig_name=["I"], p_signal=np.load(DATA)[:2].reshape(-1, 1),
                fmt=["16"], write_dir=str(tmp_path))
    (inner / "RECORDS").write_text("../r0\n")
    refused(invoke("explain", MODEL, inner, "--no-plots", "-o", tmp_path / "o"), ExitCode.SIGNAL_FILE,
            "record '../r0' lies outside the folder that lists it")
    refused(
        invoke("explain", MODEL, tmp_path / "r0.hea", "--beats", "../../etc/x", "--before", "1", "--after", "1",
               "--no-plots", "-o", tmp_path / "o"),
        ExitCode.USAGE,
        "an annotator is a file suffix",
    )


def test_a_truncated_edf_is_refused_with_our_words_only(tmp_path):
    edfio = pytest.importorskip("edfio")
    signal = np.sin(np.arange(125 * 20) / 7.0)
    edfio.Edf([edfio.EdfSignal(signal, 125, label="I", physical_dimension="mV")]).write(tmp_path / "whole.edf")
    data = (tmp_path / "whole.edf").read_bytes()
    (tmp_path / "cut.edf").write_bytes(data[:-100])
    with pytest.raises(SignalFileError, match="truncated or padded"):
        open_rows(tmp_path / "cut.edf")
    done = invoke("explain", MODEL, tmp_path / "cut.edf", "--segment", "187", "--no-plots", "-o", tmp_path / "o")
    refused(done, ExitCode.SIGNAL_FILE, "cut.edf: truncated or padded", "the header says 20 data records")
    assert "UserWarning" not in done.output and not (tmp_path / "o").exists()
    assert zlib.crc32(data)  # the whole file is still read as before
    assert open_rows(tmp_path / "whole.edf").shape[0] == 1
