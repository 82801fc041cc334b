"""One way to read any result in Python: its arrays, targets, maps and manifest, and a plot of one signal.

A file-backed ``RunResult``, an in-memory ``MemoryResult`` and an ``Explainer``'s ``Explanation`` all offer
it, so a notebook need not care which it holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class ResultAccess:
    """What every result offers; a subclass provides ``arrays``, ``manifest`` and ``signal(i)``."""

    arrays: dict[str, np.ndarray]
    manifest: dict[str, Any]

    def load(self) -> dict[str, np.ndarray]:
        """Every array of the result, in memory."""
        return self.arrays

    @property
    def targets(self) -> np.ndarray:
        """The class explained for each signal ``(n,)``, or the classes ``(K,)`` with ``target="all"``."""
        return self.arrays["targets"]

    @property
    def class_names(self) -> list[str]:
        return [str(name) for name in self.manifest.get("class_names") or []]

    @property
    def maps(self) -> list[str]:
        """The attribution maps over the signal's samples, in order."""
        kinds = {name: entry.get("kind") for name, entry in (self.manifest.get("arrays") or {}).items()}
        return [name for name, kind in kinds.items() if kind == "attribution" and not name.endswith("_raw")]

    def signal(self, i: int) -> np.ndarray:
        """Signal ``i`` as explained, ``(L, C)``."""
        raise NotImplementedError

    def plot(self, i: int, array: str | None = None, target: int | None = None) -> Figure:
        """Signal ``i`` coloured by ``array`` (default: the first map), titled with its class and the model's
        output for it; with ``target="all"``, ``target`` picks the class (default: the predicted one)."""
        from ..plots.labels import manifest_meanings, output_names
        from ..plots.traces import signal_figure

        if not self.maps:
            raise UsageError("the result holds no attribution map to plot")
        name = array or self.maps[0]
        if name not in self.arrays:
            raise UsageError(f"no array {name!r}", "maps: " + ", ".join(self.maps))
        predictions = self.arrays["predictions"][i]
        every_class = str((self.manifest.get("parameters") or {}).get("target", "auto")).partition("@")[0] == "all"
        chosen = int(predictions.argmax() if target is None else target) if every_class else int(self.targets[i])
        values = self.arrays[name][i, chosen] if every_class else self.arrays[name][i]
        label = self.class_names[chosen] if chosen < len(self.class_names) else str(chosen)
        activation = (self.manifest.get("model") or {}).get("output_activation")
        output = output_names(label, activation)[0]
        title = f"signal {i} · {name} · {output} = {float(predictions[chosen]):.3f}"
        rate = (self.manifest.get("parameters") or {}).get("sampling_rate")
        meaning = manifest_meanings(self.manifest, label).get(name, name)
        return signal_figure(self.signal(i), values, title, rate, meaning)
