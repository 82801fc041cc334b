"""Signal readers: every supported layout, row selection and shape matching."""

from pathlib import Path

import h5py
import numpy as np
import pytest

from signalscreen_cli.errors import ShapeMismatchError, SignalFileError, UsageError
from signalscreen_cli.signals.files import fit_to_model, parse_samples, read_signals

SAMPLE_CSV = Path(__file__).parents[2] / "sample_data" / "ecg_beats.csv"


def test_npy_shapes_become_n_l_c(tmp_path):
    for shape, expected in [((50,), (1, 50, 1)), ((4, 50), (4, 50, 1)), ((4, 50, 3), (4, 50, 3))]:
        np.save(tmp_path / "s.npy", np.ones(shape, np.float64))
        signals = read_signals(tmp_path / "s.npy")
        assert signals.data.shape == expected and signals.data.dtype == np.float32


def test_samples_select_rows_in_order(tmp_path):
    data = np.arange(100 * 5, dtype=np.float32).reshape(100, 5)
    np.save(tmp_path / "s.npy", data)
    signals = read_signals(tmp_path / "s.npy", samples="90:93,2, 42")
    assert signals.sample_index.tolist() == [90, 91, 92, 2, 42]
    np.testing.assert_array_equal(signals.data[:, :, 0], data[[90, 91, 92, 2, 42]])


def test_negative_sample_indices_count_from_the_end_as_in_python():
    rows = np.arange(100)
    for spec, expected in (("-5:", rows[-5:]), ("-1", rows[-1:]), (":-97", rows[:-97]), ("-3:-1,0", [97, 98, 0])):
        assert parse_samples(spec, 100, Path("f.npy")).tolist() == list(expected), spec


@pytest.mark.parametrize("spec", ["0:200", "100", "5:3", "x", "1;2", "-101", "-200:", "-1:-3"])
def test_bad_sample_specs(spec):
    with pytest.raises(UsageError, match="--samples"):
        parse_samples(spec, 100, Path("f.npy"))


def test_csv_with_header_and_label_column(tmp_path):
    path = tmp_path / "beats.csv"
    path.write_text("a,b,c,label\n1,2,3,0\n4,5,6,1\n")
    signals = read_signals(path, label_column=-1)
    np.testing.assert_array_equal(signals.data[:, :, 0], [[1, 2, 3], [4, 5, 6]])
    without_header = tmp_path / "plain.csv"
    without_header.write_text("1,2,3\n4,5,6\n")
    assert read_signals(without_header).data.shape == (2, 3, 1)


def test_bundled_mitbih_style_csv_reads():
    signals = read_signals(SAMPLE_CSV, label_column=-1)
    assert signals.data.shape[1:] == (187, 1) and np.isfinite(signals.data).all()


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,2,3\n4,x,6\n", "line 2, column 2: 'x' is not a number"),
        ("1,2,3\n4,5\n", "line 2 has 2 values"),
        ("a,b,c\n", "header but no data rows"),
        ("1;2;3\n4;5;6\n", "';' as separator"),
        ("\n\n", "no rows"),
    ],
)
def test_bad_csv(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SignalFileError, match=message):
        read_signals(path)


def test_nan_policies(tmp_path):
    data = np.array([[1.0, np.nan, 3.0, 4.0], [1.0, 2.0, 3.0, np.inf]])
    np.save(tmp_path / "n.npy", data)
    with pytest.raises(SignalFileError, match="row 0, column 1"):
        read_signals(tmp_path / "n.npy")
    np.testing.assert_array_equal(
        read_signals(tmp_path / "n.npy", nan_policy="zero").data[:, :, 0], [[1, 0, 3, 4], [1, 2, 3, 0]]
    )
    interpolated = read_signals(tmp_path / "n.npy", nan_policy="interpolate").data[:, :, 0]
    np.testing.assert_array_equal(interpolated, [[1, 2, 3, 4], [1, 2, 3, 3]])


def test_npz_and_hdf5_keys(tmp_path):
    data = np.random.default_rng(0).normal(size=(3, 20, 2))
    np.savez(tmp_path / "d.npz", x=data, y=np.zeros(3))
    np.testing.assert_allclose(read_signals(tmp_path / "d.npz", key="x").data, data, rtol=1e-6)
    with pytest.raises(SignalFileError, match="keys: x, y"):
        read_signals(tmp_path / "d.npz", key="z")
    with pytest.raises(UsageError, match="choose one with --key"):
        read_signals(tmp_path / "d.npz")
    with h5py.File(tmp_path / "d.h5", "w") as handle:
        handle.create_dataset("group/signals", data=data)
    signals = read_signals(tmp_path / "d.h5", samples="2,0")
    np.testing.assert_allclose(signals.data, data[[2, 0]], rtol=1e-6)
    with pytest.raises(SignalFileError, match="keys: group/signals"):
        read_signals(tmp_path / "d.h5", key="nope")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(b"\x93NUMPY garbage"), "not a valid .npy"),
        (lambda p: np.save(p, np.array([{"a": 1}], dtype=object)), "Python objects"),
        (lambda p: np.save(p, np.array(["a", "b"])), "not real numbers"),
        (lambda p: np.save(p, np.zeros((2, 3, 4, 5))), "rank 4"),
        (lambda p: np.save(p, np.zeros((2, 0))), "no signal values"),
    ],
)
def test_bad_npy(tmp_path, make, message):
    path = tmp_path / "bad.npy"
    make(path)
    with pytest.raises(SignalFileError, match=message):
        read_signals(path)


def test_missing_directory_and_unknown_suffix(tmp_path):
    with pytest.raises(SignalFileError, match="no such file"):
        read_signals(tmp_path / "absent.npy")
    with pytest.raises(SignalFileError, match="is a directory"):
        read_signals(tmp_path)
    (tmp_path / "s.txt").write_text("1,2")
    with pytest.raises(SignalFileError, match=r"unsupported signal file type '\.txt'"):
        read_signals(tmp_path / "s.txt")


def test_fit_to_model_names_both_shapes():
    data = np.zeros((2, 100, 1), np.float32)
    assert fit_to_model(data, (100, 1), Path("s.npy")) is data
    assert fit_to_model(data, (None, 1), Path("s.npy")) is data
    with pytest.raises(ShapeMismatchError, match=r"shape \(2, 100, 1\) but the model expects \(n, 187, 1\)"):
        fit_to_model(data, (187, 1), Path("s.npy"))
    with pytest.raises(ShapeMismatchError, match="1 channel\\(s\\) in the file, 12 in the model"):
        fit_to_model(data, (100, 12), Path("s.npy"))
