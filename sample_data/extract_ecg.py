"""Extract a small labelled heartbeat data set from real ECG (MIT-BIH record 208).

The ECG comes from the data file ``scipy/misc/ecg.dat`` that SciPy 1.9.3 ships
in its wheel (the data behind ``scipy.misc.electrocardiogram``): 5 minutes of
MIT-BIH Arrhythmia Database record 208, sampled at 360 Hz.  The wheel is only
read as a zip archive; old SciPy is never installed.

Pipeline (see ``sample_data/README.md`` for the rationale):

1. Load ``ecg.dat`` (an ``.npz`` with key ``"ecg"``, uint16 ADC counts) and
   convert to millivolts: ``mV = (ecg - 1024) / 200``.
2. Remove baseline wander with a zero-phase 0.5 Hz high-pass filter.
3. Detect R peaks at 360 Hz with ``scipy.signal.find_peaks`` on the smoothed
   magnitude of a 5-20 Hz band-passed copy (adaptive threshold, 200 ms
   refractory distance), then move each detection to the local maximum of the
   baseline-corrected ECG.
4. Label each beat with a transparent morphology rule (NOT expert annotations):
   1 = "V" (ventricular ectopic) when the QRS complex is wide and looks like the
   typical wide complex of this record, 0 = "N" otherwise.
5. Resample the record to 125 Hz (``resample_poly(x, 25, 72)``) and cut one
   187-sample window per beat starting 0.2 s (25 samples) before the R peak,
   in the style of the Kaggle "MIT-BIH heartbeat" CSVs.  The window keeps the
   ECG up to 0.2 s before the next R peak (where the next beat's window starts)
   and is zero after that, so no window contains a neighbouring QRS complex.

Outputs (in ``--out-dir``, default: the folder holding this script):
``ecg_beats.npy`` (n, 187) float32, ``ecg_labels.npy`` (n,) int64 and
``ecg_beats.csv`` (first 32 beats, header ``t0,...,t186,label``).

Usage::

    python sample_data/extract_ecg.py [--wheel PATH] [--out-dir DIR] [--plot PNG]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import ndimage, signal

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCIPY_VERSION = "1.9.3"
ECG_MEMBER = "scipy/misc/ecg.dat"
# SHA-256 of scipy/misc/ecg.dat inside the SciPy 1.9.3 wheels.
ECG_SHA256 = "f20ad3365fb9b7f845d0e5c48b6fe67081377ee466c3a220b7f69f35c8958baf"

FS_RAW = 360  # Hz, MIT-BIH sampling rate
FS_OUT = 125  # Hz, sampling rate of the Kaggle MIT-BIH heartbeat CSVs
UP, DOWN = 25, 72  # 360 Hz * 25 / 72 = 125 Hz
BEAT_LEN = 187  # samples per beat at 125 Hz (~1.5 s)
PRE_R = 25  # samples before the R peak at 125 Hz (0.2 s)
CSV_ROWS = slice(136, 168)  # 32 beats, 6 of them class 1, so the CSV demo shows both classes

# Peak detection.
REFRACTORY_S = 0.20  # minimum distance between two beats
ENVELOPE_S = 0.10  # moving-average window of the band-passed magnitude
LOCAL_MAX_S = 3.0  # window of the adaptive threshold
REL_THRESHOLD = 0.35  # fraction of the local envelope maximum
SEARCH_S = 0.08  # +/- window to move a detection onto the R wave maximum

# Labelling rule.
QRS_PRE_S, QRS_POST_S = 0.10, 0.15  # QRS comparison window around R
NARROW_MS = 40.0  # R-wave half-height width of clearly normal beats
WIDE_MS = 80.0  # R-wave half-height width of clearly wide beats
V_MIN_WIDTH_MS = 60.0  # a "V" beat must be at least this wide ...
V_MIN_CORR = 0.90  # ... and correlate at least this well with the V template

CLASS_NAMES = ("N", "V")


@dataclass(frozen=True)
class BeatFeatures:
    """Per-beat quantities used by the labelling rule (one entry per R peak)."""

    width_ms: FloatArray  # R-wave width at half prominence, ms
    corr_n: FloatArray  # Pearson r of the QRS window with the normal template
    corr_v: FloatArray  # Pearson r of the QRS window with the wide template
    rr_prev_s: FloatArray  # RR interval before the beat (NaN for the first)
    rr_next_s: FloatArray  # RR interval after the beat (NaN for the last)


def download_wheel(dest: Path) -> Path:
    """Download (not install) the SciPy 1.9.3 manylinux wheel into ``dest``."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        f"scipy=={SCIPY_VERSION}",
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        "manylinux2014_x86_64",
        "--python-version",
        "3.11",
        "-d",
        str(dest),
    ]
    print("running:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob(f"scipy-{SCIPY_VERSION}-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"pip download left no SciPy wheel in {dest}")
    return wheels[0]


def load_ecg_mv(wheel: Path) -> FloatArray:
    """Read ``ecg.dat`` from the wheel (as a zip) and return the ECG in mV."""
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(ECG_MEMBER)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != ECG_SHA256:
        raise ValueError(f"{ECG_MEMBER} in {wheel} has SHA-256 {digest}, expected {ECG_SHA256}")
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        adc = np.asarray(npz["ecg"])
    if adc.dtype != np.uint16 or adc.ndim != 1:
        raise ValueError(f"unexpected ecg array: {adc.dtype}, shape {adc.shape}")
    return (adc.astype(np.float64) - 1024.0) / 200.0


def remove_baseline(x: FloatArray, fs: float) -> FloatArray:
    """Zero-phase 0.5 Hz high-pass (2nd-order Butterworth) against wander."""
    sos = signal.butter(2, 0.5, btype="highpass", fs=fs, output="sos")
    return np.asarray(signal.sosfiltfilt(sos, x), dtype=np.float64)


def detect_r_peaks(x_mv: FloatArray, x_clean: FloatArray, fs: float) -> IntArray:
    """Return sample indices of R peaks (at ``fs``), sorted and unique."""
    sos = signal.butter(2, [5.0, 20.0], btype="bandpass", fs=fs, output="sos")
    band = signal.sosfiltfilt(sos, x_mv)
    win = round(ENVELOPE_S * fs)
    envelope = np.convolve(np.abs(band), np.ones(win) / win, mode="same")
    local_max = ndimage.maximum_filter1d(envelope, size=round(LOCAL_MAX_S * fs))
    floor = 0.1 * float(np.percentile(envelope, 99))  # ignore flat-line segments
    threshold = np.maximum(REL_THRESHOLD * local_max, floor)
    peaks, _ = signal.find_peaks(envelope - threshold, height=0.0, distance=round(REFRACTORY_S * fs))
    half = round(SEARCH_S * fs)
    r_peaks = [max(0, p - half) + int(np.argmax(x_clean[max(0, p - half) : p + half])) for p in peaks]
    return np.unique(np.asarray(r_peaks, dtype=np.int64))


def _corr_rows(windows: FloatArray, template: FloatArray) -> FloatArray:
    """Pearson correlation of every row of ``windows`` with ``template``."""
    a = windows - windows.mean(axis=1, keepdims=True)
    b = template - template.mean()
    denom = np.linalg.norm(a, axis=1) * np.linalg.norm(b)
    return np.asarray((a @ b) / np.where(denom > 0, denom, np.inf), dtype=np.float64)


def beat_features(x_clean: FloatArray, r_peaks: IntArray, fs: float) -> BeatFeatures:
    """Compute the features of the labelling rule for every R peak."""
    widths, *_ = signal.peak_widths(x_clean, r_peaks, rel_height=0.5)
    width_ms = np.asarray(widths, dtype=np.float64) / fs * 1000.0

    pre, post = round(QRS_PRE_S * fs), round(QRS_POST_S * fs)
    padded = np.pad(x_clean, (pre, post), mode="edge")
    windows = np.stack([padded[r : r + pre + post] for r in r_peaks])

    template_n = np.median(windows[width_ms < NARROW_MS], axis=0)
    template_v = np.median(windows[width_ms >= WIDE_MS], axis=0)

    rr = np.diff(r_peaks) / fs
    return BeatFeatures(
        width_ms=width_ms,
        corr_n=_corr_rows(windows, template_n),
        corr_v=_corr_rows(windows, template_v),
        rr_prev_s=np.concatenate([[np.nan], rr]),
        rr_next_s=np.concatenate([rr, [np.nan]]),
    )


def label_beats(feats: BeatFeatures) -> IntArray:
    """The labelling rule: 1 ("V") for wide beats shaped like the wide template.

    A beat is "V" when its R wave is at least ``V_MIN_WIDTH_MS`` wide at half
    height, its QRS window correlates with the wide-complex template at
    ``V_MIN_CORR`` or better, and better than with the normal template.
    Everything else (normal beats, fusion-like intermediate beats, noise) is 0.
    """
    is_v = (feats.width_ms >= V_MIN_WIDTH_MS) & (feats.corr_v >= V_MIN_CORR) & (feats.corr_v > feats.corr_n)
    return is_v.astype(np.int64)


def cut_beats(x125: FloatArray, r125: IntArray) -> tuple[npt.NDArray[np.float32], IntArray]:
    """Cut one zero-padded ``BEAT_LEN``-sample window per R peak.

    Beat ``i`` holds the ECG from ``PRE_R`` samples before its R peak up to
    ``PRE_R`` samples before the next R peak (where beat ``i + 1`` starts), so
    no window contains a neighbouring QRS complex; the rest is zero, like the
    zero padding of the Kaggle MIT-BIH heartbeat CSVs.  Returns the beats and
    the indices (into ``r125``) of the peaks kept; a beat whose full window
    would run past either end of the record is dropped.
    """
    starts = r125 - PRE_R
    ends = np.append(starts[1:], x125.size)
    keep = np.flatnonzero((starts >= 0) & (starts + BEAT_LEN <= x125.size))
    beats = np.zeros((keep.size, BEAT_LEN), dtype=np.float32)
    for row, (start, end) in enumerate(zip(starts[keep], ends[keep], strict=True)):
        length = min(BEAT_LEN, int(end - start))
        beats[row, :length] = x125[start : start + length]
    return beats, keep.astype(np.int64)


def write_csv(path: Path, beats: npt.NDArray[np.float32], labels: IntArray) -> None:
    """One beat per row, header ``t0,...,t186,label``, label in the last column."""
    header = ",".join([f"t{i}" for i in range(beats.shape[1])] + ["label"])
    lines = [header]
    for beat, label in zip(beats, labels, strict=True):
        lines.append(",".join([f"{v:.6f}" for v in beat] + [str(int(label))]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def save_plot(path: Path, beats: npt.NDArray[np.float32], labels: IntArray, feats: BeatFeatures) -> None:
    """Optional diagnostic figure: beats per class and the rule's feature space."""
    from matplotlib.figure import Figure

    t = (np.arange(BEAT_LEN) - PRE_R) / FS_OUT
    fig = Figure(figsize=(15, 4), layout="tight")
    axes = fig.subplots(1, 3)
    for cls, ax in enumerate(axes[:2]):
        sel = beats[labels == cls]
        ax.plot(t, sel[:60].T, color="0.6", lw=0.5)
        ax.plot(t, np.median(sel, axis=0), color="C3", lw=2)
        ax.set_title(f"class {cls} ({CLASS_NAMES[cls]}), n={len(sel)}")
        ax.set_xlabel("time from R peak [s]")
        ax.set_ylabel("mV")
    colours = np.where(labels == 1, "C3", "C0")
    axes[2].scatter(feats.width_ms, feats.corr_v, c=colours, s=6)
    axes[2].axvline(V_MIN_WIDTH_MS, color="k", lw=0.5)
    axes[2].axhline(V_MIN_CORR, color="k", lw=0.5)
    axes[2].set_xlim(0, 150)
    axes[2].set_xlabel("R-wave half-height width [ms]")
    axes[2].set_ylabel("corr. with wide-complex template")
    fig.savefig(path, dpi=80)


def build_dataset(
    wheel: Path,
) -> tuple[npt.NDArray[np.float32], IntArray, BeatFeatures]:
    """Run the whole pipeline; returns beats, labels and per-beat features."""
    x_mv = load_ecg_mv(wheel)
    x_clean = remove_baseline(x_mv, FS_RAW)
    r_peaks = detect_r_peaks(x_mv, x_clean, FS_RAW)
    feats = beat_features(x_clean, r_peaks, FS_RAW)
    labels_all = label_beats(feats)

    x125 = np.asarray(signal.resample_poly(x_clean, UP, DOWN), dtype=np.float64)
    r125 = np.round(r_peaks * UP / DOWN).astype(np.int64)
    beats, keep = cut_beats(x125, r125)
    kept = BeatFeatures(
        width_ms=feats.width_ms[keep],
        corr_n=feats.corr_n[keep],
        corr_v=feats.corr_v[keep],
        rr_prev_s=feats.rr_prev_s[keep],
        rr_next_s=feats.rr_next_s[keep],
    )
    print(
        f"record: {x_mv.size} samples at {FS_RAW} Hz ({x_mv.size / FS_RAW:.0f} s); "
        f"R peaks detected: {r_peaks.size}; beats kept: {beats.shape[0]}"
    )
    return beats, labels_all[keep], kept


def summarise(labels: IntArray, feats: BeatFeatures) -> None:
    """Print class counts and per-class feature medians (a sanity check)."""
    counts = np.bincount(labels, minlength=2)
    total = int(counts.sum())
    for cls, name in enumerate(CLASS_NAMES):
        sel = labels == cls
        print(
            f"class {cls} ({name}): {counts[cls]:4d} ({counts[cls] / total:.1%}); "
            f"median width {np.median(feats.width_ms[sel]):.0f} ms, "
            f"corr N {np.median(feats.corr_n[sel]):.2f}, "
            f"corr V {np.median(feats.corr_v[sel]):.2f}, "
            f"RR before {np.nanmedian(feats.rr_prev_s[sel]):.3f} s, "
            f"RR after {np.nanmedian(feats.rr_next_s[sel]):.3f} s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--wheel",
        type=Path,
        help="path to a SciPy 1.9.3 wheel; downloaded with pip if omitted",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="output folder (default: the folder of this script)",
    )
    parser.add_argument("--plot", type=Path, help="also save a diagnostic PNG to this path")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel if args.wheel is not None else download_wheel(Path(tmp))
        beats, labels, feats = build_dataset(wheel)

    summarise(labels, feats)
    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "ecg_beats.npy", beats)
    np.save(out / "ecg_labels.npy", labels)
    write_csv(out / "ecg_beats.csv", beats[CSV_ROWS], labels[CSV_ROWS])
    print(
        f"wrote {out / 'ecg_beats.npy'} {beats.shape} {beats.dtype}, "
        f"{out / 'ecg_labels.npy'} {labels.shape} {labels.dtype}, "
        f"{out / 'ecg_beats.csv'} ({len(beats[CSV_ROWS])} beats)"
    )
    if args.plot is not None:
        save_plot(args.plot, beats, labels, feats)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
