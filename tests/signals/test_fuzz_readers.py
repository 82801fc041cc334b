"""Fuzzing every reader with hostile bytes: CSV, ``.npy`` headers, ``.npz``, ``.h5``, WFDB headers and
annotations, EDF headers. Whatever the bytes, a reader gives float32 ``(n, L, C)`` rows or raises one of our
errors (never exit 1), and no library warning reaches the user.

Bounded: each test tries ``FUZZ_EXAMPLES`` inputs (environment variable; 150 by default, so the suite takes
seconds; 50 in the quick loop, ``-m "not slow"``, where ``tests/conftest.py`` sets it unless it is set). The counts
tried are printed with ``pytest -s`` (``cases tried``).
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.lib import format as npy_format

from signalscreen_cli.errors import SignalScreenError
from signalscreen_cli.signals.clinical.options import ClinicalOptions
from signalscreen_cli.signals.files import open_rows, read_rows

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
TRIED: dict[str, int] = {}


def read_all_ways(path: Path, **reading) -> None:
    """Open ``path`` and read its first, last and a middle row; only our errors, and no warning, may come out."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            source = open_rows(path, **reading)
            n = source.shape[0]
            rows = read_rows(source, np.unique(np.array([0, n // 2, n - 1])), path)
            assert rows.dtype == np.float32 and rows.ndim == 3
        except SignalScreenError as error:
            assert error.message, error
    assert not caught, [str(w.message) for w in caught]


def fuzzed(name: str, suffix: str, write: Callable[[Path], None], **reading) -> None:
    TRIED[name] = TRIED.get(name, 0) + 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{suffix}"
        write(path)
        read_all_ways(path, **reading)


def flips(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` with a few bytes changed, cut short, or with bytes added."""

    def mutate(draw_positions: list[tuple[int, int]], cut: int | None, extra: bytes) -> bytes:
        changed = bytearray(data)
        for position, value in draw_positions:
            changed[position % len(changed)] = value
        if cut is not None:
            changed = changed[: cut % (len(changed) + 1)]
        return bytes(changed) + extra

    return st.builds(
        mutate,
        st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6),
        st.one_of(st.none(), st.integers(0, 1 << 20)),
        st.binary(max_size=16),
    )


CSV_TOKENS = st.sampled_from(["1", "-2.5", "1e308", "1e999", "nan", "inf", "", " ", "x", '"3"', '"', ",", "\n", "\r\n",
                              "\t", "\x00", "é", "0x1F", "#", "label", "1,2", ";"])


@FUZZ
@given(st.lists(CSV_TOKENS, max_size=60), st.sampled_from([None, 0, -1, 5]))
def test_csv_text(tokens, label_column):
    fuzzed("csv", ".csv", lambda p: p.write_text("".join(tokens), encoding="utf-8"), label_column=label_column)


@FUZZ
@given(st.binary(max_size=300))
def test_csv_bytes(data):
    fuzzed("csv bytes", ".csv", lambda p: p.write_bytes(data))


HEADER_VALUES = st.one_of(
    st.just("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }"),
    st.text(alphabet="{}()[]'\":,<>fi48 descrshapefortran_orderTrueFalseO|u1e9-", max_size=80),
    st.builds(
        lambda descr, order, shape: repr({"descr": descr, "fortran_order": order, "shape": shape}),
        st.sampled_from(["<f4", ">f8", "|b1", "<i8", "|O", "<U3", "<c8", "|V4", "<M8[D]", "[('a', '<f4')]"]),
        st.booleans(),
        st.tuples(*[st.integers(-2, 10**12)] * 2) | st.tuples() | st.tuples(st.integers(0, 9)),
    ),
)


def npy_bytes(header: str, body: bytes, version: int) -> bytes:
    text = header.encode("latin1", "replace")
    pad = (-(len(text) + 11)) % 64
    if version == 1:
        return b"\x93NUMPY\x01\x00" + (len(text) + pad + 1).to_bytes(2, "little") + text + b" " * pad + b"\n" + body
    return b"\x93NUMPY\x02\x00" + (len(text) + pad + 1).to_bytes(4, "little") + text + b" " * pad + b"\n" + body


@FUZZ
@given(HEADER_VALUES, st.binary(max_size=200), st.sampled_from([1, 2]))
def test_npy_headers(header, body, version):
    fuzzed("npy headers", ".npy", lambda p: p.write_bytes(npy_bytes(header, body, version)))


def _valid_npz(compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        member = io.BytesIO()
        npy_format.write_array(member, np.arange(60, dtype=np.float32).reshape(4, 15))
        archive.writestr("x.npy", member.getvalue())
    return buffer.getvalue()


@FUZZ
@given(st.one_of(flips(_valid_npz(zipfile.ZIP_STORED)), flips(_valid_npz(zipfile.ZIP_DEFLATED))))
def test_npz_bytes(data):
    fuzzed("npz bytes", ".npz", lambda p: p.write_bytes(data))


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["x.npy", "y.npy", "../up.npy", "/abs.npy", "dir/z.npy", "notes.txt", "x.npy"]),
            HEADER_VALUES,
            st.binary(max_size=120),
            st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
        ),
        max_size=3,
    ),
    st.sampled_from([None, "x", "y", "../up"]),
)
def test_npz_members(members, key):
    def write(path: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the zip writer's own "Duplicate name" while making the case
            with zipfile.ZipFile(path, "w") as archive:
                for name, header, body, compression in members:
                    archive.writestr(name, npy_bytes(header, body, 1), compress_type=compression)

    fuzzed("npz members", ".npz", write, key=key)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "g/c", "g/h/d"]),
            st.sampled_from(["f4", "f8", "i2", "u1", "c8", "S3", "bool", "link", "external", "group", "attr"]),
            st.lists(st.integers(0, 5), min_size=0, max_size=4),
            st.sampled_from([None, "gzip", "chunks"]),
        ),
        max_size=4,
    ),
    st.sampled_from([None, "a", "g/c", "nothing"]),
    st.one_of(st.none(), st.integers(0, 4000)),
)
def test_h5_structures(entries, key, cut):
    import h5py

    def write(path: Path) -> None:
        with h5py.File(path, "w") as handle:
            for name, kind, shape, storage in entries:
                if name in handle:
                    continue
                if kind == "link":
                    handle[name] = h5py.SoftLink("/nowhere")
                elif kind == "external":
                    handle[name] = h5py.ExternalLink("missing.h5", "/x")
                elif kind == "group":
                    handle.create_group(name)
                elif kind == "attr":
                    handle.attrs[name.replace("/", "_")] = np.arange(3)
                else:
                    options = {"compression": "gzip"} if storage == "gzip" and shape else {}
                    if storage == "chunks" and shape and 0 not in shape:
                        options["chunks"] = tuple(shape)
                    handle.create_dataset(name, data=np.zeros(shape, kind), **options)
        if cut is not None:
            data = path.read_bytes()
            path.write_bytes(data[: cut % (len(data) + 1)])

    fuzzed("h5 structures", ".h5", write, key=key)


WFDB_HEADER_LINES = st.sampled_from(
    [
        "rec 1 125 400",
        "rec 2 360 1000",
        "rec 1 0 10",
        "rec -1 125 400",
        "rec 1 125",
        "rec x y z",
        "rec 1 125 99999999999",
        "rec.dat 16 200/mV 11 0 0 0 0 I",
        "rec.dat 212 200 12 0 0 0 0 II",
        "rec.dat 16 0/mV 11 0 0 0 0 I",
        "rec.dat 999 200 12 0 0 0 0 X",
        "../rec.dat 16 200 12 0 0 0 0 I",
        "rec.dat",
        "# comment",
        "",
        "\x00\xff",
    ]
)


@FUZZ
@given(st.lists(WFDB_HEADER_LINES, min_size=1, max_size=4), st.binary(max_size=900), st.binary(max_size=60))
def test_wfdb_headers_and_annotations(lines, data, annotations):
    pytest.importorskip("wfdb")

    def write(path: Path) -> None:
        hea = path.with_name("rec.hea")
        hea.write_text("\n".join(lines) + "\n", encoding="latin1")
        path.with_name("rec.dat").write_bytes(data)
        path.with_name("rec.atr").write_bytes(annotations)

    TRIED["wfdb"] = TRIED.get("wfdb", 0) + 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rec.hea"
        write(path)
        read_all_ways(path)
        read_all_ways(path, clinical=ClinicalOptions(beats="atr", before="2", after="2"))


@functools.cache
def _valid_edf() -> bytes:
    """A valid EDF+ file's bytes, written once (each example changes a copy)."""
    edfio = pytest.importorskip("edfio")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.edf"
        signals = [edfio.EdfSignal(np.sin(np.arange(250) / 5.0), 25, label="I", physical_dimension="mV")]
        edfio.Edf(signals, annotations=[edfio.EdfAnnotation(1.0, None, "N")]).write(path)
        return path.read_bytes()


@FUZZ
@given(st.data())
def test_edf_headers(data):
    valid = _valid_edf()
    header_length = int(valid[184:192])
    # most changes land in the header, where the reader's trust is
    changed = data.draw(
        st.one_of(
            st.builds(
                lambda position, value, cut: (valid[:position] + value + valid[position + len(value) :])[:cut],
                st.integers(0, header_length - 1),
                st.binary(min_size=1, max_size=8),
                st.integers(header_length // 2, len(valid) + 10),
            ),
            flips(valid),
        )
    )
    fuzzed("edf headers", ".edf", lambda p: p.write_bytes(changed))
    fuzzed("edf annotations", ".edf", lambda p: p.write_bytes(changed),
           clinical=ClinicalOptions(beats="annotations", before="2", after="2"))


def test_zz_cases_tried():
    """Prints how many inputs each reader was given (run last in this file)."""
    print("\ncases tried:", ", ".join(f"{name} {count}" for name, count in sorted(TRIED.items())))
    assert not TRIED or min(TRIED.values()) >= 1
