"""The new score stages give the same numbers for every chunk size, for shards and on ``--dask local:2``."""

import numpy as np
import pytest
from zoo import small_cnn

from signalscreen_cli.evaluation.request import EvaluateRequest
from signalscreen_cli.evaluation.runner import evaluate
from signalscreen_cli.request import explain_request

SECTIONS = ("truth", "robustness", "faithfulness")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stages")
    model = folder / "cnn.keras"
    small_cnn(length=24, channels=1, outputs=3, seed=0).save(model)
    rng = np.random.default_rng(0)
    data = folder / "x.npy"
    np.save(data, rng.normal(size=(6, 24, 1)).astype(np.float32))
    truth = folder / "truth.npy"
    np.save(truth, rng.random((6, 24, 1)) < 0.3)
    return model, data, truth


def _per_signal(files, out, **options):
    model, data, truth = files
    explain = explain_request(model, data, out, methods=("saliency", "gradcam"), plots=False, **options)
    request = EvaluateRequest(
        explain=explain, steps=4, randomization=False, plots=False, truth=truth, robustness=True,
        sensitivity_samples=2, faithfulness=True, faithfulness_subsets=4,
    )  # fmt: skip
    document = evaluate(request).document
    return {section: document[section]["per_signal"] for section in SECTIONS}


def _same(found, expected, rows=slice(None)):
    for section in SECTIONS:
        assert found[section].keys() == expected[section].keys(), section
        for name, scores in found[section].items():
            for score, values in scores.items():
                wanted = np.asarray(expected[section][name][score])[rows]
                np.testing.assert_allclose(values, wanted, rtol=1e-5, atol=1e-7, err_msg=f"{section} {name} {score}")


@pytest.fixture(scope="module")
def whole(files, tmp_path_factory):
    return _per_signal(files, tmp_path_factory.mktemp("whole") / "out")


def test_every_chunk_size_and_shard_gives_the_same_scores(files, whole, tmp_path):
    for size in (1, 4):
        _same(_per_signal(files, tmp_path / f"c{size}", chunk_size=size), whole)
    _same(_per_signal(files, tmp_path / "shard", shard=(2, 2)), whole, slice(3, 6))


def test_dask_local_workers_give_the_same_scores(files, whole, tmp_path):
    _same(_per_signal(files, tmp_path / "dask", chunk_size=2, dask="local:2"), whole)
