"""``signalscreen compare`` and the gates of compare and evaluate: known answers, exit codes, JUnit output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
import xmlschema
from typer.testing import CliRunner

from signalscreen_cli import explain
from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from signalscreen_cli.evaluation.randomization import cascade
from signalscreen_cli.results.integrity import array_entry
from signalscreen_cli.similarity import cosine, pearson, spearman, top_overlap

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
RETRAINED = ROOT / "sample_models" / "ecg_cnn_retrained.keras"
METHODS = ("saliency", "gradient_x_input", "gradcam")
JUNIT = xmlschema.XMLSchema(ROOT / "tests" / "schemas" / "junit.xsd")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Explain outputs on rows 0-23: the sample model, its retrained twin, and a fully randomised copy."""
    folder = tmp_path_factory.mktemp("runs")
    *_, (_, random_model) = cascade(keras.saving.load_model(MODEL, compile=False), seed=1)
    random_model.save(folder / "random.keras")
    made = {}
    for name, model in (("sample", MODEL), ("retrained", RETRAINED), ("random", folder / "random.keras")):
        made[name] = explain(model, DATA, folder / name, methods=METHODS, samples="0:24", plots=False).out_dir
    return made


def edited(source: Path, target: Path, change) -> Path:
    """A copy of an explain output whose arrays went through ``change(name, values)``, its manifest's
    SHA-256s made anew (a deliberate edit, not damage)."""
    shutil.copytree(source, target)
    with np.load(target / "attributions.npz") as archive:
        arrays = {name: change(name, archive[name]) for name in archive.files}
    np.savez(target / "attributions.npz", **arrays)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["integrity"]["arrays"] = {name: array_entry(values) for name, values in arrays.items()}
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


def test_similarity_measures_by_hand():
    a = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 1.0, 0.0]])
    b = np.array([[2.0, 4.0, 6.0, 9.0], [1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(spearman(a, b), [1.0, -1 / 3])
    np.testing.assert_allclose(pearson(a, b), [np.corrcoef(a[0], b[0])[0, 1], -1 / 3])
    np.testing.assert_allclose(cosine(a, b), [(2 + 8 + 18 + 36) / (np.sqrt(30) * np.sqrt(4 + 16 + 36 + 81)), 0.0])
    np.testing.assert_allclose(top_overlap(a, b, 50), [1.0, 0.5])  # row 2: tops {2, 0|1} and {0, 1}
    assert np.isnan(spearman(np.ones((1, 4)), a[:1]))[0] and np.isnan(pearson(np.full((1, 4), 0.1), a[:1]))[0]


def test_a_run_compared_with_itself(runs, tmp_path):
    done = invoke(
        "compare",
        runs["sample"],
        runs["sample"],
        "-o",
        tmp_path / "c",
        "--fail-below",
        "0.99",
        "--fail-on-flips",
        "0",
        "--no-plots",
    )
    assert done.exit_code == 0, done.output
    document = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert [row["map"] for row in document["summary"]] == list(METHODS)
    for row in document["summary"]:
        assert row["median_pearson"] == row["median_spearman"] == row["mean_cosine"] == row["mean_top_overlap"] == 1.0
    assert document["signals"]["flips"] == 0 and all(gate["passed"] for gate in document["gates"])
    assert "PASS predictions: prediction changes <= 0" in done.output


def test_a_map_against_its_negation(runs, tmp_path):
    negated = edited(runs["sample"], tmp_path / "negated", lambda n, v: -v if n == "gradient_x_input" else v)
    done = invoke(
        "compare",
        runs["sample"],
        negated,
        "-o",
        tmp_path / "c",
        "--pair",
        "gradient_x_input=gradient_x_input",
        "--top",
        "5",
        "--no-plots",
        "-q",
    )
    assert done.exit_code == 0, done.output
    row = json.loads((tmp_path / "c" / "comparison.json").read_text())["summary"][0]
    assert row["compared"] == "signed" and row["median_pearson"] == pytest.approx(-1.0)
    assert row["median_spearman"] == pytest.approx(-1.0) and row["mean_cosine"] == pytest.approx(-1.0)
    assert row["mean_top_overlap"] == 1.0  # the same positions matter most, with the opposite sign


def test_a_randomised_model_fails_the_gate_and_still_writes_everything(runs, tmp_path):
    junit = tmp_path / "reports" / "compare.xml"
    done = invoke(
        "compare", runs["sample"], runs["random"], "-o", tmp_path / "c", "--fail-below", "0.8", "--junit", junit
    )
    assert done.exit_code == ExitCode.GATE, done.output
    assert "gates failed: saliency: median Pearson (magnitude) >= 0.8 (measured" in done.output
    out = tmp_path / "c"
    for name in ("comparison.json", "comparison.csv", "summary.md", "class_means.npz", "similarity.png"):
        assert (out / name).is_file(), name
    assert (out / "least_similar_gradcam.png").is_file() and (out / "class_means_saliency.png").is_file()
    JUNIT.validate(junit)
    report = junit.read_text()
    assert report.count("<testcase") == 3 and report.count("<failure") == 3 and 'failures="3"' in report
    assert "FAIL saliency" in (out / "summary.md").read_text()


def test_retrained_model_keeps_its_explanations(runs, tmp_path):
    # The README's CI gate passes on the sample model against its own retraining.
    done = invoke(
        "compare",
        runs["sample"],
        runs["retrained"],
        "-o",
        tmp_path / "c",
        "--fail-below",
        "0.8",
        "--fail-on-flips",
        "0",
        "--no-plots",
    )
    assert done.exit_code == 0, done.output
    classes = json.loads((tmp_path / "c" / "comparison.json").read_text())["classes"]["gradcam"]
    assert {entry["class"] for entry in classes} <= {"0", "1"} and sum(e["signals"] for e in classes) == 24
    assert len(classes[0]["mean_map_a"]) == 187
    with np.load(tmp_path / "c" / "class_means.npz") as means:
        np.testing.assert_allclose(means[f"gradcam__a__{classes[0]['class']}"], classes[0]["mean_map_a"], rtol=1e-6)


def test_flips_gate_fires_exactly_above_its_limit(runs, tmp_path):
    swapped = edited(
        runs["sample"],
        tmp_path / "swapped",
        lambda n, v: np.concatenate([v[:3, ::-1], v[3:]]) if n == "predictions" else v,
    )
    for limit, code in ((3, 0), (2, ExitCode.GATE)):
        done = invoke(
            "compare",
            runs["sample"],
            swapped,
            "-o",
            tmp_path / f"c{limit}",
            "--fail-on-flips",
            limit,
            "--no-plots",
            "-q",
        )
        assert done.exit_code == code, done.output
    document = json.loads((tmp_path / "c2" / "comparison.json").read_text())
    assert document["signals"]["flipped_rows"] == [0, 1, 2]


def test_maps_with_and_without_a_channel_axis_pair_up(runs, tmp_path):
    done = invoke(
        "compare",
        runs["sample"],
        runs["sample"],
        "-o",
        tmp_path / "c",
        "--pair",
        "saliency=gradcam",
        "--no-plots",
        "-q",
    )
    assert done.exit_code == 0, done.output
    row = json.loads((tmp_path / "c" / "comparison.json").read_text())["summary"][0]
    assert row["map"] == "saliency~gradcam" and row["compared"] == "magnitude" and -1 <= row["median_pearson"] < 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda r, t: (
                explain(
                    MODEL,
                    ROOT / "sample_data" / "ecg_beats.csv",
                    t,
                    methods=("saliency",),
                    samples="0:24",
                    label_column=-1,
                    plots=False,
                ).out_dir
            ),
            "compare needs two runs on the same data file",
        ),
        (
            lambda r, t: explain(MODEL, DATA, t, methods=("saliency",), samples="0:12", plots=False).out_dir,
            "run both with the same --samples",
        ),
    ],
)
def test_runs_on_other_signals_are_refused(runs, tmp_path, make, message):
    other = make(runs, tmp_path / "other")
    done = invoke("compare", runs["sample"], other, "-o", tmp_path / "c")
    assert done.exit_code == ExitCode.USAGE and message in done.output
    assert not (tmp_path / "c").exists()


def test_unknown_pair_and_bad_options(runs, tmp_path):
    missing = invoke("compare", runs["sample"], runs["sample"], "-o", tmp_path / "c", "--pair", "lime=saliency")
    assert missing.exit_code == ExitCode.USAGE and "has no map 'lime'" in missing.output
    bad = invoke("compare", runs["sample"], runs["sample"], "-o", tmp_path / "c", "--top", "0")
    assert bad.exit_code == ExitCode.USAGE and "--top must be a percentage" in bad.output


def test_evaluate_gates_fire_and_stay_silent(runs, tmp_path):
    base = (
        "evaluate",
        MODEL,
        DATA,
        "--samples",
        "0:12",
        "-m",
        "saliency,integrated_gradients",
        "--steps",
        "5",
        "--no-plots",
        "-q",
    )
    quiet = invoke(
        *base,
        "--fail-on",
        "sanity,random",
        "--fail-on",
        "ig-gap=0.5",
        "-o",
        tmp_path / "ok",
        "--junit",
        tmp_path / "ok.xml",
    )
    assert quiet.exit_code == 0, quiet.output
    JUNIT.validate(tmp_path / "ok.xml")
    assert (tmp_path / "ok.xml").read_text().count("<testcase") == 2 + 4 + 1
    strict = invoke(
        *base,
        "--fail-on",
        "ig-gap=0",
        "--fail-on",
        "sanity",
        "--randomization-threshold",
        "-1",
        "-o",
        tmp_path / "strict",
        "--junit",
        tmp_path / "strict.xml",
    )
    assert strict.exit_code == ExitCode.GATE
    assert "3 of 3 gates failed" in strict.output and "IG completeness gap <= 0" in strict.output
    assert (tmp_path / "strict" / "evaluation.json").is_file() and "FAIL" in (
        tmp_path / "strict" / "summary.md"
    ).read_text()
    JUNIT.validate(tmp_path / "strict.xml")


def test_evaluate_random_gate_fails_for_maps_that_point_the_wrong_way(runs, tmp_path):
    negated = edited(runs["sample"], tmp_path / "negated", lambda n, v: -v if n == "gradient_x_input" else v)
    done = invoke(
        "evaluate",
        MODEL,
        DATA,
        "--from",
        negated,
        "-m",
        "gradient_x_input",
        "--no-randomization",
        "--fail-on",
        "random",
        "--no-plots",
        "-q",
        "-o",
        tmp_path / "e",
    )
    assert done.exit_code == ExitCode.GATE
    assert "gradient_x_input: deletion AUC below the random order's" in done.output


@pytest.mark.parametrize(
    ("gates", "message"),
    [
        (("--fail-on", "sanity", "--no-randomization"), "--fail-on sanity needs the randomisation check"),
        (("--fail-on", "ig-gap=x"), "cannot read 'x' as a number"),
        (("--fail-on", "speed"), "unknown gate 'speed'"),
        (("--fail-on", "ig-gap=0.1", "-m", "saliency"), "needs integrated_gradients among the methods"),
    ],
)
def test_bad_evaluate_gates_are_usage_errors(tmp_path, gates, message):
    done = invoke("evaluate", MODEL, DATA, "--samples", "0:4", *gates, "-o", tmp_path / "e")
    assert done.exit_code == ExitCode.USAGE and message in done.output
