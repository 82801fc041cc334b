"""``signalscreen methods``: every method in a few wrapped lines, or one method with its options in full."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from .common import out_console


def describe_all() -> list[dict[str, Any]]:
    """The built-in methods' descriptions, then each plugin's name and origin (plugins are not imported)."""
    from ..methods import builtin_methods, method_info, plugin_entries

    listed = [cls.describe() for cls in builtin_methods().values()]
    for name in plugin_entries():
        info = method_info(name)
        listed.append({"name": name, "source": info.source, "import_path": info.import_path})
    return listed


def _fill(text: str, width: int, **indents: str) -> str:
    """Wrapped at spaces only: a flag such as --band-scale is never split."""
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False, **indents)


def _width() -> int:
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))


def _own_flags(entry: dict[str, Any]) -> str:
    return ", ".join(p["flags"][0] for p in entry["parameters"] if p["panel"] != "Run") or "(none)"


def print_listing(listed: list[dict[str, Any]]) -> None:
    """Name and summary, then family, options and paper, each wrapped to the terminal."""
    width = _width()
    for entry in listed:
        if "source" in entry:
            summary, details = f"{entry['source']}: {entry['import_path']}", f"--param {entry['name']}.KEY=VALUE"
        else:
            summary = entry["summary"]
            details = f"{entry['family']}; options: {_own_flags(entry)}; {entry['paper']}"
        out_console.print(_fill(f"{entry['name']}: {summary}", width, subsequent_indent="  "), markup=False)
        out_console.print(_fill(details, width, initial_indent="  ", subsequent_indent="  "), markup=False)


def print_method(entry: dict[str, Any]) -> None:
    """One method: summary, paper, and each option's flags, default and help."""
    width = _width()
    if "source" in entry:
        out_console.print(f"{entry['name']}: {entry['source']} ({entry['import_path']})", markup=False)
        return
    out_console.print(_fill(f"{entry['name']}: {entry['summary']}.", width), markup=False)
    out_console.print(_fill(f"{entry['family']} method; {entry['paper']}.", width), markup=False)
    for parameter in entry["parameters"]:
        flags = ", ".join(parameter["flags"])
        default = parameter.get("default")
        if isinstance(default, list):
            default = ",".join(str(value) for value in default)
        shown = "" if default in (None, "") else f" [default: {default}]"
        out_console.print(f"\n  {flags}", markup=False)
        out_console.print(
            _fill(parameter["help"] + shown, width, initial_indent="      ", subsequent_indent="      "),
            markup=False,
        )
