"""The shape of an ``explain`` manifest, checked once when a result is opened, so that every reader
(``merge``, ``evaluate --from``, ``compare``, ``report``, the API) can trust the keys it reads: a manifest
with a key missing or of the wrong type is one error naming the key, never a ``KeyError`` deep inside."""

from __future__ import annotations

from typing import Any

NUMBER = (int, float)
TEXT_OR_NONE = (str, type(None))
REQUIRED: dict[str, dict[str, Any]] = {
    "model": {"path": str, "sha256": TEXT_OR_NONE},
    "data": {"path": str, "sha256": TEXT_OR_NONE, "signals": int},
}
OPTIONAL: dict[str, Any] = {
    "manifest_version": int,
    "class_names": list,
    "shard": (list, type(None)),
    "timings_s": dict,
    "methods": dict,
    "integrity": dict,
    "executor": dict,
    "versions": dict,
    "command": list,
}
OPTIONAL_IN = {
    "model": {"input_shape": list, "n_outputs": int, "output_activation": TEXT_OR_NONE, "logit_path": TEXT_OR_NONE},
    "data": {"rows_in_file": int, "row_shape": list},
}


def manifest_problem(manifest: Any) -> str | None:
    """What is wrong with ``manifest`` (the first thing found), or ``None``."""
    if not isinstance(manifest, dict):
        return "it is not a table"
    for key in ("model", "data", "parameters", "arrays"):
        if not isinstance(manifest.get(key), dict):
            return f"{key} is not a table"
    for part, fields in REQUIRED.items():
        for name, kind in fields.items():
            if not _is(manifest[part].get(name, KeyError), kind):
                return f"{part}.{name} is missing or not {_name(kind)}"
    for part, fields in OPTIONAL_IN.items():
        for name, kind in fields.items():
            if name in manifest[part] and not _is(manifest[part][name], kind):
                return f"{part}.{name} is not {_name(kind)}"
    for name, kind in OPTIONAL.items():
        if name in manifest and not _is(manifest[name], kind):
            return f"{name} is not {_name(kind)}"
    if manifest["data"]["signals"] < 0:
        return "data.signals is negative"
    if not all(isinstance(name, str) for name in manifest.get("class_names") or []):
        return "class_names holds something other than names"
    shard = manifest.get("shard")
    if shard is not None and (len(shard) != 2 or not all(_is(k, int) and k > 0 for k in shard)):
        return "shard is not [K, N]"
    if not all(_is(seconds, NUMBER) for seconds in (manifest.get("timings_s") or {}).values()):
        return "timings_s holds something other than seconds"
    return _arrays_problem(manifest["arrays"]) or _integrity_problem(manifest.get("integrity"))


def _arrays_problem(arrays: dict[str, Any]) -> str | None:
    for name, entry in arrays.items():
        where = f"arrays.{name}"
        if not isinstance(entry, dict):
            return f"{where} is not a table"
        if not isinstance(entry.get("kind"), str):
            return f"{where}.kind is missing or not text"
        shape = entry.get("shape")
        if not isinstance(shape, list) or not shape or not all(_is(n, int) and n >= 0 for n in shape):
            return f"{where}.shape is missing or not a list of sizes"
        if not _is(entry.get("method"), TEXT_OR_NONE):
            return f"{where}.method is not a method name"
        if not _is(entry.get("parameters"), (dict, type(None))):
            return f"{where}.parameters is not a table"
        if "summary" in entry and not (
            isinstance(entry["summary"], dict) and all(_is(v, NUMBER) for v in entry["summary"].values())
        ):
            return f"{where}.summary is not a table of numbers"
    return None


def _integrity_problem(table: Any) -> str | None:
    if table is None:
        return None
    if not isinstance(table.get("arrays"), dict):
        return "integrity.arrays is not a table"
    for name, entry in table["arrays"].items():
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("dtype"), str)
            and isinstance(entry.get("shape"), list)
        ):
            return f"integrity.arrays.{name} is not a SHA-256, dtype and shape"
    return None


def _is(value: Any, kind: Any) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:  # True is an int to Python, not to a manifest
        return False
    return isinstance(value, kinds)


def _name(kind: Any) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a table"}
    return " or ".join(words.get(k, "null") for k in kinds)
