"""Figures saved many times with only some artists changed: the still parts are drawn once.

A run's per-signal plots share everything but the trace, the y axis, the title and the colour bar's scale
(the frame, the time axis and its ticks are the same in every one of them). Drawing all of it again for each
PNG cost about 45 ms a file; here the still parts are drawn once into an Agg buffer and copied back before
the changing artists are drawn over them (matplotlib's blitting), then the buffer is encoded directly. The
pixels are the same as a full draw's (the still artists never overlap the changing ones: the time axis'
ticks lie outside the panel, the trace inside it), which ``tests/plots/test_fast_plots.py`` checks.

The trace itself is drawn as one polyline per run of segments of the same colour rather than one path per
segment: the colour map has 256 entries, so neighbouring segments often share one, and a flat tail (the
zero padding of a beat) is a single path. SVG files gain the most (one ``<path>`` element per run).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def coloured_runs(points: np.ndarray, colours: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Polylines through ``points`` ``(L, 2)`` whose segments (``L - 1``, coloured ``colours`` ``(L - 1, 4)``)
    share one colour, and the colour of each: the same picture as one path per segment, in fewer paths."""
    if len(points) < 2:
        return [points], colours[:1]
    changes = np.flatnonzero(np.any(colours[1:] != colours[:-1], axis=1)) + 1
    starts = np.concatenate([[0], changes])
    stops = np.concatenate([changes, [len(colours)]])
    return [points[a : b + 1] for a, b in zip(starts, stops, strict=True)], colours[starts]


@contextlib.contextmanager
def _left_out(artists: Sequence[Any]) -> Iterator[None]:
    """The artists are skipped by a canvas draw (matplotlib's ``animated``), only while inside."""
    before = [artist.get_animated() for artist in artists]
    for artist in artists:
        artist.set_animated(True)
    try:
        yield
    finally:
        for artist, was in zip(artists, before, strict=True):
            artist.set_animated(was)


class StillFigure:
    """Writes PNGs of ``figure`` at ``dpi``, redrawing only ``changing`` (in the order given: the order a full
    draw would paint them) over the still parts, which are drawn once. The figure itself stays an ordinary
    one: ``savefig`` (SVG, or a reader's own use) draws every artist as usual."""

    def __init__(self, figure: Any, changing: Sequence[Any], dpi: int) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure, self.changing, self.dpi = figure, list(changing), dpi
        self.canvas = FigureCanvasAgg(figure)
        self.background: Any = None

    def save_png(self, path: Path) -> None:
        """Draw the changing artists over the still parts and write the PNG (zlib level 1, as ``save_figure``)."""
        from PIL import Image

        if self.figure.dpi != self.dpi:
            self.figure.set_dpi(self.dpi)
            self.background = None
        if self.background is None:
            with _left_out(self.changing):
                self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.changing:
            artist.draw(renderer)
        width, height = renderer.get_canvas_width_height()
        image = Image.frombuffer("RGBA", (int(width), int(height)), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image.save(path, format="png", compress_level=1, dpi=(self.dpi, self.dpi), pnginfo=_png_info())


def _png_info() -> Any:
    import matplotlib
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/")
    return info
