"""A renderer that passes every drawing call on to Agg and keeps what was drawn, for ``svg.py`` to write.

The PNG's draw of a figure's changing artists goes through :class:`Recorder`: Agg gets every call unchanged
(texts through ``glyphs.py``, the same pixels), and the recorder keeps the paths and tick marks (in pixels)
and each text with its place, font and anchor. What it cannot keep (mathtext, images, path collections, hatches,
clip paths other than rectangles) marks the recording failed, and the SVG is then made by matplotlib.
"""

from __future__ import annotations

from typing import Any


class Unsupported(Exception):
    """A drawing call this writer does not turn into SVG (the caller uses matplotlib's SVG instead)."""


def _gc_state(gc: Any) -> dict:
    if gc.get_hatch() is not None or gc.get_clip_path()[0] is not None or gc.get_url() is not None:
        raise Unsupported("hatch, clip path or link")
    clip = gc.get_clip_rectangle()
    return {
        "rgb": tuple(gc.get_rgb()),
        "alpha": gc.get_alpha(),
        "forced_alpha": gc.get_forced_alpha(),
        "linewidth": gc.get_linewidth(),
        "joinstyle": gc.get_joinstyle(),
        "capstyle": gc.get_capstyle(),
        "dashes": gc.get_dashes(),
        "clip": None if clip is None else tuple(clip.bounds),
    }


class Recorder:
    """A renderer that passes every call on to ``inner`` (an Agg renderer; ``forward=False``: to nothing) and
    records the paths, tick marks and texts drawn, in pixels, for :func:`svg_body`. Text measurements are
    the Agg renderer's (kept between figures: one recorder per canvas)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.forward = True
        self.ops: list[tuple] = []
        self.failed: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def start(self, forward: bool) -> None:
        self.forward, self.ops, self.failed = forward, [], None

    def mark(self, artist: Any) -> None:
        """An artist written by :func:`svg_body` itself (the trace, the colour bar's image) comes here."""
        self.ops.append(("artist", artist))

    def _fail(self, why: str) -> None:
        self.failed = self.failed or why

    def draw_path(self, gc, path, transform, rgbFace=None):
        try:
            self.ops.append(("path", _gc_state(gc), transform.transform(path.vertices), path.codes, rgbFace))
        except Unsupported as why:
            self._fail(str(why))
        if self.forward:
            self._inner.draw_path(gc, path, transform, rgbFace)

    def draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):
        try:
            marker = marker_trans.transform(marker_path.vertices)
            self.ops.append(("markers", _gc_state(gc), marker, marker_path.codes, trans.transform(path.vertices),
                             rgbFace))  # fmt: skip
        except Unsupported as why:
            self._fail(str(why))
        if self.forward:
            self._inner.draw_markers(gc, marker_path, marker_trans, path, trans, rgbFace)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            self._fail("mathtext")
        else:
            try:
                state = _gc_state(gc)
                anchor = None
                if mtext is not None and (angle == 0 or mtext.get_rotation_mode() == "anchor"):
                    anchor = (*mtext.get_transform().transform(mtext.get_unitless_position()), mtext.get_ha())
                font = (tuple(prop.get_family()), prop.get_size(), prop.get_style(), prop.get_variant(),
                        prop.get_weight(), prop.get_stretch())  # fmt: skip
                self.ops.append(("text", state, x, y, s, font, angle, anchor))
            except Unsupported as why:
                self._fail(str(why))
        if self.forward and not ismath:
            from .glyphs import draw_text

            draw_text(self._inner, gc, x, y, s, prop, angle, mtext)  # Agg's pixels, from kept layouts and glyphs
        elif self.forward:
            self._inner.draw_text(gc, x, y, s, prop, angle, ismath, mtext)

    def draw_path_collection(self, *args, **kwargs):
        self._fail("path collection")
        if self.forward:
            self._inner.draw_path_collection(*args, **kwargs)

    def draw_image(self, *args, **kwargs):
        self._fail("image")
        if self.forward:
            self._inner.draw_image(*args, **kwargs)

    def draw_gouraud_triangles(self, *args, **kwargs):
        self._fail("gouraud")
        if self.forward:
            self._inner.draw_gouraud_triangles(*args, **kwargs)

    def draw_quad_mesh(self, *args, **kwargs):
        self._fail("quad mesh")
        if self.forward:
            self._inner.draw_quad_mesh(*args, **kwargs)

    def draw_mathtext(self, *args, **kwargs):
        self._fail("mathtext")
        if self.forward:
            self._inner.draw_mathtext(*args, **kwargs)
