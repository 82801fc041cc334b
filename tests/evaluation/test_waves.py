"""Relevance per ECG wave: wave annotations parsed as LUDB/QT write them, shares by hand, and end to end."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from signalscreen_cli.evaluation.waves import WAVES, time_shares, wave_intervals, wave_shares, window_labels

wfdb = pytest.importorskip("wfdb")

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
BEATS, R_PEAK, RATE, LENGTH = 10, 25, 125, 187
P, QRS, T, REST = (WAVES.index(w) for w in WAVES)


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def test_wave_annotations_become_intervals():
    positions = np.array([10, 14, 18, 30, 35, 40, 60, 70, 80, 90, 95])
    symbols = ["(", "p", ")", "(", "V", ")", "(", "t", ")", "(", "p"]  # the last P wave has no offset
    assert wave_intervals(positions, symbols).tolist() == [[10, 19, P], [30, 41, QRS], [60, 81, T]]
    assert wave_intervals(np.array([5, 6]), ["N", "N"]).shape == (0, 3)  # beat marks alone are not waves


def test_window_labels_cut_the_intervals_to_the_window():
    labels = window_labels(np.array([[10, 19, P], [30, 41, QRS]]), start=15, length=20)
    assert labels.tolist() == [P] * 4 + [REST] * 11 + [QRS] * 5


def test_shares_by_hand():
    labels = np.array([[P, QRS, QRS, T, REST, REST]])
    on_qrs = np.array([[0, 2.0, -3.0, 0, 0, 0]])
    np.testing.assert_allclose(wave_shares(on_qrs, labels), [[0, 1, 0, 0]])
    uniform = np.ones((1, 6, 2))  # summed over the two leads
    np.testing.assert_allclose(wave_shares(uniform, labels), time_shares(labels))
    np.testing.assert_allclose(time_shares(labels), [[1 / 6, 2 / 6, 1 / 6, 2 / 6]])
    assert np.isnan(wave_shares(np.zeros((1, 6)), labels)).all()


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    """10 real beats end to end with LUDB-style wave annotations (P at R−20..R−12, QRS R−5..R+5, T R+25..R+45),
    all but the last, which has only its beat mark."""
    folder = tmp_path_factory.mktemp("waves")
    beats = np.load(ROOT / "sample_data" / "ecg_beats.npy")[160 : 160 + BEATS]
    wfdb.wrsamp("rec", fs=RATE, units=["mV"], sig_name=["MLII"], p_signal=beats.reshape(-1, 1), fmt=["16"],
                write_dir=str(folder))  # fmt: skip
    samples, symbols = [], []
    for peak in R_PEAK + LENGTH * np.arange(BEATS - 1):  # the last beat has its R peak marked, no waves
        for low, mark, high in ((-20, "p", -12), (-5, "N", 5), (25, "t", 45)):
            samples += [peak + low, peak + (low + high) // 2 if mark != "N" else peak, peak + high]
            symbols += ["(", mark, ")"]
    samples, symbols = [*samples, R_PEAK + LENGTH * (BEATS - 1)], [*symbols, "N"]
    wfdb.wrann("rec", "i", np.array(samples), symbol=symbols, write_dir=str(folder))
    return folder / "rec.hea"


def test_relevance_per_wave_of_annotated_beats(record, tmp_path):
    beats = ["--beats", "i", "--before", "25", "--after", "162"]
    common = [*beats, "-m", "saliency", "--steps", "4", "--no-randomization", "--no-plots"]
    done = invoke("evaluate", MODEL, record, *common, "--waves", "i", "--class-names", "N,V", "--report",
                  "-o", tmp_path / "waves")  # fmt: skip
    assert done.exit_code == 0, done.output
    page = (tmp_path / "waves" / "report.html").read_text()
    assert "Relevance per wave" in page and "<th class=\"num\">QRS time</th>" in page
    summary = (tmp_path / "waves" / "summary.md").read_text()
    sentence = next(line for line in summary.splitlines() if line.startswith("- N beats: "))
    assert "% of saliency's |relevance| on the " in sentence and sentence[2:] in page.replace("&#39;", "'")
    assert "relevance per wave" in done.output and "QRS share" in done.output
    section = json.loads((tmp_path / "waves" / "evaluation.json").read_text())["waves"]
    overall = section["rows"][0]
    assert overall["class"] == "all" and overall["signals"] == BEATS - 1  # the beat without waves is left out
    for wave, samples in (("P", 9), ("QRS", 11), ("T", 21), ("rest", LENGTH - 41)):
        assert overall[f"{wave}_time"] == pytest.approx(samples / LENGTH)
    done = invoke("explain", MODEL, record, *beats, "-m", "saliency", "--no-plots", "-q", "-o", tmp_path / "maps")
    assert done.exit_code == 0, done.output
    saliency = np.load(tmp_path / "maps" / "attributions.npz")["saliency"][..., 0]
    labels = np.full(LENGTH, REST)
    labels[5:14], labels[20:31], labels[50:71] = P, QRS, T
    magnitude = np.abs(saliency)
    expected = np.stack([magnitude[:, labels == w].sum(axis=1) for w in range(4)], 1) / magnitude.sum(1)[:, None]
    for w, wave in enumerate(WAVES):
        found = section["per_signal"]["saliency"][wave]
        np.testing.assert_allclose(found[:-1], expected[:-1, w], rtol=1e-5)
        assert np.isnan(found[-1]) and np.isnan(section["time"][wave][-1])
    assert (tmp_path / "waves" / "waves.csv").read_text().startswith("map,method,class,signals,P,QRS,T,rest,")


def test_qrs_windows_share_equals_mass_accuracy_for_a_non_negative_map(record, tmp_path):
    common = ["--beats", "i", "--before", "25", "--after", "162", "-m", "saliency", "--steps", "4",
              "--no-randomization", "--no-plots", "-q"]  # fmt: skip
    both = ["--waves", "qrs:50ms", "--truth", "qrs:50ms", "-o", tmp_path / "o"]
    done = invoke("evaluate", MODEL, record, *common, *both)
    assert done.exit_code == 0, done.output
    document = json.loads((tmp_path / "o" / "evaluation.json").read_text())
    np.testing.assert_allclose(
        document["waves"]["per_signal"]["saliency"]["QRS"], document["truth"]["per_signal"]["saliency"]["mass_accuracy"]
    )


def test_waves_need_beat_windows(tmp_path):
    data = ROOT / "sample_data" / "ecg_beats.npy"
    args = ["--waves", "i", "--samples", "0:2", "--no-randomization", "-o", tmp_path / "n"]
    done = invoke("evaluate", MODEL, data, *args)
    assert done.exit_code == ExitCode.USAGE and "--waves i needs beat windows" in done.output, done.output
    assert not (tmp_path / "n").exists()
