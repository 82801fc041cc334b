"""Text layouts kept between figures while they are drawn: each text's lines laid out once per string and style.

matplotlib lays a text out (``Text._get_layout``: its lines' sizes and offsets from its anchor) every time the
text is measured or drawn, twice per tick label and figure (its box, then its drawing). The layout does not
depend on where the text is, only on the string, the font, the alignment, the rotation, the line spacing and
the renderer's resolution, and the tick labels, axis labels and colour-bar labels of a run's figures repeat:
inside :func:`kept_layouts` a layout is computed once for each of those and reused. Texts that wrap or use
TeX are laid out as usual.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

KEPT: dict[tuple, Any] = {}
LIMIT = 20_000
_depth = 0


def _key(text: Any, renderer: Any) -> tuple | None:
    if text.get_wrap() or text.get_usetex():
        return None
    return (type(renderer), getattr(renderer, "dpi", None), text.get_figure(root=True).dpi, text.get_text(),
            text.get_fontproperties(), text.get_rotation(), text.get_rotation_mode(), text.get_linespacing(),
            text._get_multialignment(), text.get_horizontalalignment(), text.get_verticalalignment())  # fmt: skip


@contextlib.contextmanager
def kept_layouts() -> Iterator[None]:
    """Inside, ``Text._get_layout`` answers from :data:`KEPT` where it can (nested uses are fine)."""
    global _depth
    from matplotlib.text import Text

    if _depth:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    original = Text._get_layout

    def layout(self: Any, renderer: Any) -> Any:
        key = _key(self, renderer)
        if key is None:
            return original(self, renderer)
        found = KEPT.get(key)
        if found is None:
            found = original(self, renderer)
            if len(KEPT) > LIMIT:
                KEPT.clear()
            KEPT[(*key[:4], key[4].copy(), *key[5:])] = found
        bbox, lines, box = found
        return bbox.frozen(), lines, box

    Text._get_layout = layout
    _depth = 1
    try:
        yield
    finally:
        _depth = 0
        Text._get_layout = original
