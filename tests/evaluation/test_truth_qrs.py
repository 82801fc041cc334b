"""``evaluate --truth qrs:±50ms`` on beats of a WFDB record: the same scores as the equivalent mask file."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode

wfdb = pytest.importorskip("wfdb")

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
BEATS, R_PEAK, RATE = 12, 25, 125


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    """12 real beats end to end (R peak 25 samples into each) with their N/V annotations, and the same beats."""
    folder = tmp_path_factory.mktemp("qrs")
    beats = np.load(ROOT / "sample_data" / "ecg_beats.npy")[160 : 160 + BEATS]
    labels = np.load(ROOT / "sample_data" / "ecg_labels.npy")[160 : 160 + BEATS]
    wfdb.wrsamp("rec", fs=RATE, units=["mV"], sig_name=["MLII"], p_signal=beats.reshape(-1, 1), fmt=["16"],
                write_dir=str(folder))  # fmt: skip
    peaks = R_PEAK + 187 * np.arange(BEATS)
    wfdb.wrann("rec", "atr", peaks, symbol=["V" if v else "N" for v in labels], write_dir=str(folder))
    return folder / "rec.hea"


def test_qrs_windows_score_as_the_same_mask_given_as_a_file(record, tmp_path):
    common = ["-m", "saliency,gradcam", "--steps", "4", "--no-randomization", "--no-plots", "-q"]
    beats = ["--beats", "atr", "--before", "25", "--after", "162"]
    done = invoke("evaluate", MODEL, record, *beats, "--truth", "qrs:±50ms", *common, "-o", tmp_path / "qrs")
    assert done.exit_code == 0, done.output
    document = json.loads((tmp_path / "qrs" / "evaluation.json").read_text())
    stored = tmp_path / "beats.npy"  # the same beats as the record stores them (16-bit)
    signal = wfdb.rdrecord(str(record.with_suffix(""))).p_signal[:, 0]
    np.save(stored, np.stack([signal[p - 25 : p + 162] for p in R_PEAK + 187 * np.arange(BEATS)])[..., None])
    mask = np.zeros((BEATS, 187), bool)
    mask[:, 19:32] = True  # 50 ms at 125 Hz: 6 samples each side of the peak at sample 25
    np.save(tmp_path / "mask.npy", mask)
    done = invoke("evaluate", MODEL, stored, "--truth", tmp_path / "mask.npy", *common, "-o", tmp_path / "file")
    assert done.exit_code == 0, done.output
    from_file = json.loads((tmp_path / "file" / "evaluation.json").read_text())
    for name, scores in document["truth"]["per_signal"].items():
        for score, values in scores.items():
            np.testing.assert_allclose(values, from_file["truth"]["per_signal"][name][score], rtol=1e-5, atol=1e-6)
    assert {row["class"] for row in document["truth"]["rows"]} >= {"all"}


def test_qrs_truth_needs_beat_windows(tmp_path):
    data = ROOT / "sample_data" / "ecg_beats.npy"
    done = invoke("evaluate", MODEL, data, "--truth", "qrs:±50ms", "--samples", "0:2", "-o", tmp_path / "n")
    assert done.exit_code == ExitCode.USAGE, done.output
    assert "--truth qrs:±50ms needs beat windows around annotated R peaks" in done.output
    assert not (tmp_path / "n").exists()
