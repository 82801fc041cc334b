"""The seams of the pipeline: a plan pickles, an executor may finish chunks in any order, sinks see input order."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from signalscreen_cli.pipeline import collect, run
from signalscreen_cli.pipeline.executor import InProcessExecutor
from signalscreen_cli.pipeline.plan import Plan, make_plan
from signalscreen_cli.pipeline.reorder import in_order
from signalscreen_cli.request import explain_request

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
OPTIONS = {"methods": ("occlusion", "integrated_gradients", "gradcam"), "samples": "0:23", "chunk_size": 5}


class Reversed(InProcessExecutor):
    """An executor that hands its chunks back last first, as a cluster might."""

    def run(self, plan: Plan):
        yield from reversed(list(super().run(plan)))


def test_in_order_releases_each_item_as_soon_as_its_turn_comes():
    seen = []

    def numbered():
        for number in (2, 0, 3, 1, 4):
            seen.append(number)
            yield number, f"chunk{number}"

    released = []
    for item in in_order(numbered()):
        released.append((item, len(seen)))
    assert released == [("chunk0", 2), ("chunk1", 4), ("chunk2", 4), ("chunk3", 4), ("chunk4", 5)]


def test_a_skipped_chunk_is_a_bug_not_a_silent_gap():
    with pytest.raises(RuntimeError, match="skipped chunk 1"):
        list(in_order([(0, "a"), (2, "c")]))


def test_chunks_finished_in_any_order_give_the_same_bytes(tmp_path):
    request = explain_request(MODEL, DATA, tmp_path / "forward", plots=False, window=7, steps=8, **OPTIONS)
    forward = run(request)
    backward = run(
        explain_request(MODEL, DATA, tmp_path / "backward", plots=False, window=7, steps=8, **OPTIONS),
        executor=Reversed(),
    )
    assert (forward.out_dir / "attributions.npz").read_bytes() == (backward.out_dir / "attributions.npz").read_bytes()


def test_a_plan_is_plain_picklable_data(tmp_path):
    plan = make_plan(explain_request(MODEL, DATA, tmp_path / "x", baseline="dataset-mean", **OPTIONS))
    again = pickle.loads(pickle.dumps(plan))
    assert again.methods == plan.methods and again.n_chunks == 5 and again.chunk(4).tolist() == [20, 21, 22]
    np.testing.assert_array_equal(again.dataset_mean, plan.dataset_mean)
    assert again.dataset_mean is not None and again.model_facts == plan.model_facts


def test_collect_gives_in_memory_what_run_writes(tmp_path):
    written = run(explain_request(MODEL, DATA, tmp_path / "out", plots=False, **OPTIONS)).load()
    held = collect(explain_request(MODEL, DATA, tmp_path / "unused", **OPTIONS))
    assert not (tmp_path / "unused").exists()
    for name, values in written.items():
        np.testing.assert_array_equal(held.arrays[name], values, err_msg=name)
    np.testing.assert_array_equal(held.arrays["signals"][:, :, 0], np.load(DATA)[:23])
