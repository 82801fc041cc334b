"""WFDB and EDF input, written by their own libraries from the sample ECG: channels, beats, resampling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode, SignalFileError, UsageError
from signalscreen_cli.signals.clinical import ClinicalOptions
from signalscreen_cli.signals.clinical.rows import open_clinical

wfdb = pytest.importorskip("wfdb")
edfio = pytest.importorskip("edfio")

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
BEATS, R_PEAK, RATE = 40, 25, 125


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def ecg() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """40 real beats (rows 130-169) end to end (125 Hz, R peak 25 samples into each), their R peaks and N/V symbols."""
    beats = np.load(ROOT / "sample_data" / "ecg_beats.npy")[130 : 130 + BEATS]  # N beats and 6 V beats
    labels = np.load(ROOT / "sample_data" / "ecg_labels.npy")[130 : 130 + BEATS]
    return beats.reshape(-1), R_PEAK + 187 * np.arange(BEATS), ["V" if label else "N" for label in labels]


@pytest.fixture(scope="module")
def record(tmp_path_factory, ecg) -> Path:
    """A two-lead WFDB record with beat and rhythm annotations."""
    folder = tmp_path_factory.mktemp("wfdb")
    signal, peaks, symbols = ecg
    leads = np.stack([signal, 0.5 * signal + 0.1], axis=1)
    wfdb.wrsamp(
        "rec",
        fs=RATE,
        units=["mV", "mV"],
        sig_name=["MLII", "V5"],
        p_signal=leads,
        fmt=["16", "16"],
        write_dir=str(folder),
    )
    samples = np.sort(np.r_[peaks, 3])
    marks = ["+" if s == 3 else symbols[list(peaks).index(s)] for s in samples]
    wfdb.wrann("rec", "atr", samples, symbol=marks, write_dir=str(folder))
    return folder / "rec.hea"


def test_beats_are_the_windows_numpy_slicing_gives(record, ecg):
    _, peaks, symbols = ecg
    rows = open_clinical(record, ClinicalOptions(beats="atr", before="25", after="162", channels=("V5", "MLII")))
    stored = wfdb.rdrecord(str(record.with_suffix(""))).p_signal
    assert rows.shape == (BEATS, 187, 2) and rows.channel_names == ["V5", "MLII"] and rows.units == ["mV", "mV"]
    for row in (0, 7, BEATS - 1):
        expected = stored[peaks[row] - 25 : peaks[row] + 162][:, [1, 0]].astype(np.float32)
        np.testing.assert_array_equal(rows[row][0], expected)
    info = rows.row_arrays()
    assert info["beat_sample"].tolist() == peaks.tolist() and info["beat_symbol"].tolist() == symbols
    assert rows.describe()["skipped_at_edges"] == 0  # the rhythm mark "+" is not a beat


def test_beat_types_edges_and_seconds(record, ecg):
    _, peaks, symbols = ecg
    only_v = open_clinical(record, ClinicalOptions(beats="atr", before="0.4s", after="1.2s", beat_types=("V",)))
    assert only_v.shape[1:] == (50 + 150, 2)
    kept = [p for p, s in zip(peaks, symbols, strict=True) if s == "V" and p >= 50 and p + 150 <= 187 * BEATS]
    assert only_v.row_arrays()["beat_sample"].tolist() == kept
    assert only_v.describe()["skipped_at_edges"] == symbols.count("V") - len(kept)


def test_resampling_is_resample_poly_applied_before_windowing(tmp_path, ecg):
    from scipy.signal import resample_poly

    signal, peaks, _ = ecg
    fast = resample_poly(signal, 72, 25)  # 125 Hz -> 360 Hz, as MIT-BIH records are
    wfdb.wrsamp(
        "fast",
        fs=360,
        units=["mV"],
        sig_name=["MLII"],
        p_signal=fast[:, None],
        fmt=["32"],
        write_dir=str(tmp_path),
        adc_gain=[100000.0],
        baseline=[0],
    )
    wfdb.wrann("fast", "atr", np.round(peaks * 360 / 125).astype(int), symbol=["N"] * BEATS, write_dir=str(tmp_path))
    rows = open_clinical(tmp_path / "fast.hea", ClinicalOptions(beats="atr", before="25", after="162", resample=125))
    stored = wfdb.rdrecord(str(tmp_path / "fast")).p_signal[:, 0]
    expected = resample_poly(stored, 25, 72)
    for row in (1, 20):
        centre = round(rows.row_arrays()["beat_sample"][row])
        np.testing.assert_allclose(rows[row][0, :, 0], expected[centre - 25 : centre + 162], rtol=1e-6, atol=1e-6)
    assert rows.describe()["sampling_rate"] == 125 and rows.describe()["source_sampling_rate"] == 360


def test_the_mit_bih_style_command_explains_every_beat(tmp_path, record, ecg):
    _, peaks, _ = ecg
    out = tmp_path / "out"
    done = invoke(
        "explain",
        MODEL,
        record,
        "--beats",
        "atr",
        "--before",
        "25",
        "--after",
        "162",
        "--channels",
        "MLII",
        "-m",
        "saliency,gradcam",
        "--no-plots",
        "-q",
        "-o",
        out,
    )
    assert done.exit_code == 0, done.output
    with np.load(out / "attributions.npz") as archive:
        assert archive["beat_sample"].tolist() == peaks.tolist() and archive["record"].tolist() == ["rec"] * BEATS
        assert archive["saliency"].shape == (BEATS, 187, 1)
        saliency = archive["saliency"]
    manifest = json.loads((out / "manifest.json").read_text())
    reading = manifest["data"]["reading"]
    assert reading["channels"] == ["MLII"] and reading["units"] == ["mV"] and reading["beats_found"] == BEATS
    assert manifest["parameters"]["sampling_rate"] == RATE  # from the header
    # the same beats given as an array (the record's 16-bit values) give the same maps
    stored = wfdb.rdrecord(str(record.with_suffix(""))).p_signal[:, 0]
    np.save(tmp_path / "beats.npy", np.stack([stored[p - 25 : p + 162] for p in peaks]).astype(np.float32))
    again = invoke("explain", MODEL, tmp_path / "beats.npy", "-m", "saliency", "--no-plots", "-q", "-o", tmp_path / "a")
    assert again.exit_code == 0
    with np.load(tmp_path / "a" / "attributions.npz") as archive:
        np.testing.assert_array_equal(archive["saliency"], saliency)


def test_an_edf_file_works_the_same_way(tmp_path, ecg):
    signal, peaks, symbols = ecg
    signal = np.r_[signal, np.zeros(20)]  # EDF holds whole data records: 60 s
    leads = [
        edfio.EdfSignal(signal, RATE, label="MLII", physical_dimension="mV"),
        edfio.EdfSignal(np.repeat(signal, 2), 2 * RATE, label="FAST", physical_dimension="uV"),
    ]
    notes = [edfio.EdfAnnotation(p / RATE, None, s) for p, s in zip(peaks, symbols, strict=True)]
    edfio.Edf(leads, annotations=notes).write(tmp_path / "rec.edf")
    rows = open_clinical(
        tmp_path / "rec.edf", ClinicalOptions(beats="annotations", before="25", after="162", channels=("MLII",))
    )
    stored = edfio.read_edf(tmp_path / "rec.edf").signals[0].data
    assert rows.shape == (BEATS, 187, 1) and rows.units == ["mV"]
    np.testing.assert_array_equal(rows[3][0, :, 0], stored[peaks[3] - 25 : peaks[3] + 162].astype(np.float32))
    with pytest.raises(SignalFileError, match="different rates \\(125, 250 Hz\\)"):
        open_clinical(tmp_path / "rec.edf", ClinicalOptions())
    both = open_clinical(tmp_path / "rec.edf", ClinicalOptions(resample=RATE))
    assert both.shape == (1, 60 * RATE, 2)
    done = invoke(
        "explain",
        MODEL,
        tmp_path / "rec.edf",
        "--beats",
        "annotations",
        "--before",
        "0.2s",
        "--after",
        "1.296s",
        "--channels",
        "MLII",
        "-m",
        "saliency",
        "--no-plots",
        "-q",
        "-o",
        tmp_path / "out",
    )
    assert done.exit_code == 0, done.output


def test_detected_beats_match_the_annotations(record, ecg):
    _, peaks, _ = ecg
    rows = open_clinical(record, ClinicalOptions(beats="detect", before="25", after="162", channels=("MLII",)))
    found = rows.row_arrays()["beat_sample"]
    matched = sum(np.abs(found - p).min() <= 0.15 * RATE for p in peaks)  # within 150 ms
    sensitivity, precision = matched / len(peaks), matched / len(found)
    print(f"XQRS on the sample beats: sensitivity {sensitivity:.3f}, PPV {precision:.3f}, {len(found)} found")
    assert sensitivity >= 0.9 and precision >= 0.9


def test_records_listed_in_a_records_file_are_one_row_each(tmp_path, ecg):
    signal, _, _ = ecg
    for k in range(3):
        wfdb.wrsamp(
            f"r{k}",
            fs=RATE,
            units=["mV"],
            sig_name=["I"],
            p_signal=signal[k * 187 : (k + 1) * 187, None],
            fmt=["16"],
            write_dir=str(tmp_path),
        )
    (tmp_path / "RECORDS").write_text("r0\nr1\nr2\n")
    rows = open_clinical(tmp_path, ClinicalOptions())
    assert rows.shape == (3, 187, 1) and rows.row_arrays()["record"].tolist() == ["r0", "r1", "r2"]
    done = invoke(
        "explain",
        MODEL,
        tmp_path,
        "-m",
        "saliency",
        "--detrend",
        "median",
        "--standardize",
        "window",
        "--no-plots",
        "-q",
        "-o",
        tmp_path / "out",
    )
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize(
    ("change", "options", "code", "message"),
    [
        (lambda f: (f / "rec.dat").unlink(), (), ExitCode.SIGNAL_FILE, "rec.hea: cannot read samples"),
        (
            lambda f: (f / "rec.dat").write_bytes((f / "rec.dat").read_bytes()[:1000]),
            (),
            ExitCode.SIGNAL_FILE,
            "rec.hea: cannot read samples",
        ),
        (
            None,
            ("--beats", "qrs", "--before", "25", "--after", "162"),
            ExitCode.SIGNAL_FILE,
            "no annotation file rec.qrs",
        ),
        (None, ("--channels", "V1"), ExitCode.USAGE, "has no channel 'V1'"),
        (None, ("--beats", "atr"), ExitCode.USAGE, "--beats needs --before and --after"),
        (None, ("--sampling-rate", "360"), ExitCode.USAGE, "--sampling-rate 360 differs from"),
    ],
)
def test_bad_recordings_and_options(tmp_path, record, change, options, code, message):
    folder = tmp_path / "copy"
    folder.mkdir()
    for item in record.parent.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    if change:
        change(folder)
    done = invoke("explain", MODEL, folder / "rec.hea", *options, "-m", "saliency", "--no-plots", "-o", tmp_path / "o")
    assert done.exit_code == code, done.output
    assert message in done.output and "Traceback" not in done.output and not (tmp_path / "o").exists()


def test_clinical_options_on_other_files_are_refused(tmp_path):
    done = invoke("explain", MODEL, ROOT / "sample_data" / "ecg_beats.npy", "--channels", "I", "-o", tmp_path / "o")
    assert done.exit_code == ExitCode.USAGE and "apply to WFDB/EDF input" in done.output
    with pytest.raises(UsageError, match="--detrend must be one of"):
        ClinicalOptions(detrend="mean").check()


def test_window_seconds_resolve_at_the_rate_the_windows_are_cut_at(tmp_path, record):
    """The header's rate, or --resample's: no --sampling-rate needed for either."""
    common = ("explain", MODEL, record, "--channels", "MLII", "-m", "saliency", "--no-plots", "-q")
    at_header = invoke(*common, "--segment", "1.496s", "-o", tmp_path / "header")  # 187 samples at 125 Hz
    assert at_header.exit_code == 0, at_header.output
    resampled = invoke(*common, "--resample", "250", "--segment", "0.748s", "--hop", "0.5s", "-o", tmp_path / "fast")
    assert resampled.exit_code == 0, resampled.output
    manifest = json.loads((tmp_path / "fast/manifest.json").read_text())
    assert manifest["data"]["reading"]["sampling_rate"] == 250
    with np.load(tmp_path / "fast/attributions.npz") as arrays:
        assert np.diff(arrays["segment_starts"][0])[0] == 125  # 0.5 s at 250 Hz
    np.save(tmp_path / "plain.npy", np.zeros((1, 1000), np.float32))
    rateless = invoke("explain", MODEL, tmp_path / "plain.npy", "--segment", "1.5s", "-o", tmp_path / "plain")
    assert rateless.exit_code == 2 and "--segment 1.5s: seconds need the sampling rate" in rateless.output
