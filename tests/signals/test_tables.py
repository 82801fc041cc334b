"""Signal tables as people keep them: an id column, a label column of class names, headers by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app

ROOT = Path(__file__).parents[2]
MODEL, BEATS, LABELS = ROOT / "sample_models/ecg_cnn.keras", ROOT / "sample_data/ecg_beats.npy", "ecg_labels.npy"
FAST = ("-m", "saliency,occlusion", "-w", "9", "--no-plots", "-q")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """Twelve beats (four of them V) as a data scientist keeps them: id, 187 samples, a label of N or V."""
    folder = tmp_path_factory.mktemp("table")
    rows = [0, 1, 2, 3, 4, 5, 6, 7, 88, 91, 115, 131]
    beats = np.load(BEATS)[rows]
    labels = np.load(ROOT / "sample_data" / LABELS)[rows]
    header = ",".join(["id", *(f"t{i}" for i in range(beats.shape[1])), "label"])
    lines = [
        ",".join([f"p{row:03d}", *(repr(float(v)) for v in beats[row]), "NV"[int(labels[row])]])
        for row in range(len(beats))
    ]
    (folder / "beats.csv").write_text(header + "\n" + "\n".join(lines) + "\n")
    np.save(folder / "beats.npy", beats)
    return folder, labels


def test_a_table_with_ids_and_named_labels_gives_the_plain_arrays_maps(table, tmp_path):
    folder, labels = table
    named = invoke(
        "explain",
        MODEL,
        folder / "beats.csv",
        "--label-column",
        "label",
        "--drop-columns",
        "id",
        "--class-names",
        "N,V",
        *FAST,
        "-o",
        tmp_path / "table",
    )
    assert named.exit_code == 0, named.output
    plain = invoke("explain", MODEL, folder / "beats.npy", *FAST, "-o", tmp_path / "plain")
    assert plain.exit_code == 0, plain.output
    with np.load(tmp_path / "table/attributions.npz") as got, np.load(tmp_path / "plain/attributions.npz") as want:
        for name in ("saliency", "occlusion_w9", "predictions"):
            np.testing.assert_allclose(got[name], want[name], rtol=1e-6, atol=1e-7, err_msg=name)
        assert got["labels"].tolist() == labels.tolist()
        assert got["row_id"].tolist() == [f"p{row:03d}" for row in range(12)]


def test_text_labels_need_class_names_and_unknown_names_are_named(table, tmp_path):
    folder, _ = table
    common = ("explain", MODEL, folder / "beats.csv", "--label-column", "-1", "--drop-columns", "0", *FAST)
    nameless = invoke(*common, "-o", tmp_path / "a")
    assert nameless.exit_code == 2 and "labels are names (N, V), not class indices" in nameless.output
    assert "give --class-names to map them" in nameless.output
    wrong = invoke(*common, "--class-names", "N,S", "-o", tmp_path / "b")
    assert wrong.exit_code == 2 and "label 'V' is not among the --class-names" in wrong.output
    unknown = invoke("explain", MODEL, folder / "beats.csv", "--label-column", "class", *FAST, "-o", tmp_path / "c")
    assert (
        unknown.exit_code == 2 and "--label-column class:" in unknown.output and "its columns: id, t0" in unknown.output
    )
    for out in "abc":
        assert not (tmp_path / out).exists()


def test_forgetting_the_label_and_id_columns_says_what_they_may_be(table, tmp_path):
    folder, _ = table
    text = invoke("explain", MODEL, folder / "beats.csv", *FAST, "-o", tmp_path / "a")
    assert text.exit_code == 3 and "column 1: 'p000' is not a number" in text.output
    assert "pass --label-column id or --drop-columns id" in text.output
    extra = folder / "with_label.npy"
    np.save(extra, np.concatenate([np.load(folder / "beats.npy"), np.zeros((12, 1), np.float32)], axis=1))
    wide = invoke("explain", MODEL, extra, *FAST, "-o", tmp_path / "b")
    assert wide.exit_code == 5 and "1 value(s) a row more than the model takes: a label or an id?" in wide.output


def test_a_labels_array_beside_the_signals_in_npz_and_h5(table, tmp_path):
    import h5py

    folder, labels = table
    beats = np.load(folder / "beats.npy")
    np.savez(tmp_path / "beats.npz", signals=beats, labels=np.array(["NV"[int(v)] for v in labels]))
    with h5py.File(tmp_path / "beats.h5", "w") as handle:
        handle["signals"], handle["labels"] = beats, labels
    for data, extra in ((tmp_path / "beats.npz", ("--class-names", "N,V")), (tmp_path / "beats.h5", ())):
        result = invoke("explain", MODEL, data, "--label-column", "labels", *extra, *FAST, "-o", tmp_path / data.suffix)
        assert result.exit_code == 0, result.output
        with np.load(tmp_path / data.suffix / "attributions.npz") as got:
            assert got["labels"].tolist() == labels.tolist() and got["saliency"].shape == (12, 187, 1)


def test_row_ids_in_a_zarr_store_raise_no_library_warning(table, tmp_path):
    import warnings

    pytest.importorskip("zarr")
    folder, _ = table
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke(
            "explain", MODEL, folder / "beats.csv", "--drop-columns", "id", "--label-column", "label",
            "--class-names", "N,V", "--store", "zarr", *FAST, "-o", tmp_path / "z",
        )
    assert result.exit_code == 0, result.output
    assert not [w for w in caught if "Zarr" in str(w.message)], [str(w.message) for w in caught]
