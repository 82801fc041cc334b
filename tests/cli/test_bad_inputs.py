"""Every bad input gets its exit code, a one-line message naming the problem, no traceback, no output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from tests.zoo import recurrent_model

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
DATA = ROOT / "sample_data" / "ecg_beats.npy"
SIGNAL, MODEL_FILE, USAGE = ExitCode.SIGNAL_FILE, ExitCode.MODEL_FILE, ExitCode.USAGE
SHAPE, NOT_APPLICABLE, OUTPUT = ExitCode.SHAPE_MISMATCH, ExitCode.METHOD_NOT_APPLICABLE, ExitCode.OUTPUT
BEAT = np.load(DATA)[:3]


def csv_text(rows: list[str]) -> str:
    return "\n".join(rows) + "\n"


def good_row() -> str:
    return ",".join(f"{v:.4f}" for v in BEAT[0])


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """One bad file of each kind, made once."""
    folder = tmp_path_factory.mktemp("bad")
    made: dict[str, Path] = {}

    def add(name: str, write) -> None:
        made[name] = folder / name
        write(made[name])

    add("empty.npy", lambda p: p.write_bytes(b""))
    add("signals.txt", lambda p: p.write_text("1,2,3"))
    add("objects.npy", lambda p: np.save(p, np.array([{"a": 1}, None], dtype=object)))
    add("strings.npy", lambda p: np.save(p, np.array([["a"] * 187])))
    add("complex.npy", lambda p: np.save(p, np.ones((2, 187), np.complex64)))
    add("nan.npy", lambda p: np.save(p, np.where(np.arange(187) == 5, np.nan, BEAT[:2])))
    add("zero_length.npy", lambda p: np.save(p, np.zeros((3, 0))))
    add("rank4.npy", lambda p: np.save(p, np.zeros((2, 187, 1, 1))))
    add("short.npy", lambda p: np.save(p, np.zeros((2, 100))))
    add("two_channels.npy", lambda p: np.save(p, np.zeros((2, 187, 2))))
    add("text_cell.csv", lambda p: p.write_text(csv_text([good_row(), good_row().replace("0.", "x.", 1)])))
    add("ragged.csv", lambda p: p.write_text(csv_text([good_row(), good_row().rsplit(",", 1)[0]])))
    add("header_only.csv", lambda p: p.write_text(",".join(f"t{i}" for i in range(187)) + "\n"))
    add("semicolons.csv", lambda p: p.write_text(csv_text([good_row().replace(",", ";")])))
    add("inf.csv", lambda p: p.write_text(csv_text([good_row(), "inf," + good_row().split(",", 1)[1]])))
    add("binary.csv", lambda p: p.write_bytes(bytes(range(256)) * 4))
    add("corrupt.npz", lambda p: p.write_bytes(b"PK\x03\x04 broken zip"))
    add("corrupt.h5", lambda p: p.write_bytes(b"\x89HDF\r\n\x1a\n broken"))
    add("keys.npz", lambda p: np.savez(p, x=BEAT, y=np.zeros(3)))
    add("keys.h5", lambda p: h5py.File(p, "w").create_dataset("beats", data=BEAT).file.close())
    npy_bytes = (ROOT / "sample_data" / "ecg_beats.npy").read_bytes()
    add("truncated.npy", lambda p: p.write_bytes(npy_bytes[: len(npy_bytes) // 2]))
    made["folder"] = folder / "folder"
    made["folder"].mkdir()
    add("text.keras", lambda p: p.write_text("not a model"))
    model_bytes = MODEL.read_bytes()
    add("truncated.keras", lambda p: p.write_bytes(model_bytes[: len(model_bytes) // 2]))
    h5_bytes = (ROOT / "sample_models" / "ecg_cnn.h5").read_bytes()
    add("truncated.h5", lambda p: p.write_bytes(h5_bytes[: len(h5_bytes) // 3]))
    add("model.pt", lambda p: p.write_bytes(b"torch"))
    a, b = keras.Input((187, 1)), keras.Input((187, 1))
    joined = keras.layers.Flatten()(keras.layers.Add()([a, b]))
    keras.Model([a, b], keras.layers.Dense(2)(joined)).save(folder / "two_inputs.keras")
    made["two_inputs.keras"] = folder / "two_inputs.keras"
    single = keras.Input((187, 1))
    flat = keras.layers.Flatten()(single)
    keras.Model(single, [keras.layers.Dense(2)(flat), keras.layers.Dense(1)(flat)]).save(folder / "two_outputs.keras")
    made["two_outputs.keras"] = folder / "two_outputs.keras"
    code = eval("lambda t: t * 2.0")
    lam = keras.Sequential(
        [
            keras.Input((187, 1)),
            keras.layers.Lambda(code, name="doubler"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    lam.save(folder / "lambda.h5")
    made["lambda.h5"] = folder / "lambda.h5"
    recurrent_model(length=187).save(folder / "lstm.keras")
    made["lstm.keras"] = folder / "lstm.keras"
    made["file_out"] = folder / "file_out"
    made["file_out"].write_text("I am a file")
    made["existing"] = folder / "existing"
    made["existing"].mkdir()
    (made["existing"] / "keep.txt").write_text("keep")
    return made


# (arguments after "explain" with {name} standing for a file above, exit code, text the message must hold)
CASES = [
    # signal files
    (["{MODEL}", "{folder}/absent.npy"], SIGNAL, "absent.npy: no such file"),
    (["{MODEL}", "{empty.npy}"], SIGNAL, "empty.npy: file is empty"),
    (["{MODEL}", "{folder}"], SIGNAL, "folder: is a directory"),
    (["{MODEL}", "{signals.txt}"], SIGNAL, "unsupported signal file type '.txt'"),
    (["{MODEL}", "{truncated.npy}"], SIGNAL, "truncated.npy: not a valid .npy file"),
    (["{MODEL}", "{objects.npy}"], SIGNAL, "objects.npy: holds Python objects"),
    (["{MODEL}", "{strings.npy}"], SIGNAL, "strings.npy: holds <U1 values, not real numbers"),
    (["{MODEL}", "{complex.npy}"], SIGNAL, "holds complex64 values"),
    (["{MODEL}", "{nan.npy}"], SIGNAL, "non-finite value nan at row 0, column 5"),
    (["{MODEL}", "{zero_length.npy}"], SIGNAL, "holds no signal values"),
    (["{MODEL}", "{rank4.npy}"], SIGNAL, "array of rank 4"),
    (["{MODEL}", "{text_cell.csv}"], SIGNAL, "text_cell.csv: line 2, column 1: '-x.0315' is not a number"),
    (["{MODEL}", "{ragged.csv}"], SIGNAL, "ragged.csv: line 2 has 186 values, the first data row 187"),
    (["{MODEL}", "{header_only.csv}"], SIGNAL, "has a header but no data rows"),
    (["{MODEL}", "{semicolons.csv}"], SIGNAL, "uses ';' as separator"),
    (["{MODEL}", "{inf.csv}"], SIGNAL, "non-finite value inf at row 1, column 0"),
    (["{MODEL}", "{binary.csv}"], SIGNAL, "binary.csv: not a text CSV file"),
    (["{MODEL}", "{corrupt.npz}"], SIGNAL, "corrupt.npz: not a valid .npz file"),
    (["{MODEL}", "{corrupt.h5}"], SIGNAL, "corrupt.h5: not a valid HDF5 file"),
    (["{MODEL}", "{keys.npz}", "--key", "z"], SIGNAL, "no array named 'z'"),
    (["{MODEL}", "{keys.h5}", "--key", "z"], SIGNAL, "no dataset named 'z'"),
    (["{MODEL}", "{keys.npz}"], USAGE, "holds several arrays; choose one with --key"),
    (["{MODEL}", "{short.npy}"], SHAPE, "signals have shape (2, 100, 1) but the model expects (n, 187, 1)"),
    (["{MODEL}", "{two_channels.npy}"], SHAPE, "2 channel(s) in the file, 1 in the model"),
    (["{MODEL}", "{DATA}", "--key", "x"], USAGE, "--key applies to .npz and .h5 files"),
    (["{MODEL}", "{two_channels.npy}", "--label-column", "3"], USAGE, "--label-column and --drop-columns apply to 2-D"),
    (["{MODEL}", "{DATA}", "--label-column", "300"], USAGE, "--label-column 300 is outside"),
    # model files
    (["{folder}/absent.keras", "{DATA}"], MODEL_FILE, "absent.keras: no such file"),
    (["{DATA}", "{MODEL}"], MODEL_FILE, "did you swap MODEL and DATA?"),
    (["{text.keras}", "{DATA}"], MODEL_FILE, "text.keras: not a readable Keras model file"),
    (["{truncated.keras}", "{DATA}"], MODEL_FILE, "truncated.keras: not a readable Keras model file"),
    (["{truncated.h5}", "{DATA}"], MODEL_FILE, "truncated.h5: not a readable Keras model file"),
    (["{model.pt}", "{DATA}"], MODEL_FILE, "unsupported model file type '.pt'"),
    (["{folder}", "{DATA}"], MODEL_FILE, "is a directory, not a .keras or .h5 file, or a SavedModel folder"),
    (["{two_inputs.keras}", "{DATA}"], MODEL_FILE, "2 of shape (L, C): which takes the signal is not clear"),
    (["{two_outputs.keras}", "{DATA}"], MODEL_FILE, "model has 2 outputs ("),
    (["{lambda.h5}", "{DATA}"], MODEL_FILE, "layer 'doubler' stores Python code"),
    (["{MODEL}", "{DATA}", "--custom-objects", "{signals.txt}"], MODEL_FILE, "--custom-objects needs a .py file"),
    # methods that do not apply
    (["{lstm.keras}", "{DATA}", "-m", "gradcam"], NOT_APPLICABLE, "the model has no Conv1D layer"),
    (["{MODEL}", "{DATA}", "-m", "scorecam", "--layer", "zz"], NOT_APPLICABLE, "conv layers: conv1, conv2"),
    (["{MODEL}", "{DATA}", "-m", "gradcam", "--layer", "99"], NOT_APPLICABLE, "--layer 99: the model has 6 layers"),
    (["{MODEL}", "{DATA}", "-m", "gradcam", "--layer", "gap"], NOT_APPLICABLE, "output is not (L', channels)"),
    # options
    (["{MODEL}", "{DATA}", "-m", "lime"], USAGE, "unknown method 'lime'"),
    (["{MODEL}", "{DATA}", "--target", "7"], USAGE, "--target 7 is outside the model's outputs 0..1"),
    (["{MODEL}", "{DATA}", "--target", "first"], USAGE, "--target must be auto, all, a class index, optionally"),
    (["{MODEL}", "{DATA}", "-w", "400"], USAGE, "--window 400 must be between 1 and the signal length 187"),
    (["{MODEL}", "{DATA}", "-w", "0"], USAGE, "--window must be at least 1, not 0"),
    (["{MODEL}", "{DATA}", "--samples", "0:9999"], USAGE, "'0:9999' is outside"),
    (["{MODEL}", "{DATA}", "--samples", "one"], USAGE, "--samples: cannot read 'one'"),
    (["{MODEL}", "{DATA}", "--class-names", "A,B,C"], USAGE, "--class-names gives 3 names but the model has 2"),
    (["{MODEL}", "{DATA}", "--normalize", "zscore"], USAGE, "--normalize must be one of none, minmax, maxabs"),
    (["{MODEL}", "{DATA}", "--baseline", "pink"], USAGE, "unknown baseline 'pink'"),
    (["{MODEL}", "{DATA}", "-m", "integrated_gradients", "--baseline", "interp"], USAGE, "applies to occlusion only"),
    (["{MODEL}", "{DATA}", "--nan-policy", "drop"], USAGE, "--nan-policy must be one of"),
    (["{MODEL}", "{DATA}", "-m", "smoothgrad", "--smooth", "vargrad"], USAGE, "cannot smooth another one"),
    (["{MODEL}", "{DATA}", "-m", "vargrad", "--smooth", "lime"], USAGE, "unknown method 'lime'"),
    (["{MODEL}", "{DATA}", "--format", "bmp"], USAGE, "unknown plot format 'bmp'"),
    (["{MODEL}", "{DATA}", "--format", "svg", "--no-plots"], USAGE, "--format and --no-plots contradict"),
    (["{MODEL}", "{DATA}", "--stride", "0"], USAGE, "--stride must be at least 1"),
    (["{MODEL}", "{DATA}", "--occlude-channels", "some"], USAGE, "--occlude-channels must be one of"),
    (["{MODEL}", "{DATA}", "--batch-size", "0"], USAGE, "--batch-size must be a positive integer or auto"),
    (["{MODEL}", "{DATA}", "--steps", "1"], USAGE, "--steps must be at least 2"),
    (["{MODEL}", "{DATA}", "--sampling-rate", "-5"], USAGE, "--sampling-rate must be positive"),
    (["{MODEL}", "{DATA}", "--baseline", "{folder}/absent.npy", "-m", "occlusion"], SIGNAL, "cannot read baseline"),
    # output
    (["{MODEL}", "{DATA}", "--out", "{existing}"], OUTPUT, "existing: already exists"),
    (["{MODEL}", "{DATA}", "--out", "{file_out}"], OUTPUT, "file_out: exists and is not a folder"),
]


@pytest.mark.parametrize("args, code, message", CASES, ids=[" ".join(c[0][:4]) for c in CASES])
def test_bad_input(files, tmp_path, args, code, message):
    names = {**{k: str(v) for k, v in files.items()}, "MODEL": str(MODEL), "DATA": str(DATA)}
    argv = ["explain", *(re.sub(r"\{([^}]+)\}", lambda m: names[m.group(1)], arg) for arg in args)]
    out = tmp_path / "out"
    if "--out" not in argv:
        argv += ["--out", str(out)]
    if "--samples" not in argv:
        argv += ["--samples", "0:2"]
    if "--no-plots" not in argv and "--format" not in argv:
        argv.append("--no-plots")
    before = sorted(p.name for p in files["existing"].iterdir())
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Error: ") and message in result.output, result.output
    assert len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("  hint: "))
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in files["existing"].iterdir()) == before
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


def test_debug_shows_the_traceback(files, tmp_path):
    result = CliRunner().invoke(
        app, ["explain", str(MODEL), str(files["nan.npy"]), "--out", str(tmp_path / "o"), "--debug"]
    )
    assert result.exit_code != 0 and isinstance(result.exception, Exception)
    assert "non-finite" in str(result.exception)


def test_same_seed_gives_identical_bytes(tmp_path):
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}"
        result = CliRunner().invoke(
            app,
            [
                "explain",
                str(MODEL),
                str(DATA),
                "-o",
                str(out),
                "--samples",
                "0:4",
                "-m",
                "smoothgrad,occlusion,integrated_gradients",
                "--baseline",
                "noise",
                "--noise-samples",
                "4",
                "--steps",
                "8",
                "--seed",
                "7",
                "--no-plots",
            ],
        )
        assert result.exit_code == 0, result.output
        outputs.append((out / "attributions.npz").read_bytes())
        manifest = json.loads((out / "manifest.json").read_text())
        assert (
            manifest["methods"]["smoothgrad"]["seed"] == 7 and manifest["methods"]["occlusion"]["baselines"] == "noise"
        )
    assert outputs[0] == outputs[1]
