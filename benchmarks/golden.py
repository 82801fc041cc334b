"""SHA-256 of the arrays a fixed set of runs writes, to prove a refactor changed no result.

usage: python benchmarks/golden.py record FILE   (write the hashes)
       python benchmarks/golden.py check FILE    (exit 1 and list the runs whose arrays differ)

Runs the CLI in subprocesses on the bundled sample model and data: every method, both model formats,
CSV and ``.npy`` input, ``--target all``, ``--segment``, three shards merged, and ``evaluate``'s values.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).parents[1]
KERAS = str(ROOT / "sample_models" / "ecg_cnn.keras")
H5 = str(ROOT / "sample_models" / "ecg_cnn.h5")
NPY = str(ROOT / "sample_data" / "ecg_beats.npy")
CSV = str(ROOT / "sample_data" / "ecg_beats.csv")
ALL_METHODS = (
    "occlusion,saliency,gradient_x_input,integrated_gradients,smoothgrad,smoothgrad_squared,vargrad,"
    "gradcam,gradcam_plus_plus,scorecam"
)
FAST = ("--no-plots", "-q")

EXPLAIN_RUNS: dict[str, list[str]] = {
    "all_methods_keras_npy": [KERAS, NPY, "-m", ALL_METHODS, "--samples", "0:12", "--noise-samples", "8"],
    "all_methods_h5_csv": [H5, CSV, "--label-column", "-1", "-m", ALL_METHODS, "--samples", "0:6"],
    "target_all": [KERAS, NPY, "-m", "occlusion,saliency,gradcam", "--target", "all", "--samples", "0:5", "-w", "5"],
    "baselines_stride_each": [
        KERAS,
        NPY,
        "-m",
        "occlusion,integrated_gradients",
        "--baseline",
        "blur",
        "--stride",
        "3",
        "--samples",
        "3:9",
        "--normalize",
        "maxabs",
    ],
    "csv_out": [KERAS, CSV, "--label-column", "-1", "-m", "saliency,gradcam", "--csv"],
}


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "signalscreen_cli", *args], check=True, capture_output=True, text=True)


def npz_digest(path: Path) -> dict[str, str]:
    """One digest per array (name-independent of member order), and the file's own bytes."""
    with np.load(path) as archive:
        arrays = {name: hashlib.sha256(archive[name].tobytes()).hexdigest()[:16] for name in sorted(archive.files)}
    arrays["<file>"] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return arrays


def collect(work: Path) -> dict[str, object]:
    hashes: dict[str, object] = {}
    for name, args in EXPLAIN_RUNS.items():
        cli("explain", *args, *FAST, "-o", str(work / name))
        hashes[name] = npz_digest(work / name / "attributions.npz")
    recording = work / "recording.npy"
    np.save(recording, np.load(NPY)[:4].reshape(1, -1))
    cli(
        "explain",
        KERAS,
        str(recording),
        "--segment",
        "187",
        "--hop",
        "94",
        "-m",
        "saliency,occlusion",
        *FAST,
        "-o",
        str(work / "segment"),
    )
    hashes["segment"] = npz_digest(work / "segment" / "attributions.npz")
    for k in (1, 2, 3):
        cli(
            "explain",
            KERAS,
            NPY,
            "-m",
            "saliency,integrated_gradients",
            "--samples",
            "0:20",
            "--shard",
            f"{k}/3",
            *FAST,
            "-o",
            str(work / f"shard{k}"),
        )
    cli("merge", *(str(work / f"shard{k}") for k in (1, 2, 3)), "-o", str(work / "merged"))
    hashes["merged"] = npz_digest(work / "merged" / "attributions.npz")
    cli(
        "evaluate",
        KERAS,
        NPY,
        "-m",
        "saliency,occlusion,gradcam,integrated_gradients",
        "--samples",
        "0:16",
        "--no-plots",
        "-q",
        "-o",
        str(work / "evaluation"),
    )
    document = json.loads((work / "evaluation" / "evaluation.json").read_text())
    values = {key: document[key] for key in ("signals", "curves", "randomization", "integrated_gradients")}
    values["summary"] = [{k: v for k, v in row.items() if "second" not in k} for row in document["summary"]]
    hashes["evaluate"] = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
    return hashes


def main() -> int:
    mode, target = sys.argv[1], Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as folder:
        hashes = collect(Path(folder))
    if mode == "record":
        target.write_text(json.dumps(hashes, indent=2) + "\n")
        print(f"recorded {len(hashes)} runs in {target}")
        return 0
    expected = json.loads(target.read_text())
    differ = [name for name in expected if expected[name] != hashes.get(name)]
    for name in differ:
        print(f"DIFFERS {name}: {expected[name]} != {hashes.get(name)}")
    print(f"{len(expected) - len(differ)} of {len(expected)} runs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
