"""The plot keeper: figures of the first signals of a run, coloured by their attribution."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import interrupts
from ..outputs.staging import safe_name
from ..plots.labels import manifest_meanings, output_names, reading_units
from ..plots.overview import overview_figure
from ..plots.spectral import band_figure, time_frequency_figure
from ..plots.traces import SignalPlot, is_signed, save_figure, track_figure
from ..records import RunRecord, writing
from ..request import ExplainRequest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..records import ChunkResult
    from .table import RunOutputs


class PlotKeeper:
    """Plots of the first ``request.max_plots`` signals, whose arrays it keeps while the rest streams past;
    drawn into ``folder`` when closed."""

    MAX_PAGES = 20

    def __init__(self, folder: Path, request: ExplainRequest, channel_names: list[str] | None = None) -> None:
        self.folder = folder
        self.request = request
        self.channel_names = channel_names
        self.limit = request.max_plots
        self.signals: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.arrays: dict[str, list[np.ndarray]] = {}
        self.manifest: dict = {}

    @property
    def rows_needed(self) -> int:
        return self.limit

    def write(self, start: int, chunk: ChunkResult) -> None:
        self.add(chunk.signals, chunk.arrays, chunk.rows)

    def close(self, record: RunRecord) -> None:
        from ..plots.quiet_gc import old_objects_frozen

        self.manifest = record.manifest  # what each map means, and the channels' units, for the labels
        with writing(self.folder / "plots"), old_objects_frozen():
            self.draw(self.folder, record.kinds, self.request, record.class_names)

    def add(self, x: np.ndarray, arrays: dict[str, np.ndarray], index: np.ndarray) -> None:
        room = self.limit - sum(len(part) for part in self.signals)
        if room <= 0:
            return
        self.signals.append(x[:room])
        self.rows.append(index[:room])
        for name, values in arrays.items():
            self.arrays.setdefault(name, []).append(np.asarray(values[:room]))

    def draw(self, folder: Path, kinds: dict[str, str], request: ExplainRequest, names: list[str]) -> None:
        """``plots/`` and ``overview.png`` (segment mode: paged tracks, no overview)."""
        (folder / "plots").mkdir()
        if not self.signals:
            return
        signals = np.concatenate(self.signals)
        rows = np.concatenate(self.rows)
        arrays = {name: np.concatenate(parts) for name, parts in self.arrays.items()}
        maps = {
            name: arrays[name] for name, kind in kinds.items() if kind == "attribution" and not name.endswith("_raw")
        }
        if request.segment:
            self._write_pages(folder / "plots", signals, rows, maps, request)
            return
        every_class = request.parsed_target.every_class
        spectral = {name: kind for name, kind in kinds.items() if kind in ("band", "time_frequency")}
        signed = {name: is_signed(arrays[name]) for name in [*maps, *spectral]}
        targets = np.arange(len(names)) if every_class else arrays["targets"]
        units = reading_units(self.manifest)
        meanings = {int(k): manifest_meanings(self.manifest, names[int(k)]) for k in np.unique(targets)}
        plot = SignalPlot(signals.shape[1], signals.shape[2], request.sampling_rate, self.channel_names, units)
        for i, row in enumerate(rows):
            classes = targets if every_class else targets[i : i + 1]
            for name in [*maps, *spectral]:
                for position, target in enumerate(classes):
                    attribution = arrays[name][i, position] if every_class else arrays[name][i]
                    output = float(arrays["predictions"][i, target])
                    activation = (self.manifest.get("model") or {}).get("output_activation")
                    said = output_names(names[target], activation)[0]  # P(N) for a probability head
                    title = f"row {row} · {name} · target {names[target]} ({said} = {output:.3f})"
                    stem = f"{row}_{name}" + (f"_{safe_name(names[target])}" if every_class else "")
                    interrupts.check()
                    if name in spectral:
                        label = meanings[int(target)].get(name, name)
                        figure = self._spectral(name, spectral[name], signals[i], attribution, arrays, i, title, label)
                        for extension in request.formats:
                            save_figure(figure, folder / "plots" / f"{stem}.{extension}", 110)
                    else:
                        label = meanings[int(target)].get(name, name)
                        plot.draw(signals[i], attribution, title, label, signed[name])
                        for extension in request.formats:
                            plot.save(folder / "plots" / f"{stem}.{extension}")
        if not maps:
            return
        shown = arrays["predictions"].argmax(axis=1) if every_class else targets
        picked = {name: values[np.arange(len(rows)), shown] if every_class else values for name, values in maps.items()}
        labels = [f"row {int(r)} ({names[int(t)]})" for r, t in zip(rows, shown, strict=True)]
        # one target for every row: its name; several: "the target" (each row's, named in its label)
        shown_classes = np.unique(shown)
        column_target = names[int(shown_classes[0])] if len(shown_classes) == 1 else "target"
        overview = overview_figure(
            signals,
            picked,
            labels,
            signed,
            request.sampling_rate,
            manifest_meanings(self.manifest, column_target),
            units[0] if units else None,
        )
        for extension in request.formats:
            save_figure(overview, folder / f"overview.{extension}", 90)

    def _spectral(
        self,
        name: str,
        kind: str,
        signal: np.ndarray,
        values: np.ndarray,
        arrays: dict[str, np.ndarray],
        i: int,
        title: str,
        label: str,
    ) -> Figure:
        """The band or time-frequency figure of one signal, on the axes its method stored beside the map."""
        rate, signed = self.request.sampling_rate, is_signed(arrays[name])
        if kind == "band":
            return band_figure(
                signal, values, arrays[f"{name}_edges"][i], title, rate, label, signed, self.channel_names
            )
        frequencies, times = arrays[f"{name}_frequencies"][i], arrays[f"{name}_times"][i]
        return time_frequency_figure(signal, values, frequencies, times, title, rate, label, signed)

    def _write_pages(
        self,
        folder: Path,
        recordings: np.ndarray,
        rows: np.ndarray,
        maps: dict[str, np.ndarray],
        request: ExplainRequest,
    ) -> None:
        assert request.segment is not None
        page = int(10 * request.sampling_rate) if request.sampling_rate else 4 * request.segment
        total = recordings.shape[1]
        starts = range(0, total, page)
        meanings, units = manifest_meanings(self.manifest, "target"), reading_units(self.manifest)
        for i, row in enumerate(rows):
            for name, values in maps.items():
                signed = is_signed(values)
                for number, start in enumerate(starts[: self.MAX_PAGES], start=1):
                    stop = min(start + page, total)
                    title = (
                        f"row {row} · {name} · windows of {request.segment} every {request.hop or request.segment}"
                        f" · page {number} of {len(starts)}"
                        + (
                            f" (first {self.MAX_PAGES} plotted; the arrays hold it all)"
                            if len(starts) > self.MAX_PAGES
                            else ""
                        )
                    )
                    interrupts.check()
                    figure = track_figure(
                        recordings[i, start:stop],
                        values[i, start:stop],
                        start,
                        title,
                        request.sampling_rate,
                        meanings.get(name, name),
                        signed,
                        units,
                    )
                    for extension in request.formats:
                        save_figure(figure, folder / f"{row}_{name}_page{number}.{extension}", 100)


def for_run(run: RunOutputs) -> PlotKeeper:
    from dataclasses import replace

    windows = replace(run.request, segment=run.plan.segment, hop=run.plan.hop)  # in samples, as the plan cut them
    return PlotKeeper(run.folder, windows, run.plan.reading.get("channels"))
