"""Sinks own their failures: a write that fails is an output error (exit 7) naming the path and the cause,
and nothing is left behind."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from signalscreen_cli.errors import ExitCode

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
EXPLAIN = [sys.executable, "-m", "signalscreen_cli", "explain", str(MODEL), str(DATA), "-m", "saliency,gradcam"]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.mark.parametrize("csv", [False, True])
def test_file_size_limit_is_an_output_error_and_leaves_nothing(tmp_path, csv):
    # Python ignores SIGXFSZ, so a write past `ulimit -f` raises EFBIG ("File too large") as a full disk would.
    shell = f"ulimit -f 64; exec {' '.join(map(str, EXPLAIN))} --no-plots -o {tmp_path / 'out'}"
    done = subprocess.run(["sh", "-c", shell + (" --csv" if csv else "")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == ExitCode.OUTPUT, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"Error: {tmp_path / 'out'}/") and first.endswith(": cannot write (File too large)")
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert leftovers(tmp_path) == []


def test_plots_past_the_size_limit_are_an_output_error(tmp_path):
    # arrays and manifest fit; the first PNG does not
    shell = f"ulimit -f 16; exec {' '.join(map(str, EXPLAIN))} --samples 0:2 -o {tmp_path / 'out'}"
    done = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == ExitCode.OUTPUT, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"Error: {tmp_path / 'out' / 'plots'}") and first.endswith("cannot write (File too large)")
    assert leftovers(tmp_path) == []


def test_read_only_filesystem_is_an_output_error(tmp_path):
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to bind-mount a read-only folder")
    target = tmp_path / "readonly"
    target.mkdir()
    mount = f"mount --bind -o ro {target} {target}"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", mount], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot bind-mount read-only here: {probe.stderr.strip()}")
    shell = f"{mount} && exec {' '.join(map(str, EXPLAIN))} --no-plots -o {target / 'out'}"
    done = subprocess.run(["unshare", "-m", "sh", "-c", shell], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == ExitCode.OUTPUT, done.stderr
    assert (
        done.stderr.splitlines()[0] == f"Error: {target / 'out'}: cannot create output folder (Read-only file system)"
    )
    assert leftovers(target) == []
