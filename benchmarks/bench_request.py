"""What the request made of specs costs per call, beside floors measured in the same run.

Three ratios: building an ``ExplainRequest`` from flat keywords (``explain_request``, as the Python API
does) against building its five specs directly; reading a field by its flat name (``request.segment``)
against reading it from its spec (``request.reading.segment``); recording the request for the manifest
(``request_parameters``) against ``dataclasses.asdict`` of the same specs. Each is the best of rounds of
many calls (these are microseconds: one call is too short to time).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from common import best_of

from signalscreen_cli.outputs.provenance import request_parameters
from signalscreen_cli.request import (
    AttributionSpec,
    ExecutionSpec,
    ExplainRequest,
    LoadingSpec,
    ReadingSpec,
    WritingSpec,
    explain_request,
)

MODEL, DATA, OUT = Path("model.keras"), Path("beats.npy"), Path("out")
FLAT = ("samples", "segment", "hop", "plots", "formats", "methods", "options", "dask", "io", "chunk_size")


def specs_directly() -> tuple[object, ...]:
    return (
        ReadingSpec(DATA, samples="0:32"),
        LoadingSpec(MODEL),
        AttributionSpec(options={"sliding_window": (15,)}),
        WritingSpec(OUT, plots=False),
        ExecutionSpec(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per timed round")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    request = explain_request(MODEL, DATA, OUT, window=15, samples="0:32", plots=False)
    assert request == ExplainRequest(**dict(zip(ExplainRequest.SPECS, specs_directly(), strict=True)))
    owners = {name: spec for spec, kind in ExplainRequest.SPECS.items() for name in kind.__dataclass_fields__}

    def rounds(call: object) -> float:
        return best_of(args.repeats, lambda: [call() for _ in range(args.calls)]) / args.calls  # type: ignore[operator]

    pairs = {
        "build (explain_request / the specs)": (
            lambda: explain_request(MODEL, DATA, OUT, window=15, samples="0:32", plots=False),
            specs_directly,
        ),
        "read 10 fields (flat / from the spec)": (
            lambda: [getattr(request, name) for name in FLAT],
            lambda: [getattr(getattr(request, owners[name]), name) for name in FLAT],
        ),
        "record (request_parameters / asdict)": (
            lambda: request_parameters(request),
            lambda: [dataclasses.asdict(getattr(request, spec)) for spec in ExplainRequest.SPECS],
        ),
    }
    print(f"best of {args.repeats} rounds of {args.calls} calls")
    print(f"{'what':<40} {'call us':>8} {'floor us':>9} {'ratio':>6}")
    for name, (call, floor) in pairs.items():
        measured, base = rounds(call), rounds(floor)
        print(f"{name:<40} {1e6 * measured:>8.2f} {1e6 * base:>9.2f} {measured / base:>6.2f}")


if __name__ == "__main__":
    main()
