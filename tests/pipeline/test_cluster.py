"""The Dask executor on real ``LocalCluster``s of worker processes: byte-identical to the in-process run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from signalscreen_cli.pipeline import run
from signalscreen_cli.pipeline.cluster import DaskExecutor
from signalscreen_cli.request import explain_request

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
EVERY_FAMILY = "occlusion,saliency,integrated_gradients,smoothgrad,gradcam,scorecam"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as local:
        yield local


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def npz(folder: Path) -> bytes:
    return (folder / "attributions.npz").read_bytes()


@pytest.mark.parametrize(
    "options",
    [
        ("-m", EVERY_FAMILY, "--samples", "0:40", "--chunk-size", "7", "--noise-samples", "4", "--steps", "16"),
        ("-m", "occlusion,gradcam", "--samples", "0:12", "--chunk-size", "5", "--target", "all", "-w", "9"),
    ],
    ids=["every-family", "target-all"],
)
def test_a_cluster_gives_the_in_process_bytes(cluster, tmp_path, options):
    here = invoke("explain", MODEL, DATA, *options, "--no-plots", "-q", "-o", tmp_path / "here")
    there = invoke(
        "explain",
        MODEL,
        DATA,
        *options,
        "--no-plots",
        "-q",
        "--dask",
        cluster.scheduler_address,
        "-o",
        tmp_path / "there",
    )
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    assert npz(tmp_path / "here") == npz(tmp_path / "there")


def test_segments_and_shipped_files(cluster, tmp_path):
    recording = tmp_path / "recording.npy"
    np.save(recording, np.load(DATA)[:9].reshape(3, -1))
    options = ("-m", "saliency,occlusion", "--segment", "187", "--hop", "94", "--chunk-size", "1", "--no-plots", "-q")
    here = invoke("explain", MODEL, recording, *options, "-o", tmp_path / "here")
    there = invoke(
        "explain",
        MODEL,
        recording,
        *options,
        "--dask",
        cluster.scheduler_address,
        "--dask-ship",
        "-o",
        tmp_path / "there",
    )
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    assert npz(tmp_path / "here") == npz(tmp_path / "there")


def test_files_out_of_the_workers_reach_are_refused_up_front_or_shipped(tmp_path):
    """A worker in its own mount namespace, with an empty tmpfs over the folder that holds the files."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to hide a folder from a worker")
    folder = tmp_path / "files"
    folder.mkdir()
    model, data = folder / "model.keras", folder / "beats.npy"
    model.write_bytes(MODEL.read_bytes())
    np.save(data, np.load(DATA)[:10])
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=None, silence_logs=50) as scheduler:
        hide = f"mount -t tmpfs none {folder}"
        probe = subprocess.run(["unshare", "-m", "sh", "-c", hide], capture_output=True, text=True)
        if probe.returncode != 0:
            pytest.skip(f"cannot mount in a namespace here: {probe.stderr.strip()}")
        worker = subprocess.Popen(
            [
                "unshare",
                "-m",
                "sh",
                "-c",
                f"{hide} && exec {sys.executable} -m distributed.cli.dask_worker "
                f"{scheduler.scheduler_address} --nthreads 1 --no-nanny --no-dashboard",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with distributed.Client(scheduler) as client:
                client.wait_for_workers(1, timeout=60)
                address = scheduler.scheduler_address
                options = ("--samples", "0:10", "-m", "saliency,occlusion", "--no-plots", "-q")
                refused = invoke("explain", model, data, *options, "--dask", address, "-o", tmp_path / "refused")
                assert refused.exit_code == ExitCode.CLUSTER
                assert f"does not see the client's files: {model}: no such file" in refused.output
                assert "pass --dask-ship" in refused.output and not (tmp_path / "refused").exists()
                shipped = invoke(
                    "explain", model, data, *options, "--dask", address, "--dask-ship", "-o", tmp_path / "shipped"
                )
                here = invoke("explain", model, data, *options, "-o", tmp_path / "here")
                assert shipped.exit_code == 0 and here.exit_code == 0, shipped.output
                assert npz(tmp_path / "shipped") == npz(tmp_path / "here")
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def test_a_task_error_arrives_as_itself(cluster, tmp_path):
    flat = tmp_path / "dense.keras"
    import keras

    keras.Sequential([keras.Input((187, 1)), keras.layers.Flatten(), keras.layers.Dense(2)]).save(flat)
    done = invoke(
        "explain",
        flat,
        DATA,
        "-m",
        "gradcam",
        "--samples",
        "0:4",
        "--no-plots",
        "--dask",
        cluster.scheduler_address,
        "-o",
        tmp_path / "out",
    )
    assert done.exit_code == ExitCode.METHOD_NOT_APPLICABLE
    assert "the model has no Conv1D layer" in done.output and not (tmp_path / "out").exists()


def test_a_worker_killed_mid_run_changes_nothing(tmp_path):
    options = {"methods": ("occlusion", "integrated_gradients"), "samples": "0:60", "chunk_size": 4, "plots": False}
    expected = run(explain_request(MODEL, DATA, tmp_path / "expected", **options))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        ) as local,
        distributed.Client(local) as client,
    ):
        killed = []

        def kill_one(stage: str, done: int, total: int) -> None:
            if not killed and done >= 8:
                pid = next(iter(local.workers.values())).process.process.pid
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        result = run(
            explain_request(MODEL, DATA, tmp_path / "disturbed", **options),
            kill_one,
            executor=DaskExecutor(client=client, in_flight=4),
        )
    assert killed and npz(result.out_dir) == npz(expected.out_dir)


def test_local_workers_start_and_stop_with_the_run(tmp_path):
    done = invoke(
        "explain",
        MODEL,
        DATA,
        "-m",
        "saliency",
        "--samples",
        "0:6",
        "--chunk-size",
        "2",
        "--dask",
        "local:2",
        "--no-plots",
        "-o",
        tmp_path / "out",
    )
    assert done.exit_code == 0, done.output
    executor = json.loads((tmp_path / "out" / "manifest.json").read_text())["executor"]
    assert executor["kind"] == "dask" and executor["workers"] == 2 and executor["tasks"] == 3
    assert len(executor["busy_s"]) <= 2 and all(seconds > 0 for seconds in executor["busy_s"].values())


def test_an_unreachable_scheduler_fails_in_bounded_time(tmp_path):
    started = time.perf_counter()
    done = invoke(
        "explain",
        MODEL,
        DATA,
        "--samples",
        "0:2",
        "--dask",
        "tcp://127.0.0.1:9",
        "--dask-timeout",
        "3",
        "-o",
        tmp_path / "out",
    )
    assert done.exit_code == ExitCode.CLUSTER, done.output
    assert "cannot reach the scheduler within 3 s" in done.output and time.perf_counter() - started < 30
    assert not (tmp_path / "out").exists()


def test_bad_cluster_options(tmp_path):
    for options, message in (
        (("--dask", "local:0"), "local:N needs a positive number of workers"),
        (("--dask", "somewhere"), "--dask must be tcp://host:port or local:N"),
        (("--dask", "local:2", "--shard", "1/2"), "--dask and --shard contradict each other"),
        (("--dask-ship",), "--dask-ship needs --dask"),
    ):
        done = invoke("explain", MODEL, DATA, *options, "-o", tmp_path / "out")
        assert done.exit_code == ExitCode.USAGE and message in done.output, options


def test_without_the_extra_the_error_says_what_to_install(tmp_path):
    code = (
        "import sys\nsys.modules['distributed'] = None\nfrom signalscreen_cli.cli import run\n"
        f"sys.argv = ['signalscreen', 'explain', {str(MODEL)!r}, {str(DATA)!r}, '--samples', '0:2', '--dask', "
        f"'local:1', '-o', {str(tmp_path / 'out')!r}]\nrun()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == ExitCode.CLUSTER
    assert 'pip install "signalscreen[dask]"' in done.stderr and "Traceback" not in done.stderr


def test_evaluate_on_a_cluster_gives_the_same_scores(cluster, tmp_path):
    options = ("-m", "saliency,gradcam", "--samples", "0:16", "--steps", "5", "--batch-size", "64", "--no-plots", "-q")
    here = invoke("evaluate", MODEL, DATA, *options, "-o", tmp_path / "here")
    there = invoke("evaluate", MODEL, DATA, *options, "--dask", cluster.scheduler_address, "-o", tmp_path / "there")
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    first, second = (json.loads((tmp_path / side / "evaluation.json").read_text()) for side in ("here", "there"))
    assert first["curves"] == second["curves"] and first["randomization"] == second["randomization"]


def test_a_zarr_store_holds_the_same_arrays_and_reads_back_everywhere(cluster, tmp_path):
    options = (
        "-m",
        "occlusion,integrated_gradients,gradcam",
        "--samples",
        "0:30",
        "--chunk-size",
        "8",
        "--no-plots",
        "-q",
    )
    npz_run = invoke("explain", MODEL, DATA, *options, "-o", tmp_path / "npz")
    zarr_run = invoke(
        "explain",
        MODEL,
        DATA,
        *options,
        "--store",
        "zarr",
        "--dask",
        cluster.scheduler_address,
        "-o",
        tmp_path / "zarr",
    )
    assert npz_run.exit_code == 0 and zarr_run.exit_code == 0, zarr_run.output
    from signalscreen_cli.results.reader import read_result

    stored = read_result(tmp_path / "zarr")
    assert stored.store == "zarr" and not (tmp_path / "zarr" / "attributions.npz").exists()
    expected, got = read_result(tmp_path / "npz").arrays(), stored.arrays()
    assert set(expected) == set(got)
    for name, values in expected.items():
        np.testing.assert_array_equal(got[name], values, err_msg=name)
        assert got[name].dtype == values.dtype
    import zarr

    assert zarr.open_group(tmp_path / "zarr" / "attributions.zarr", mode="r")["occlusion_w15"].chunks[0] == 8
    evaluated = invoke(
        "evaluate",
        MODEL,
        DATA,
        "--from",
        tmp_path / "zarr",
        "--no-randomization",
        "--steps",
        "5",
        "--no-plots",
        "-q",
        "-o",
        tmp_path / "evaluated",
    )
    assert evaluated.exit_code == 0, evaluated.output
    for k in (1, 2):
        sharded = invoke(
            "explain", MODEL, DATA, *options, "--store", "zarr", "--shard", f"{k}/2", "-o", tmp_path / f"shard{k}"
        )
        assert sharded.exit_code == 0, sharded.output
    merged = invoke("merge", tmp_path / "shard1", tmp_path / "shard2", "-o", tmp_path / "merged")
    assert merged.exit_code == 0, merged.output
    for name, values in read_result(tmp_path / "merged").arrays().items():
        # shards cut the rows into other chunks, and a signal's IG shares a gradient batch with other signals
        np.testing.assert_allclose(values, expected[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_the_remote_stage_writes_the_maps_and_sends_back_only_the_plotted_rows(tmp_path):
    from signalscreen_cli.records import ChunkResult
    from signalscreen_cli.sinks.zarr_store import ZarrStore

    store = ZarrStore(tmp_path, n_rows=10, chunk_rows=4)
    stage = store.remote_stage(keep_rows=5)
    maps = np.arange(4 * 3, dtype=np.float32).reshape(4, 3)
    chunk = ChunkResult(
        np.arange(4, 8),
        np.zeros((4, 3, 1)),
        {"saliency": maps, "targets": np.ones(4)},
        {"saliency": "attribution", "targets": "index"},
        start=4,
    )
    sent = stage(None, [], chunk)
    assert sent.written == {"saliency"} and sent.arrays["saliency"].shape == (1, 3)  # row 4 is the 5th plotted
    assert sent.arrays["targets"].shape == (4,)
    store.write(4, sent)  # the client's store leaves the written map alone and adds the rest
    import zarr

    group = zarr.open_group(tmp_path / "attributions.zarr", mode="r")
    np.testing.assert_array_equal(group["saliency"][4:8], maps)
    np.testing.assert_array_equal(group["targets"][4:8], np.ones(4))
