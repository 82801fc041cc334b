"""Property tests of the signal readers: a valid float32 (n, L, C) array or our error, never anything else."""

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from signalscreen_cli.errors import SignalScreenError
from signalscreen_cli.signals.files import read_signals

DTYPES = st.sampled_from(["float32", "float64", "int8", "int64", "uint16", "bool", "complex64", "U3", "S2", "f2"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(path: Path, **options) -> None:
    try:
        signals = read_signals(path, **options)
    except SignalScreenError as error:
        assert (error.message and str(path) in error.message) or error.message.startswith("--")
        return
    data = signals.data
    assert data.dtype == np.float32 and data.ndim == 3 and min(data.shape) >= 1
    assert np.isfinite(data).all()
    assert signals.sample_index.shape == (data.shape[0],)


@SETTINGS
@given(
    array=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=6)),
    samples=st.one_of(st.none(), st.text(alphabet="0123456789:,- x", max_size=8)),
    nan_policy=st.sampled_from(["error", "zero", "interpolate"]),
)
def test_npy_files(array, samples, nan_policy):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.npy"
        np.save(path, array)
        check(path, samples=samples, nan_policy=nan_policy)


@SETTINGS
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True, width=32),
                st.integers(-(10**6), 10**6),
                st.text(alphabet="abc;.-eE+ \t\"'", max_size=4),
            ),
            min_size=0,
            max_size=6,
        ),
        min_size=0,
        max_size=6,
    ),
    header=st.booleans(),
    label_column=st.one_of(st.none(), st.integers(-3, 3)),
)
def test_csv_text_with_junk(rows, header, label_column):
    lines = [",".join(str(cell) for cell in row) for row in rows]
    if header and rows:
        lines.insert(0, ",".join(f"c{i}" for i in range(len(rows[0]))))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.csv"
        path.write_text("\n".join(lines))
        check(path, label_column=label_column, nan_policy="zero")


@SETTINGS
@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".npy", ".npz", ".csv", ".h5"]))
def test_random_bytes(raw, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"s{suffix}"
        path.write_bytes(raw)
        check(path)
