"""``--output all``: each output head of a multi-output model explained into its own sub-folder.

Each head's folder is a complete, ordinary result (its manifest names the head), so the results reader,
``evaluate --from``, ``compare``, ``report`` and ``merge`` read it as they read any run; ``heads.json``
beside them lists the heads. The whole folder is staged and moved into place at once, like one run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UsageError
from ..outputs.staging import check_destination, safe_name, staged_output
from ..request import ExplainRequest, check_request
from .run import MemoryResult, Progress, RunResult, collect, run

HEADS_FILE = "heads.json"  # outputs/staging.py RESULT_FILES names it too (--overwrite)


@dataclass(frozen=True)
class HeadsResult:
    """One result per head, by head name, in the model's order.

    Attributes
    ----------
    out_dir : pathlib.Path or None
        The folder holding one sub-folder per head (``None`` in memory).
    heads : dict of str to RunResult or MemoryResult
        Each head's result.
    """

    out_dir: Path | None
    heads: dict[str, RunResult | MemoryResult]

    def __getitem__(self, head: str) -> RunResult | MemoryResult:
        return self.heads[head]


def head_names(request: ExplainRequest) -> list[str]:
    """The model's output heads, in order (loading it through the plan's cached spec)."""
    from .specs import model_spec

    return list(model_spec(replace(request, io=replace(request.io, output="0"))).load().heads)


def head_request(request: ExplainRequest, head: str, out_dir: Path) -> ExplainRequest:
    """The request of one head, by name (so its manifest names it)."""
    return replace(request, out_dir=out_dir, overwrite=False, io=replace(request.io, output=head))


def run_heads(request: ExplainRequest, progress: Progress | None = None) -> HeadsResult:
    """Explain every head into ``out_dir/<head>``; nothing is left behind if one fails."""
    check_request(request)
    if request.resume:
        raise UsageError("--resume and --output all contradict each other", "resume one head's folder with --output")
    check_destination(request.out_dir, request.overwrite)
    names = head_names(request)
    folders = {name: safe_name(name) for name in names}
    if len(set(folders.values())) < len(names):
        raise UsageError(f"the heads {', '.join(names)} do not make distinct folder names", "explain them one by one")
    done: dict[str, RunResult | MemoryResult] = {}
    with staged_output(request.out_dir, request.overwrite) as staging:
        for name in names:
            result = run(head_request(request, name, staging / folders[name]), progress)
            done[name] = RunResult(request.out_dir / folders[name], result.manifest)
        listing = {"tool": "signalscreen", "heads": {name: {"folder": folders[name]} for name in names}}
        (staging / HEADS_FILE).write_text(json.dumps(listing, indent=2), encoding="utf-8")
    return HeadsResult(request.out_dir, done)


def collect_heads(request: ExplainRequest, progress: Progress | None = None) -> HeadsResult:
    """Every head explained into memory."""
    check_request(request)
    names = head_names(request)
    return HeadsResult(
        None, {name: collect(head_request(request, name, request.out_dir), progress) for name in names}
    )

