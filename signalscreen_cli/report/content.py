"""What the report shows, read from an explain output folder (``results.read_result`` and its class
summaries) and an evaluate output folder: plain values and figure URIs for the template."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from ..plots.traces import is_signed
from ..results.reader import StoredResult
from . import figures

GALLERY_PER_CLASS = 8


def run_facts(stored: StoredResult) -> dict[str, Any]:
    """Model, data, SHA-256s, versions, command line, parameters, timings and warnings."""
    manifest = stored.manifest
    parameters = {k: v for k, v in manifest["parameters"].items() if v not in (None, (), [], {}, False)}
    return {
        "folder": str(manifest["parameters"].get("out_dir") or stored.folder),
        "created": manifest.get("created"),
        "model": manifest["model"],
        "data": manifest["data"],
        "signals": manifest["data"].get("signals"),
        "class_names": manifest.get("class_names", []),
        "versions": manifest.get("versions", {}),
        "command": shlex.join(str(part) for part in manifest.get("command", [])),
        "parameters": {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in parameters.items()},
        "methods": {name: json.dumps(values) for name, values in manifest.get("methods", {}).items()},
        "timings": manifest.get("timings_s", {}),
        "executor": manifest.get("executor"),
    }


def run_warnings(stored: StoredResult, summary: dict[str, Any] | None) -> list[str]:
    """What a reader should know before trusting the maps."""
    manifest, found = stored.manifest, []
    gap = manifest["arrays"].get("integrated_gradients_delta", {}).get("summary")
    tolerance = manifest.get("methods", {}).get("integrated_gradients", {}).get("tolerance")
    if gap and tolerance is not None and gap["max"] > tolerance:
        found.append(
            f"integrated gradients: completeness gap up to {gap['max']:.3g} (mean {gap['mean']:.3g}) is above the "
            f"tolerance {tolerance:g} on some signals, even after the step doubling"
        )
    if manifest.get("shard"):
        found.append(f"this is shard {manifest['shard'][0]}/{manifest['shard'][1]} of a run: it covers only its rows")
    if summary is None:
        found.append("this run has no class summaries (a --segment run, a merged run or an older version)")
    return found


def class_sections(
    arrays: dict[str, np.ndarray], document: dict[str, Any], manifest: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Per explained class: each map's class mean, band, top segments, and the prototype with its maps; the
    run's ``manifest`` says what each map's value means and the signal's unit."""
    from ..plots.labels import manifest_meanings, reading_units
    from .class_figure import class_map_uri, class_plot

    rate = document.get("sampling_rate")
    units = reading_units(manifest or {})
    maps = document["maps"]
    signed = {name: is_signed(np.stack([arrays[f"{name}_q10"], arrays[f"{name}_mean"]])) for name in maps}
    position = {int(row): i for i, row in enumerate(arrays["example_rows"])}
    unit = "s" if rate else "samples"
    sections = []
    for g, entry in enumerate(document["groups"]):
        if entry["by"] != "target" or not entry["count"]:
            continue
        methods = []
        meanings = manifest_meanings(manifest or {}, str(entry["name"]))
        for name in maps:
            if name not in entry["maps"]:
                continue
            found = entry["maps"][name]
            segments = [
                {
                    "where": _span(segment, rate),
                    "weight": f"{100 * segment['weight']:.0f} %",
                }
                for segment in found["top_segments"]
                if segment["weight"] >= 0.02
            ][:3]
            plot = class_plot(arrays["mean_signal"][g].shape, rate, units[0] if units else None)
            figure = plot.draw(
                arrays["mean_signal"][g],
                arrays[f"{name}_mean"][g],
                arrays[f"{name}_q10"][g],
                arrays[f"{name}_q50"][g],
                arrays[f"{name}_q90"][g],
                signed[name],
                name,
                meanings.get(name, "attribution"),
            )
            where = f" most at {segments[0]['where']} {unit}" if segments else ""
            width, height = figures.css_size(figure)
            methods.append(
                {
                    "name": name,
                    "meaning": meanings.get(name, "attribution"),
                    "figure": class_map_uri(plot),
                    "width": width,
                    "height": height,
                    "alt": f"Class {entry['name']}, {name}: the mean of {entry['count']} signals above its mean "
                    f"attribution as a colour strip, then the mean attribution with its 10 to 90 percent band;"
                    f" attribution{where}.",
                    "segments": segments,
                    "where": segments[0]["where"] if segments else None,
                    "top_positions": found["top_positions"][:5],
                    "error": found["max_quantile_error"],
                }
            )
        prototype = entry["prototype_row"]
        example = (
            _example(arrays, position[prototype], maps, signed, rate, figures.WIDTH) if prototype is not None else None
        )
        sections.append(
            {
                "name": entry["name"],
                "count": entry["count"],
                "methods": methods,
                "prototype_row": int(arrays["example_sample_index"][position[prototype]]) if example else None,
                "prototype": example,
                "agreement": {"maps": maps, "table": entry.get("agreement", [])},
                "unit": unit,
            }
        )
    return sections


def true_classes(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": g["name"], "count": g["count"], "correct": g.get("correct", 0)}
        for g in document["groups"]
        if g["by"] == "true"
    ]


def examples(arrays: dict[str, np.ndarray], document: dict[str, Any], rows: np.ndarray, why: str) -> list[dict]:
    """Figures of the example rows ``rows`` (output rows) with every map."""
    rate, maps = document.get("sampling_rate"), document["maps"]
    position = {int(row): i for i, row in enumerate(arrays["example_rows"])}
    signed = {name: is_signed(arrays[f"example_{name}"]) for name in maps}
    names = document["class_names"]
    shown = []
    for row in rows:
        i = position[int(row)]
        found = _example(arrays, i, maps, signed, rate)
        found.update(
            file_row=int(arrays["example_sample_index"][i]),
            margin=float(arrays["margin"][int(row)]),
            predicted=names[int(arrays["predicted"][int(row)])],
            true=names[int(arrays["labels"][int(row)])] if "labels" in arrays else None,
            why=why,
        )
        found["alt"] = f"Signal {found['file_row']} ({why}) above a colour strip per map: " + ", ".join(maps) + "."
        shown.append(found)
    return shown


def gallery(arrays: dict[str, np.ndarray], document: dict[str, Any], predicted: np.ndarray) -> list[dict[str, Any]]:
    """The first (plotted) rows, grouped by predicted class: the first ``GALLERY_PER_CLASS`` of each class
    (each group says how many of the class's first rows it shows)."""
    rows = [int(r) for r in arrays["example_rows"] if r < document.get("gallery", 16)]
    groups = []
    for k, name in enumerate(document["class_names"]):
        members = [r for r in rows if predicted[r] == k]
        chosen = members[:GALLERY_PER_CLASS]
        if chosen:
            items = examples(arrays, document, np.array(chosen), f"predicted {name}")
            groups.append({"name": name, "items": items, "of": len(members)})
    return groups


def gallery_caption(groups: list[dict[str, Any]], first: int) -> str:
    """What the gallery shows, truthfully: how many of the first rows, and how they were picked."""
    shown = sum(len(group["items"]) for group in groups)
    total = sum(group["of"] for group in groups)
    per_class = "; ".join(f"{group['name']}: {len(group['items'])} of {group['of']}" for group in groups)
    if shown == total:
        return f"All {total} of the run's first {first} signals (those --max-plots plots), each above its maps."
    return (
        f"{shown} of the run's first {first} signals (those --max-plots plots): the first {GALLERY_PER_CLASS} of "
        f"each predicted class ({per_class}), each above its maps."
    )


def evaluation_section(folder: Path, name: Path | None = None) -> dict[str, Any]:
    """The evaluate result's summary table, gates and mean curves."""
    path = folder / "evaluation.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        rows, curves = document["summary"], document["curves"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"--evaluation {folder}: no readable evaluation.json ({exc})", "give the --out folder of evaluate"
        ) from None
    mean_curves = {
        name: {kind: entry[kind]["mean_curve"] for kind in ("deletion", "insertion")}
        for name, entry in curves["maps"].items()
    }
    figure = figures.curves_figure(curves["fractions"], mean_curves, "target output")
    from .score_sections import score_tables, wave_sentences

    return {
        "score_tables": score_tables(document),
        "wave_sentences": wave_sentences(document),
        "folder": str(name or folder),
        "rows": rows,
        "gates": document.get("gates", []),
        "signals": len(document.get("signals", {}).get("targets", [])),
        "steps": document.get("parameters", {}).get("steps"),
        "baseline": document.get("parameters", {}).get("baseline"),
        "figure": figures.as_data_uri(figure),
        "size": figures.css_size(figure),
        "alt": "Mean deletion and insertion curves: "
        + "; ".join(
            f"{row['map']} deletion AUC {row['deletion_auc']:.3f}, insertion AUC {row['insertion_auc']:.3f}"
            for row in rows
        ),
    }


def _example(
    arrays: dict[str, np.ndarray],
    i: int,
    maps: list[str],
    signed: dict[str, bool],
    rate: float | None,
    width: float = figures.THUMBNAIL_WIDTH,
) -> dict[str, Any]:
    uri, (shown_width, shown_height) = figures.signal_maps_uri(
        arrays["example_signals"][i], {name: arrays[f"example_{name}"][i] for name in maps}, signed, rate, width
    )
    return {"figure": uri, "maps": maps, "width": shown_width, "height": shown_height}


def _span(segment: dict[str, float], rate: float | None) -> str:
    if rate:
        return f"{segment['start_s']:.3f}–{segment['stop_s']:.3f}"
    return f"{int(segment['start'])}–{int(segment['stop'])}"
