"""What a run did that its reader should be told at the end of ``explain``: the layer each CAM method used
(and why), and integrated gradients that did not converge."""

from __future__ import annotations

from typing import Any


def run_notes(manifest: dict[str, Any]) -> list[str]:
    """Lines for the terminal summary, from the manifest alone."""
    notes = []
    for name, entry in (manifest.get("methods") or {}).items():
        if entry.get("layer_used"):
            notes.append(f"  {name} used layer {entry['layer_used']!r}: {entry.get('layer_why', '')}")
    warning = ig_warning(manifest)
    if warning:
        notes.append(f"Warning: {warning}")
    return notes


def ig_warning(manifest: dict[str, Any]) -> str | None:
    """Integrated gradients' completeness gap above the tolerance after the last refinement, in words."""
    gap = (manifest.get("arrays") or {}).get("integrated_gradients_delta", {}).get("summary")
    settings = (manifest.get("methods") or {}).get("integrated_gradients", {})
    tolerance = settings.get("tolerance")
    if not gap or tolerance is None or gap["max"] <= tolerance:
        return None
    return (
        f"integrated gradients did not converge: completeness gap up to {gap['max']:.3g} (mean {gap['mean']:.3g}) "
        f"above the tolerance {tolerance:g} on some signals, even after refining to {settings.get('max_steps')} "
        "nodes; its maps there do not add up to the output change (integrated_gradients_delta has each signal's gap)"
    )
