"""Models with a signal input and other inputs (an ECG beside age and sex), from the CLI and the API.

Known answers on the hand-built ``f(x, m) = w·x + v·m``: saliency ``|w|`` and ``|v|``, gradient × input and
integrated gradients (zero baselines) ``w⊙x`` and ``v⊙m``, occlusion of ``x`` unchanged by ``m``; the real
Concatenate(Conv1D branch, Dense branch) model saved as ``.keras`` and ``.h5``.
"""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli import api
from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode, UsageError
from tests.zoo import ecg_and_meta_cnn, linear_two_input

L, C, F, K = 12, 2, 3, 2
RNG = np.random.default_rng(7)
W = RNG.normal(size=(L * C, K)).astype(np.float32)
V = RNG.normal(size=(F, K)).astype(np.float32)
X = RNG.normal(size=(5, L, C)).astype(np.float32)
M = RNG.normal(size=(5, F)).astype(np.float32)
TARGET = 1


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def linear_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("linear2")
    model = linear_two_input(L, C, W, V)
    for fmt in (".keras", ".h5"):
        model.save(folder / f"linear{fmt}")
    np.save(folder / "x.npy", X)
    np.save(folder / "meta.npy", M)
    return folder


def _explain(model, methods, meta=M, **options):
    return api.explain(model, {"ecg": X, "meta": meta}, methods=methods, target=str(TARGET), **options).arrays


@pytest.mark.parametrize("fmt", ["memory", ".keras", ".h5"])
def test_linear_two_input_known_answers(linear_files, fmt):
    model = linear_two_input(L, C, W, V) if fmt == "memory" else linear_files / f"linear{fmt}"
    methods = ("saliency", "gradient_x_input", "integrated_gradients", "occlusion", "smoothgrad")
    arrays = _explain(model, methods, window=1, baselines="zero", steps=8, noise_samples=4, occlude_channels="each")
    w, v = W[:, TARGET].reshape(L, C), V[:, TARGET]
    np.testing.assert_allclose(arrays["saliency"], np.broadcast_to(np.abs(w), X.shape), rtol=1e-5)
    np.testing.assert_allclose(arrays["saliency.meta"], np.broadcast_to(np.abs(v), M.shape), rtol=1e-5)
    np.testing.assert_allclose(arrays["gradient_x_input"], w * X, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(arrays["gradient_x_input.meta"], v * M, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(arrays["integrated_gradients"], w * X, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(arrays["integrated_gradients.meta"], v * M, rtol=1e-4, atol=1e-5)
    assert arrays["integrated_gradients_delta"].max() < 1e-4  # completeness over both inputs
    np.testing.assert_allclose(arrays["occlusion_w1"], w * X, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(arrays["smoothgrad"], np.broadcast_to(w, X.shape), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(arrays["smoothgrad.meta"], np.broadcast_to(v, M.shape), rtol=1e-5, atol=1e-6)


def test_occlusion_of_the_signal_is_unchanged_by_the_other_input():
    model = linear_two_input(L, C, W, V)
    one = _explain(model, ("occlusion",), window=3)
    other = _explain(model, ("occlusion",), meta=M * 10 + 5, window=3)
    np.testing.assert_allclose(one["occlusion_w3"], other["occlusion_w3"], rtol=1e-4, atol=1e-4)
    assert not np.allclose(one["predictions"], other["predictions"])  # the model did see the other input


@pytest.fixture(scope="module")
def cnn_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cnn2")
    model = ecg_and_meta_cnn()
    for fmt in (".keras", ".h5"):
        model.save(folder / f"cnn{fmt}")
    x = np.random.default_rng(1).normal(size=(7, 32)).astype(np.float32)
    meta = np.random.default_rng(2).normal(size=(7, 2)).astype(np.float32)
    np.save(folder / "x.npy", x)
    np.save(folder / "meta.npy", meta)
    np.savez(folder / "tables.npz", age_sex=meta, other=meta[:3])
    header = "age,sex\n" + "\n".join(f"{a},{b}" for a, b in meta)
    (folder / "meta.csv").write_text(header + "\n")
    return folder, model, x, meta


CNN_METHODS = "saliency,integrated_gradients,occlusion,gradcam,scorecam,smoothgrad"


@pytest.mark.parametrize("fmt", [".keras", ".h5"])
@pytest.mark.parametrize("table", ["meta.npy", "meta.csv", "tables.npz:age_sex"])
def test_cli_reads_the_other_input_and_matches_the_api(cnn_files, fmt, table):
    folder, model, x, meta = cnn_files
    out = folder / f"out_{fmt}_{table.replace(':', '_')}"
    result = invoke(
        "explain", folder / f"cnn{fmt}", folder / "x.npy", "-o", out, "--input", f"age_sex={folder / table}",
        "-m", CNN_METHODS, "--no-plots", "--steps", "16", "--noise-samples", "4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"]["inputs"]["signal"] == "ecg"
    assert manifest["model"]["inputs"]["others"]["age_sex"]["shape"] == [2]
    assert "hold the other inputs" in manifest["model"]["inputs"]["other_inputs"]
    assert manifest["arrays"]["saliency.age_sex"]["kind"] == "feature"
    paths = manifest["arrays"]["occlusion_w15"]["parameters"]["forward_path"]
    assert paths == {"occlusion_w15": "full passes (the model has other inputs besides the signal)"}
    stored = dict(np.load(out / "attributions.npz"))
    memory = api.explain(
        model, {"ecg": x, "age_sex": meta}, methods=CNN_METHODS.split(","), steps=16, noise_samples=4
    ).arrays
    compared = ("saliency", "saliency.age_sex", "integrated_gradients.age_sex", "occlusion_w15", "gradcam", "scorecam")
    for name in compared:
        np.testing.assert_allclose(stored[name], memory[name], rtol=1e-4, atol=1e-6, err_msg=name)
    assert np.abs(stored["saliency.age_sex"]).sum() > 0


def test_chunks_shards_and_row_choices_keep_each_signal_with_its_own_inputs(cnn_files):
    folder, model, x, meta = cnn_files
    whole = api.explain(model, {"ecg": x, "age_sex": meta}, methods=("saliency", "occlusion")).arrays
    common = ("--input", f"age_sex={folder / 'meta.npy'}", "-m", "saliency,occlusion", "--no-plots")
    ways = {"chunked": ("--chunk-size", "2"), "rows": ("--samples", "6,0,3"), "shard": ("--shard", "2/2")}
    for name, extra in ways.items():
        out = folder / f"rows_{name}"
        result = invoke("explain", folder / "cnn.keras", folder / "x.npy", "-o", out, *common, *extra)
        assert result.exit_code == 0, result.output
        stored = dict(np.load(out / "attributions.npz"))
        rows = stored["sample_index"]
        for array in ("saliency", "saliency.age_sex", "occlusion_w15", "predictions"):
            np.testing.assert_allclose(stored[array], whole[array][rows], rtol=1e-4, atol=1e-6, err_msg=(name, array))


def test_batch_invariance_on_the_two_input_model(cnn_files):
    _, model, x, meta = cnn_files
    methods = ("saliency", "integrated_gradients", "occlusion", "gradcam", "smoothgrad")
    together = api.explain(model, {"ecg": x, "age_sex": meta}, methods=methods, steps=16, noise_samples=4).arrays
    for i in (0, 4):
        alone = api.explain(
            model, {"ecg": x[i : i + 1], "age_sex": meta[i : i + 1]}, methods=methods, steps=16, noise_samples=4
        ).arrays
        for name, values in alone.items():
            if name not in ("signals", "sample_index"):
                np.testing.assert_allclose(values[0], together[name][i], rtol=1e-4, atol=1e-6, err_msg=name)


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        ((), ExitCode.USAGE, "Error: model input age_sex (2,) has no values"),
        (("--input", "age_sex={short}"), ExitCode.SIGNAL_FILE, "Error: {short}: 3 rows, but {x} has 7 signals"),
        (("--input", "age_sex={x}"), ExitCode.SHAPE_MISMATCH, "rows of 32 values, but model input age_sex takes (2,)"),
        (("--input", "sex={meta}"), ExitCode.USAGE, "Error: --input sex: the model has no such input"),
        (("--input", "age_sex"), ExitCode.USAGE, "Error: --input must look like NAME=FILE, not 'age_sex'"),
        (("--input", "age_sex={meta}", "-m", "lrp"), ExitCode.METHOD_NOT_APPLICABLE, "follow the signal input alone"),
        (("--signal-input", "nope"), ExitCode.USAGE, "Error: --signal-input nope: the model's inputs are ecg"),
        (("--input", "age_sex={meta}", "--segment", "32"), ExitCode.USAGE, "Error: --segment cuts recordings"),
    ],
)
def test_bad_other_inputs_are_one_line_errors(cnn_files, extra, code, message):
    folder, _, _, meta = cnn_files
    np.save(folder / "tables_short.npy", meta[:3])
    paths = {"short": folder / "tables_short.npy", "x": folder / "x.npy", "meta": folder / "meta.npy"}
    out = folder / "bad"
    given = [part.format(**paths) for part in extra]
    result = invoke("explain", folder / "cnn.keras", folder / "x.npy", "-o", out, "--no-plots", *given)
    assert result.exit_code == code, result.output
    assert message.format(**paths) in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_one_input_model_refuses_other_inputs(tmp_path):
    from tests.zoo import small_cnn

    model = small_cnn(length=32)
    signals = {model.inputs[0].name: np.zeros((3, 32)), "meta": np.zeros((3, 2))}
    with pytest.raises(UsageError, match=r"--input meta: the model has one input, the signal's"):
        api.explain(model, signals, methods=("saliency",))


def test_evaluate_scores_a_two_input_run_from_its_folder_and_computed(cnn_files):
    folder, *_ = cnn_files
    maps = folder / "maps_for_evaluate"
    common = ("--input", f"age_sex={folder / 'meta.npy'}", "-m", "saliency,occlusion")
    made = invoke("explain", folder / "cnn.h5", folder / "x.npy", "-o", maps, "--no-plots", *common)
    assert made.exit_code == 0, made.output
    model, data = folder / "cnn.h5", folder / "x.npy"
    stored = invoke("evaluate", model, data, "--from", maps, "-o", folder / "ev_from", "--steps", "8")
    assert stored.exit_code == 0, stored.output
    computed = invoke("evaluate", model, data, *common, "-o", folder / "ev_made", "--steps", "8")
    assert computed.exit_code == 0, computed.output
    scores = [json.loads((folder / name / "evaluation.json").read_text()) for name in ("ev_from", "ev_made")]
    from_folder, computed_here = (document["curves"]["maps"] for document in scores)
    assert set(from_folder) == set(computed_here) == {"saliency", "occlusion_w15", "random"}
    # the same maps scored the same way, stored or computed (occlusion's plateaus of near-equal scores may rank
    # in another order after a float32 round trip, so its curves are left out)
    for name, curves in computed_here.items():
        if name == "occlusion_w15":
            continue
        for curve in ("deletion", "insertion"):
            assert from_folder[name][curve]["auc_mean"] == pytest.approx(curves[curve]["auc_mean"], rel=1e-4)


def test_explainer_takes_a_dict_of_inputs_and_reuses_its_compiled_calls():
    explainer = api.Explainer(linear_two_input(L, C, W, V), ("saliency", "integrated_gradients"), target=str(TARGET))
    for rows in (slice(0, 5), slice(2, 3)):
        found = explainer.explain({"ecg": X[rows], "meta": M[rows]}).arrays
        np.testing.assert_allclose(found["saliency.meta"], np.abs(np.broadcast_to(V[:, TARGET], M[rows].shape)))
        np.testing.assert_allclose(found["integrated_gradients.meta"], V[:, TARGET] * M[rows], rtol=1e-4, atol=1e-5)
    traced = [call.experimental_get_tracing_count() for call in explainer.adapter.compiled_calls()]
    explainer.explain({"ecg": X[:4], "meta": M[:4]})
    assert [call.experimental_get_tracing_count() for call in explainer.adapter.compiled_calls()] == traced
    with pytest.raises(UsageError, match=r"model input meta \(3,\) has no values"):
        explainer.explain(X)
    with pytest.raises(UsageError, match="do not include the signal's, ecg"):
        explainer.explain({"signal": X, "meta": M})


def test_resume_of_a_killed_two_input_run_ends_byte_identical(cnn_files):
    import shutil
    import subprocess
    import sys

    from signalscreen_cli.pipeline.run import run as run_pipeline
    from signalscreen_cli.request import explain_request

    folder, *_ = cnn_files
    work = folder / "resume"
    work.mkdir()
    table = f"age_sex={folder / 'meta.npy'}"
    killed = work / ".resumed.partial-killed"

    def progress(stage: str, done: int, total: int) -> None:  # keep the journal as a kill after 2 chunks leaves it
        if done == 4 and not killed.exists():
            shutil.copytree(next(work.glob(".full.partial-*")) / "journal", killed / "journal")

    options = {"chunk_size": 2, "methods": ("occlusion", "saliency"), "plots": False, "inputs": (table,)}
    run_pipeline(explain_request(folder / "cnn.keras", folder / "x.npy", work / "full", **options), progress=progress)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    journal = json.loads((killed / "journal" / "run.json").read_text())
    journal["owner"]["pid"] = ended.pid  # its owner is gone
    (killed / "journal" / "run.json").write_text(json.dumps(journal))
    args = ("--input", table, "--chunk-size", "2", "-m", "occlusion,saliency", "--no-plots", "-q")
    done = invoke("explain", folder / "cnn.keras", folder / "x.npy", *args, "-o", work / "resumed", "--resume")
    assert done.exit_code == 0, done.output
    assert json.loads((work / "resumed" / "manifest.json").read_text())["executor"]["resumed_chunks"] >= 2
    for name in ("attributions.npz", "summary.npz"):
        assert (work / "resumed" / name).read_bytes() == (work / "full" / name).read_bytes(), name


def test_feature_bars_show_each_class_mean_of_the_other_input(linear_files):
    from signalscreen_cli.plots.colours import contrast
    from signalscreen_cli.records import ChunkResult
    from signalscreen_cli.sinks.feature_bars import CLASS_COLOURS, FeatureBars, feature_figure

    folder = linear_files
    out = folder / "bars"
    result = invoke(
        "explain", folder / "linear.keras", folder / "x.npy", "--input", f"meta={folder / 'meta.npy'}",
        "-m", "gradient_x_input", "-o", out, "--max-plots", "1", "--class-names", "A,B", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "plots" / "features_gradient_x_input.meta.png").is_file()
    stored = dict(np.load(out / "attributions.npz"))
    values, targets = stored["gradient_x_input.meta"], stored["targets"]
    sink = FeatureBars(folder, ("png",))  # streamed in two chunks, as a run feeds it
    for part in (slice(0, 2), slice(2, None)):
        arrays = {"gradient_x_input.meta": values[part], "targets": targets[part]}
        sink.write(0, ChunkResult(targets[part], X[part], arrays, {"gradient_x_input.meta": "feature"}))
    classes = sorted(set(targets.tolist()))
    assert sorted(sink.counts["gradient_x_input.meta"]) == classes
    name = "gradient_x_input.meta"
    axes = feature_figure(name, sink.sums[name], sink.counts[name], ["A", "B"]).axes[0]
    heights = np.array([bar.get_height() for bar in axes.patches]).reshape(len(classes), F)
    np.testing.assert_allclose(heights, [values[targets == k].mean(axis=0) for k in classes], rtol=1e-5)
    first = next(text.get_text() for text in axes.get_legend().get_texts())
    assert first == f"class {'AB'[classes[0]]} (n = {(targets == classes[0]).sum()})"
    from matplotlib.colors import to_rgb

    assert min(contrast(np.array(to_rgb(colour))) for colour in CLASS_COLOURS) >= 3.0


@pytest.mark.slow
def test_a_dask_cluster_ships_each_chunk_with_its_own_other_inputs(cnn_files):
    folder, *_ = cnn_files
    common = ("--input", f"age_sex={folder / 'meta.npy'}", "-m", "saliency,occlusion", "--no-plots", "-q")
    local = invoke("explain", folder / "cnn.keras", folder / "x.npy", "-o", folder / "here", *common)
    assert local.exit_code == 0, local.output
    cluster = ("--dask", "local:1", "--dask-ship", "--chunk-size", "3")
    shipped = invoke("explain", folder / "cnn.keras", folder / "x.npy", "-o", folder / "there", *common, *cluster)
    assert shipped.exit_code == 0, shipped.output
    here, there = (dict(np.load(folder / name / "attributions.npz")) for name in ("here", "there"))
    for name in ("saliency", "saliency.age_sex", "occlusion_w15"):
        np.testing.assert_allclose(there[name], here[name], rtol=1e-5, atol=1e-7, err_msg=name)  # other batches


def test_each_of_two_signal_inputs_is_explained_by_naming_it(tmp_path):
    from tests.zoo import ecg_and_ppg_cnn

    model = ecg_and_ppg_cnn()
    model.save(tmp_path / "fusion.h5")
    rng = np.random.default_rng(4)
    ecg, ppg = rng.normal(size=(4, 32, 1)).astype(np.float32), rng.normal(size=(4, 16, 2)).astype(np.float32)
    np.save(tmp_path / "ecg.npy", ecg)
    np.save(tmp_path / "ppg.npy", ppg)
    ambiguous = invoke("explain", tmp_path / "fusion.h5", tmp_path / "ecg.npy", "-o", tmp_path / "none")
    assert ambiguous.exit_code == ExitCode.MODEL_FILE
    assert "2 of shape (L, C): which takes the signal is not clear" in ambiguous.output
    runs = {}
    for signal, other in (("ecg", "ppg"), ("ppg", "ecg")):
        out = tmp_path / signal
        result = invoke(
            "explain", tmp_path / "fusion.h5", tmp_path / f"{signal}.npy", "--signal-input", signal,
            "--input", f"{other}={tmp_path / f'{other}.npy'}", "-m", "saliency,occlusion,gradcam", "-o", out,
            "--target", "1", "--no-plots", "-q",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        runs[signal] = dict(np.load(out / "attributions.npz"))
        cam = json.loads((out / "manifest.json").read_text())["methods"]["gradcam"]
        assert cam["layer_used"] == f"{signal}_conv"  # the conv layer on the explained signal's path
    # the same gradients seen from either side: one run's map of its signal is the other's METHOD.INPUT array
    np.testing.assert_allclose(runs["ecg"]["saliency.ppg"], runs["ppg"]["saliency"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(runs["ppg"]["saliency.ecg"], runs["ecg"]["saliency"], rtol=1e-5, atol=1e-7)
    assert runs["ppg"]["occlusion_w15"].shape == (4, 16, 2) and runs["ecg"]["gradcam"].shape == (4, 32)
    np.testing.assert_allclose(runs["ecg"]["predictions"], runs["ppg"]["predictions"], rtol=1e-6)
    wrong = invoke(
        "explain", tmp_path / "fusion.h5", tmp_path / "ecg.npy", "--signal-input", "ecg", "--input",
        f"ppg={tmp_path / 'ppg.npy'}", "-m", "gradcam", "--layer", "ppg_conv", "-o", tmp_path / "wrong",
    )  # fmt: skip
    assert wrong.exit_code == ExitCode.METHOD_NOT_APPLICABLE
    assert "Error: --layer 'ppg_conv' does not read the signal's input 'ecg'" in wrong.output


def test_shards_merge_and_compare_read_two_input_runs(cnn_files):
    folder, model, x, meta = cnn_files
    common = ("--input", f"age_sex={folder / 'meta.npy'}", "-m", "saliency,occlusion", "--no-plots", "-q")
    shards = []
    for k in (1, 2):
        shards.append(folder / f"shard{k}")
        made = invoke("explain", folder / "cnn.keras", folder / "x.npy", "-o", shards[-1], "--shard", f"{k}/2", *common)
        assert made.exit_code == 0, made.output
    merged = invoke("merge", *shards, "-o", folder / "merged")
    assert merged.exit_code == 0, merged.output
    joined = dict(np.load(folder / "merged" / "attributions.npz"))
    whole = api.explain(model, {"ecg": x, "age_sex": meta}, methods=("saliency", "occlusion")).arrays
    for name in ("saliency.age_sex", "occlusion_w15"):
        np.testing.assert_allclose(joined[name], whole[name], rtol=1e-4, atol=1e-6, err_msg=name)
    wide = invoke("explain", folder / "cnn.keras", folder / "x.npy", "-o", folder / "wide", *common, "--window", "5")
    assert wide.exit_code == 0, wide.output
    compared = invoke("compare", folder / "merged", folder / "wide", "-o", folder / "compared")
    assert compared.exit_code == 0, compared.output
    assert "saliency" in compared.output and "age_sex" not in compared.output  # maps of the signal only


def test_inspect_names_the_signal_input_and_the_others(cnn_files):
    folder, *_ = cnn_files
    shown = invoke("inspect", folder / "cnn.keras", "--json")
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.output)
    assert report["inputs"] == {"signal": "ecg", "others": {"age_sex": [2]}}
    assert "lrp" not in report["applicable_methods"] and "saliency" in report["applicable_methods"]


def test_integrated_gradients_refines_each_signal_until_both_inputs_complete(cnn_files):
    _, model, x, meta = cnn_files
    inputs = {"ecg": x, "age_sex": meta}
    refined = api.explain(model, inputs, methods=("integrated_gradients",), steps=3, ig_tolerance=0.005).arrays
    steps, delta = refined["integrated_gradients_steps"], refined["integrated_gradients_delta"]
    assert steps.max() > 3  # some signals needed more nodes than asked for
    assert ((delta <= 0.005) | (steps == steps.max())).all()
    # the nodes reused level after level make the very rule of each signal's final step count
    for count in np.unique(steps):
        fixed = api.explain(
            model, inputs, methods=("integrated_gradients",), steps=int(count), ig_tolerance=float("inf")
        ).arrays
        rows = steps == count
        for name in ("integrated_gradients", "integrated_gradients.age_sex"):
            np.testing.assert_allclose(refined[name][rows], fixed[name][rows], rtol=1e-4, atol=1e-6, err_msg=name)


def test_the_other_input_may_be_columns_of_the_signal_csv(cnn_files):
    folder, model, x, meta = cnn_files
    header = "id,age,sex," + ",".join(f"s{i}" for i in range(x.shape[1]))
    lines = [f"r{k},{meta[k, 0]},{meta[k, 1]}," + ",".join(str(v) for v in x[k]) for k in range(len(x))]
    (folder / "table.csv").write_text("\n".join([header, *lines]) + "\n")
    common = ("--drop-columns", "id,age,sex", "-m", "saliency", "--no-plots", "-q")
    out = folder / "from_columns"
    done = invoke("explain", folder / "cnn.keras", folder / "table.csv", "-o", out, *common,
                  "--input", f"age_sex={folder / 'table.csv'}:age+sex")  # fmt: skip
    assert done.exit_code == 0, done.output
    stored = dict(np.load(out / "attributions.npz"))
    whole = api.explain(model, {"ecg": x, "age_sex": meta}, methods=("saliency",)).arrays
    np.testing.assert_allclose(stored["saliency.age_sex"], whole["saliency.age_sex"], rtol=1e-5, atol=1e-7)
    text = invoke("explain", folder / "cnn.keras", folder / "table.csv", "-o", folder / "text", *common,
                  "--input", f"age_sex={folder / 'table.csv'}:age+id")  # fmt: skip
    assert text.exit_code == ExitCode.SIGNAL_FILE
    assert f"Error: {folder / 'table.csv'}: column id holds text, not numbers" in text.output
