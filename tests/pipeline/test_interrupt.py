"""An interrupted run leaves the destination as it was and exits with the interrupted code."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from signalscreen_cli.errors import ExitCode

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_mid_write_leaves_nothing(tmp_path, signum):
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "signalscreen_cli",
            "explain",
            str(ROOT / "sample_models" / "ecg_cnn.h5"),
            str(ROOT / "sample_data" / "ecg_beats.npy"),
            "--out",
            str(out),
            "--format",
            "png,svg",
            "--max-plots",
            "40",
            "-m",
            "saliency",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.partial-*/plots/*")) and process.poll() is None:
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, stderr
    assert "Error: The run was stopped" in stderr and "Traceback" not in stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_signal_landing_in_a_finaliser_prints_no_traceback(monkeypatch):
    """Python reports an exception raised in a finaliser as "Exception ignored in …" with a traceback; a stop
    signal landing there (seen in matplotlib's weakref callbacks) must stay quiet: the run stops at its next
    check."""
    import contextlib
    import gc
    import io

    from signalscreen_cli import interrupts

    class StoppedHere:
        def __del__(self):
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)  # Python's own report, not pytest's
    shown = io.StringIO()
    with contextlib.redirect_stderr(shown), interrupts.stop_on_signals():
        StoppedHere()
        gc.collect()
    assert shown.getvalue() == ""
