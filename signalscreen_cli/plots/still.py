"""Figures saved many times with only some artists changed: the still parts are drawn once.

A run's per-signal plots share everything but the trace, the y axis, the title and the colour bar's scale
(the frame, the time axis and its ticks are the same in every one of them). Drawing all of it again for each
PNG cost about 45 ms a file; here the still parts are drawn once into an Agg buffer and copied back before
the changing artists are drawn over them (matplotlib's blitting), then the buffer is encoded directly. The
pixels are the same as a full draw's, which ``tests/plots/test_fast_plots.py`` checks: the changing artists
are redrawn in a full draw's order, with whatever a full draw paints over them (the frames the trace's ends
touch), and the still ones (the time axis' ticks, outside the panel) never overlap them.

SVG has no buffer to copy back: there the still parts' document is made once and the changing artists'
drawing, made alone, is spliced in after them (:func:`splice_svg`); ``tests/plots/test_fast_plots.py`` checks
that the result draws every element a full save draws.

The trace itself is drawn as one polyline per run of segments of the same colour rather than one path per
segment: the colour map has 256 entries, so neighbouring segments often share one, and a flat tail (the
zero padding of a beat) is a single path. SVG files gain the most (one ``<path>`` element per run).
"""

from __future__ import annotations

import contextlib
import re
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
    """Writes PNGs and SVGs of ``figure`` at ``dpi``, drawing only ``changing`` (in the order given: the order
    a full draw would paint them) over the still parts, which are drawn once. The figure itself stays an
    ordinary one: ``savefig`` (a reader's own use) draws every artist as usual."""

    def __init__(
        self, figure: Any, changing: Sequence[Any], dpi: int, svg_style: dict | None = None, direct_svg: bool = False
    ) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure, self.changing, self.dpi = figure, list(changing), dpi
        # SVGs written from the recorded drawing of the changing artists (``svg.py``), not by a second save
        self.direct_svg = direct_svg
        self.recorder: Any = None
        self.recording: list | None = None  # what the last draw of the changing artists drew, until changed()
        self.image_svg: dict[Any, tuple[str, list[str]]] = {}
        # rc settings an SVG is drawn in (the report's: tick labels made while drawing take their size from it)
        self.svg_style = {"svg.fonttype": "none", "svg.hashsalt": "signalscreen", **(svg_style or {})}
        self.canvas = FigureCanvasAgg(figure)
        self.background: Any = None
        self.still_svg: str | None = None

    def save_png(self, path: Path) -> None:
        """Draw the changing artists over the still parts and write the PNG (``png.write_png``)."""
        from .layouts import kept_layouts

        with kept_layouts():
            self._save_png(path)

    def _save_png(self, path: Path) -> None:
        from .png import write_png

        self._set_dpi()
        if self.background is None:
            with _left_out(self.changing):
                self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        if self.direct_svg:
            self._record(renderer, forward=True)
        else:
            for artist in self.changing:
                artist.draw(renderer)
        write_png(path, self.canvas.buffer_rgba(), self.dpi)

    def changed(self) -> None:
        """The changing artists were changed: the next SVG records their drawing again."""
        self.recording = None

    def _set_dpi(self) -> None:
        if self.figure.dpi != self.dpi:
            self.figure.set_dpi(self.dpi)
            self.background = None

    def _record(self, renderer: Any, forward: bool) -> None:
        """Draw the changing artists through a :class:`svg.Recorder` (into Agg too where ``forward``); the
        trace and the images are drawn by Agg alone and written by ``svg.py`` from the artists."""
        from matplotlib.collections import LineCollection
        from matplotlib.image import AxesImage

        from .recorder import Recorder

        if self.recorder is None or self.recorder._inner is not renderer:
            self.recorder = Recorder(renderer)  # one per renderer: its text measurements are kept
        recorder = self.recorder
        recorder.start(forward)
        for artist in self.changing:
            if isinstance(artist, (LineCollection, AxesImage)):
                if artist.get_visible():
                    recorder.mark(artist)
                    if forward:
                        artist.draw(renderer)
            else:
                artist.draw(recorder)
        self.recording = None if recorder.failed else recorder.ops

    def save_svg(self, path: Path) -> None:
        """Write the SVG of :meth:`svg`."""
        path.write_text(self.svg(), encoding="utf-8")

    def svg(self) -> str:
        """The SVG: the still parts' document, made once, with the changing artists' drawing spliced in after
        them (the order of the blitted PNG; see :func:`splice_svg`)."""
        from .layouts import kept_layouts

        with kept_layouts():
            return self._spliced_svg()

    def _spliced_svg(self) -> str:
        if self.still_svg is None:
            with _left_out_of_svg(self.changing):
                self.still_svg = self._svg()
        if self.direct_svg:
            written = self._direct_svg()
            if written is not None:
                return written
        with _left_out_of_svg(self._still_artists()):
            moving = self._svg()
        return splice_svg(self.still_svg, moving)

    def _direct_svg(self) -> str | None:
        """The still parts' document with the recorded drawing written in (``svg.py``); ``None`` where the
        drawing has something that writer does not write."""
        from .recorder import Unsupported
        from .svg import Clips, Page, svg_body

        if self.recording is None:
            self._set_dpi()
            self._record(self.canvas.get_renderer(), forward=False)
            if self.recording is None:
                return None
        page = Page(self.figure.dpi, self.figure.bbox.height)
        clips, image_clips = Clips(page, "ssc"), []

        def image(artist: Any) -> str:
            element, defs = self._image_svg(artist)
            image_clips.extend(defs)
            return element

        try:
            body = svg_body(self.recording, page, clips, image)
        except Unsupported:
            return None
        assert self.still_svg is not None
        opening = '<g id="figure_1">'
        head, _, still_body = self.still_svg.partition(opening)
        still_body, still_tail = _split_at_last_group_end(still_body)
        found = {match.group(1): match.group(0) for match in CLIP.finditer(still_tail)}
        for definition in image_clips:
            match = CLIP.match(definition)
            if match:
                found.setdefault(match.group(1), definition)
        definitions = [*found.values(), *clips.defs()]
        defs = "\n <defs>\n  " + "\n  ".join(definitions) + "\n </defs>" if definitions else ""
        return f'{head}{opening}{still_body}\n  <g id="changing">\n  {body}\n  </g>\n </g>{defs}\n</svg>\n'

    def _image_svg(self, artist: Any) -> tuple[str, list[str]]:
        """An image's SVG element as matplotlib writes it, and its clip paths: made once per colour map (the
        colour bar's image fills its axes whatever the scale, so only its colours change)."""
        key = (id(artist), artist.get_cmap().name, artist.get_array().shape)
        if key not in self.image_svg:
            others = [a for a in [*self._still_artists(), *self.changing] if a is not artist]
            with _left_out_of_svg(others):
                alone = self._svg()
            body, tail = _split_at_last_group_end(alone.partition('<g id="figure_1">')[2])
            match = re.search(r"<image .*?/>", body, re.DOTALL)
            if match is None:
                raise RuntimeError("matplotlib wrote no <image> for the colour bar")
            clip = re.search(r'<g clip-path="url\(#(\w+)\)">\s*$', body[: match.start()])
            element = match.group(0).replace('id="', 'id="bar_')
            if clip:
                element = f'<g clip-path="url(#{clip.group(1)})">\n    {element}\n   </g>'
            self.image_svg[key] = (element, [m.group(0) for m in CLIP.finditer(tail)])
        return self.image_svg[key]

    def _svg(self) -> str:
        import io

        import matplotlib

        buffer = io.StringIO()
        with matplotlib.rc_context(self.svg_style):
            self.figure.savefig(buffer, format="svg", dpi=self.dpi, metadata={"Date": None})
        return buffer.getvalue()

    def _still_artists(self) -> list[Any]:
        """Every artist a figure draws directly that is not changing: the figure's and each axes' background,
        and each axes' children (frames, the time axis, empty titles) outside ``changing``."""
        changing = {id(artist) for artist in self.changing}
        found = [self.figure.patch]
        for axes in self.figure.axes:
            found += [child for child in [axes.patch, *axes.get_children()] if id(child) not in changing]
        return found


GROUP_ID = re.compile(r'id="([A-Za-z][\w.]*_\d+)"')
"""matplotlib's numbered group ids (``axes_1``, ``line2d_3``); its hashed ids (clip paths, markers) have no ``_``."""
CLIP = re.compile(r"<clipPath id=\"(\w+)\">.*?</clipPath>", re.DOTALL)


def splice_svg(still: str, moving: str) -> str:
    """One SVG document from two that matplotlib wrote of the same figure, one with only the still artists
    and one with only the changing ones: the still drawing, then the moving one (its group ids renamed, so
    every id stays unique), then the clip paths of both. Both documents have matplotlib's shape: a header,
    ``<g id="figure_1">`` holding every drawn artist, then the clip paths' ``<defs>``, then ``</svg>``."""
    opening = '<g id="figure_1">'
    head, _, still_body = still.partition(opening)
    still_body, still_tail = _split_at_last_group_end(still_body)
    moving_body, moving_tail = _split_at_last_group_end(moving.partition(opening)[2])
    moving_body = GROUP_ID.sub(lambda match: f'id="{match.group(1)}_moving"', moving_body)
    clips: dict[str, str] = {}
    for tail in (still_tail, moving_tail):
        for match in CLIP.finditer(tail):
            clips.setdefault(match.group(1), match.group(0))
    defs = "\n <defs>\n  " + "\n  ".join(clips.values()) + "\n </defs>" if clips else ""
    return f"{head}{opening}{still_body}{moving_body}</g>{defs}\n</svg>\n"


def _split_at_last_group_end(body: str) -> tuple[str, str]:
    """The figure group's content and what follows its closing tag (the last ``</g>`` of the document)."""
    end = body.rfind("</g>")
    return body[:end], body[end + len("</g>") :]


@contextlib.contextmanager
def _left_out_of_svg(artists: Sequence[Any]) -> Iterator[None]:
    """The artists are not drawn (invisible) while inside; a saved figure draws animated artists too."""
    before = [artist.get_visible() for artist in artists]
    for artist in artists:
        artist.set_visible(False)
    try:
        yield
    finally:
        for artist, was in zip(artists, before, strict=True):
            artist.set_visible(was)
