"""A run imports only what it needs: no module heavier than Keras' own imports sneaks into every start."""

import subprocess
import sys
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import rankdata

from signalscreen_cli.similarity import average_ranks

ROOT = Path(__file__).parents[2]
PROBE = """
import atexit, sys
atexit.register(lambda: print("imported:", ",".join(m for m in ("scipy.stats", "jinja2", "dask", "zarr", "wfdb")
                                                     if m in sys.modules)))
from signalscreen_cli.cli import run
sys.argv = ["signalscreen", *sys.argv[1:]]
run()
"""


def test_explain_with_summaries_imports_no_scipy_stats_nor_optional_packages(tmp_path):
    args = ["explain", "sample_models/ecg_cnn.keras", "sample_data/ecg_beats.csv", "--label-column", "-1",
            "-m", "saliency,gradcam", "--samples", "0:8", "--no-plots", "-q", "-o", str(tmp_path / "out")]  # fmt: skip
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    assert (tmp_path / "out" / "summary.json").exists()
    assert done.stdout.strip().splitlines()[-1] == "imported:", done.stdout


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 30)), elements=st.integers(-3, 3)))
def test_average_ranks_equal_scipy_rankdata(values):
    np.testing.assert_array_equal(average_ranks(values), rankdata(values, axis=1))
