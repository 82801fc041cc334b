"""Agg's text drawing with its layouts and glyph bitmaps kept between figures: the same pixels, less work.

matplotlib's Agg renderer lays out every string again (``FT2Font._layout``) and renders every glyph again
through FreeType for each text it draws: about half of a per-signal PNG's time went there, for texts that
repeat from figure to figure (the tick labels, the axis and colour-bar labels, most of each title). Here
each string's layout is kept by its font, size and resolution, and each glyph's bitmap by its glyph, size,
angle and the sub-pixel part of its origin (FreeType renders a glyph moved by whole pixels into the same
bitmap, moved): the pixels are those ``RendererAgg.draw_text`` draws, which
``tests/plots/test_fast_plots.py`` checks against full draws. Used by the blitted PNGs (``still.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

LAYOUTS: dict[tuple, list[tuple]] = {}
GLYPHS: dict[tuple, tuple[np.ndarray, int, int]] = {}
LIMIT = 50_000
"""Entries kept in each cache before it is emptied (a run's texts need a few thousand)."""


def draw_text(renderer: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, mtext: Any = None) -> None:
    """``RendererAgg.draw_text(gc, x, y, s, prop, angle, ismath=False, mtext)``, from the caches."""
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.ft2font import RenderMode

    flags = get_hinting_flag()
    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    size = prop.get_size_in_points()
    dpi = renderer.dpi
    key = (prop, size, dpi, s, flags, _hashable(features), _hashable(language))
    glyphs = LAYOUTS.get(key)
    if glyphs is None:
        font = renderer._prepare_font(prop)
        glyphs = [(item.ft_object, item.glyph_index, item.x, item.y)
                  for item in font._layout(s, flags=flags, features=features, language=language)]  # fmt: skip
        if len(LAYOUTS) > LIMIT:
            LAYOUTS.clear()
        LAYOUTS[key] = glyphs
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    antialiased = bool(gc.get_antialiased())
    height = renderer.height
    agg = renderer._renderer
    matrix = None
    for font, index, dx, dy in glyphs:
        origin_x = round(0x40 * (x + dx * cos - dy * sin))
        origin_y = round(0x40 * (height - y + dx * sin + dy * cos))
        glyph_key = (id(font), font.fname, size, dpi, index, angle, antialiased, flags, origin_x & 63, origin_y & 63)
        found = GLYPHS.get(glyph_key)
        if found is None:
            if matrix is None:
                matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
            font.set_size(size, dpi)
            font._set_transform(matrix, [origin_x, origin_y])
            bitmap = font._render_glyph(index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
            buffer = np.array(bitmap.buffer, copy=True)
            if not antialiased:
                buffer *= 0xFF
            found = (buffer, bitmap.left - (origin_x >> 6), bitmap.top - (origin_y >> 6))
            if len(GLYPHS) > LIMIT:
                GLYPHS.clear()
            GLYPHS[glyph_key] = found
        buffer, left, top = found
        top += origin_y >> 6
        agg.draw_text_image(buffer, left + (origin_x >> 6), int(height) - top + buffer.shape[0], 0, gc)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
