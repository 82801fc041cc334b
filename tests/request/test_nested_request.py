"""The request made of specs: each field in exactly one spec, the old flat spellings (construction, reading,
``dataclasses.replace``, ``explain_request`` keywords) reaching it, and the manifest recording it flat so old
and new manifests read back alike."""

import copy
import dataclasses
import json
import pickle
from pathlib import Path

import pytest

from signalscreen_cli.evaluation.request import EvaluateRequest, ScoringOptions
from signalscreen_cli.inputs_spec import InputsSpec
from signalscreen_cli.outputs.provenance import json_default, request_parameters
from signalscreen_cli.request import (
    AttributionSpec,
    ExecutionSpec,
    ExplainRequest,
    LoadingSpec,
    ReadingSpec,
    WritingSpec,
    explain_request,
)
from signalscreen_cli.results.reader import StoredResult
from signalscreen_cli.signals.clinical import ClinicalOptions

FLAT_FIELDS = {  # ExplainRequest's fields when it was flat (before the specs): every one must still be there
    "model_path", "data_path", "out_dir", "methods", "options", "method_params", "target", "class_names",
    "normalize", "key", "label_column", "drop_columns", "labels", "samples", "nan_policy", "write_csv", "plots",
    "formats", "max_plots", "sampling_rate", "unit", "report", "batch_size", "memory_budget", "chunk_size", "jit",
    "segment", "hop", "shard", "overwrite", "resume", "unsafe_load", "custom_objects", "clinical", "store",
    "model", "signals", "dask", "dask_ship", "dask_timeout", "io",
}  # fmt: skip
MODEL, DATA, OUT = Path("m.keras"), Path("d.npy"), Path("out")


def test_every_old_field_lives_in_exactly_one_spec():
    specs = [ReadingSpec, LoadingSpec, AttributionSpec, WritingSpec, ExecutionSpec]
    owned = [item.name for spec in specs for item in dataclasses.fields(spec)]
    assert len(owned) == len(set(owned)), "a field in two specs"
    assert set(owned) == FLAT_FIELDS
    assert set(ExplainRequest.flat_names()) == FLAT_FIELDS
    assert [item.name for item in dataclasses.fields(ExplainRequest)] == list(ExplainRequest.SPECS)


def test_flat_and_nested_spellings_build_the_same_request():
    flat = ExplainRequest(MODEL, DATA, OUT, key="x", segment=90, methods=("saliency",), store="zarr", dask="local:2")
    nested = ExplainRequest(
        reading=ReadingSpec(DATA, key="x", segment=90),
        loading=LoadingSpec(MODEL),
        attribution=AttributionSpec(methods=("saliency",)),
        writing=WritingSpec(OUT, store="zarr"),
        execution=ExecutionSpec(dask="local:2"),
    )
    assert flat == nested
    assert flat.reading.segment == 90 and flat.segment == 90 and flat.writing.store == flat.store == "zarr"
    assert flat.model_path == MODEL and flat.out_dir == OUT and flat.execution.dask == "local:2"
    assert flat.plots is True and flat.nan_policy == "error"  # the specs' defaults, read flat
    assert ExplainRequest("m.keras", "d.npy", "out") == ExplainRequest(MODEL, DATA, OUT)  # paths as text too


def test_replace_by_flat_name_changes_only_the_owning_spec():
    request = ExplainRequest(MODEL, DATA, OUT, segment=90, plots=True)
    changed = dataclasses.replace(request, segment=45, plots=False)
    assert changed.reading.segment == 45 and changed.writing.plots is False
    assert changed.loading is request.loading and changed.attribution is request.attribution
    assert request.segment == 90  # frozen: the original is as it was
    both = dataclasses.replace(request, reading=ReadingSpec(Path("other.npy")), key="k")
    assert both.data_path == Path("other.npy") and both.key == "k"  # a flat field replaces the given spec's


def test_a_request_travels_to_other_processes_whole():
    request = ExplainRequest(MODEL, DATA, OUT, segment=90, options={"n_steps": 8}, dask="local:2")
    for copied in (pickle.loads(pickle.dumps(request)), copy.deepcopy(request)):  # Dask ships it pickled
        assert copied == request and copied.segment == 90 and copied.options == {"n_steps": 8}


def test_bad_spellings_are_refused():
    with pytest.raises(TypeError, match="no field 'sgement'"):
        ExplainRequest(MODEL, DATA, OUT, sgement=90)
    with pytest.raises(TypeError, match="'out_dir' twice"):
        ExplainRequest(MODEL, DATA, OUT, out_dir=OUT)
    with pytest.raises(TypeError):
        ExplainRequest(MODEL, DATA)  # no output folder
    with pytest.raises(AttributeError, match="no attribute 'sgement'"):
        ExplainRequest(MODEL, DATA, OUT).sgement  # noqa: B018
    with pytest.raises(dataclasses.FrozenInstanceError):
        ExplainRequest(MODEL, DATA, OUT).reading = ReadingSpec(DATA)


def test_explain_request_keywords_go_to_their_specs():
    request = explain_request(MODEL, DATA, OUT, window=15, steps=8, output="1", target="0", chunk_size=4, unit="mV")
    assert request.attribution.options == {"sliding_window": (15,), "n_steps": 8}
    assert request.loading.io == InputsSpec(output="1") and request.attribution.target == "0"
    assert request.execution.chunk_size == 4 and request.writing.unit == "mV"
    given = explain_request(MODEL, DATA, OUT, writing=WritingSpec(OUT, plots=False), max_plots=3)
    assert given.writing == WritingSpec(OUT, plots=False, max_plots=3)


def test_the_manifest_records_the_request_flat_and_reads_back_old_and_nested_forms(tmp_path):
    clinical = ClinicalOptions(channels=("MLII",), resample=250.0)
    request = ExplainRequest(
        MODEL, DATA, tmp_path, key="x", clinical=clinical, shard=(2, 4), options={"n_steps": 8}, io=InputsSpec("a")
    )
    recorded = request_parameters(request)
    assert set(recorded) == FLAT_FIELDS - {"model", "signals"}
    assert recorded["model_path"] == "m.keras" and recorded["shard"] == (2, 4) and recorded["key"] == "x"
    assert recorded["clinical"]["channels"] == ("MLII",) and recorded["io"]["output"] == "a"
    assert recorded["options"] is not request.options  # the record shares nothing mutable with the request
    flat = json.loads(json.dumps(recorded, default=json_default))
    nested = {"options": flat["options"]}
    for spec, kind in ExplainRequest.SPECS.items():
        nested[spec] = {item.name: flat[item.name] for item in dataclasses.fields(kind) if item.name in flat}
    for parameters in (flat, nested):
        manifest = {"manifest_version": 2, "parameters": parameters}
        assert StoredResult(tmp_path, manifest, "DIR").request() == request


def test_the_evaluate_request_holds_its_scoring_options():
    explain = ExplainRequest(MODEL, DATA, OUT, methods=(), options={"seed": 3})
    flat = EvaluateRequest(explain, steps=4, randomization=False, truth=Path("t.npy"), plots=False)
    assert flat == EvaluateRequest(explain, scoring=ScoringOptions(steps=4, randomization=False, truth=Path("t.npy")),
                                   plots=False)  # fmt: skip
    assert flat.scoring.steps == flat.steps == 4 and flat.baseline == "mean" and flat.plots is False
    assert flat.curve_baseline.baselines == "mean" and flat.curve_baseline.seed == 3
    maps = flat.maps_request
    assert maps.methods == ("occlusion", "saliency", "gradcam") and maps.options["baselines"] == "mean"
    assert maps.plots is False and maps.normalize == "none" and maps.nan_policy == "error"
    recorded = request_parameters(flat)
    scoring = {item.name for item in dataclasses.fields(ScoringOptions)}
    assert scoring <= set(recorded) and "scoring" not in recorded and recorded["truth"] == "t.npy"
    assert recorded["explain"]["methods"] == () and "model" not in recorded["explain"]
    with pytest.raises(TypeError, match="no field 'step'"):
        EvaluateRequest(explain, step=4)
