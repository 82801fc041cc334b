"""Occlusion (window 15) on 32 and 256 ECG beats beside its floor, measured in the same run.

The floor is one compiled forward pass of the model over the same number of occluded copies (n × L),
at the best of several batch sizes, on copies that already exist: the model work occlusion cannot avoid.

    python benchmarks/bench_occlusion.py [--batch-size 512] [--repeats 3]
"""

from __future__ import annotations

import argparse

import numpy as np
from common import SAMPLE_MODEL, beats, best_of

from signalscreen_cli.methods.occlusion import Occlusion
from signalscreen_cli.model_files import load_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    adapter = load_model(SAMPLE_MODEL, batch_size=args.batch_size)
    method = Occlusion(sliding_window=(15,))
    print(f"{'signals':>8} {'copies':>8} {'occlusion s':>12} {'floor s':>9} {'ratio':>6}")
    for count in (32, 256):
        x = beats(count)
        targets = adapter.predict(x).argmax(axis=1)
        copies = np.repeat(x, x.shape[1], axis=0)
        elapsed = best_of(args.repeats, lambda x=x, targets=targets: method.attribute(adapter, x, targets))
        floor = min(
            best_of(args.repeats, lambda copies=copies, size=size: adapter.predict(copies, batch_size=size))
            for size in (512, 1024, 2048, 4096)
        )
        print(f"{count:>8} {len(copies):>8} {elapsed:>12.3f} {floor:>9.3f} {elapsed / floor:>6.2f}")


if __name__ == "__main__":
    main()
