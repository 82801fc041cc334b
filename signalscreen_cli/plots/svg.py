"""The changing part of a per-signal SVG written as text from the drawing the PNG makes, not by a second save.

A per-signal SVG drawn by matplotlib's SVG backend took about 19 ms, most of it laying out the same ticks and
texts again (the SVG renderer is new for every file, so none of its text measurements are reused) and
writing one styled path per coloured run through its generic path-collection code. Here the PNG's own draw
of the changing artists goes through ``recorder.Recorder``, which passes every call on to Agg unchanged (the
PNG's pixels are the same) and keeps what was drawn: the tick marks and frames as paths in pixels, each text
with its place, font and anchor. :func:`svg_body` writes those as SVG elements in matplotlib's own form
(points at 72 per inch, y downwards, the same styles and text anchors), with the trace written from its
``LineCollection`` and the colour bar's image, the same for every signal of one colour map, made once by
matplotlib. Anything else (mathtext, hatches, clip paths other than rectangles) is not written here: the
caller falls back to the spliced matplotlib SVG (``still.py``). ``tests/plots/test_direct_svg.py`` checks
the result against a full matplotlib save, element by element and rendered in Chromium.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

from .recorder import Unsupported


def _number(value: float) -> str:
    """matplotlib's SVG number: ``%f`` without trailing zeros."""
    return f"{value:f}".rstrip("0").rstrip(".")


def _hex(rgb: Any) -> str:
    from matplotlib.colors import rgb2hex

    return rgb2hex(rgb[:3] if len(rgb) > 3 else rgb)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@functools.lru_cache(maxsize=64)
def _font_style(family: tuple[str, ...], size: float, style: str, variant: str, weight: Any, stretch: Any) -> dict:
    """The CSS matplotlib's SVG backend writes for a font (``svg.fonttype: none``), without the colour."""
    from matplotlib import font_manager as fm

    css: dict[str, str] = {}
    if style != "normal":
        css["font-style"] = style
    if variant != "normal":
        css["font-variant"] = variant
    weight = fm.weight_dict.get(weight, weight)
    if weight != 400:
        css["font-weight"] = f"{weight}"

    def sans(name: str) -> str:
        return "sans-serif" if name in ("sans", "sans serif") else name

    names = []
    for entry in family:
        entry = sans(entry)
        if entry in fm.font_family_aliases:
            names += [sans(name) for name in fm.FontManager._expand_aliases(entry)]
        names.append(entry)
    css["font-size"] = f"{_number(size)}px"
    css["font-family"] = ", ".join(dict.fromkeys(n if n in fm.font_family_aliases else repr(n) for n in names))
    if stretch != "normal":
        css["font-stretch"] = stretch
    return css


def _css(attributes: dict[str, str]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in attributes.items())


def _line_style(state: dict, fill: Any) -> str:
    """matplotlib's SVG style of a stroked (and maybe filled) path."""
    css: dict[str, str] = {}
    if fill is None:
        css["fill"] = "none"
    else:
        if tuple(fill[:3]) != (0, 0, 0):
            css["fill"] = _hex(fill)
        if len(fill) == 4 and fill[3] != 1.0 and not state["forced_alpha"]:
            css["fill-opacity"] = _number(fill[3])
    if state["forced_alpha"] and state["alpha"] != 1.0:
        css["opacity"] = _number(state["alpha"])
    offset, sequence = state["dashes"]
    if sequence is not None:
        css["stroke-dasharray"] = ",".join(_number(v) for v in sequence)
        css["stroke-dashoffset"] = _number(float(offset))
    if state["linewidth"]:
        rgb = state["rgb"]
        css["stroke"] = _hex(rgb)
        if not state["forced_alpha"] and rgb[3] != 1.0:
            css["stroke-opacity"] = _number(rgb[3])
        if state["linewidth"] != 1.0:
            css["stroke-width"] = _number(state["linewidth"])
        if state["joinstyle"] != "round":
            css["stroke-linejoin"] = state["joinstyle"]
        if state["capstyle"] != "butt":
            css["stroke-linecap"] = {"projecting": "square"}.get(state["capstyle"], state["capstyle"])
    return _css(css)


class Page:
    """Pixels (y up, ``dpi``) to the SVG's points (y down) of a figure ``height`` pixels high."""

    def __init__(self, dpi: float, height: float) -> None:
        self.scale, self.height = 72.0 / dpi, height * 72.0 / dpi

    def points(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, float) * self.scale
        return np.column_stack([xy[:, 0], self.height - xy[:, 1]])

    def path(self, xy: np.ndarray, codes: np.ndarray | None) -> str:
        """An SVG path's ``d`` of vertices already in points (MOVETO, LINETO and CLOSEPOLY only)."""
        words = []
        for i, (x, y) in enumerate(xy):
            code = (1 if i == 0 else 2) if codes is None else int(codes[i])
            if code == 0:
                break
            if code == 79:
                words.append("z")
            elif code in (1, 2):
                words.append(f"{'M' if code == 1 else 'L'} {_number(x)} {_number(y)}")
            else:
                raise Unsupported("curve")
        return " \n".join(words) + " \n"


class Clips:
    """The clip rectangles (in pixels) the body uses, each once in the document's ``<defs>``."""

    def __init__(self, page: Page, prefix: str) -> None:
        self.page, self.prefix, self.ids = page, prefix, {}

    def attribute(self, bounds: tuple | None) -> str:
        if bounds is None:
            return ""
        key = tuple(round(v, 6) for v in bounds)
        if key not in self.ids:
            self.ids[key] = f"{self.prefix}{len(self.ids) + 1}"
        return f' clip-path="url(#{self.ids[key]})"'

    def defs(self) -> list[str]:
        found = []
        for (x, y, width, height), name in self.ids.items():
            s = self.page.scale
            top = self.page.height - (y + height) * s
            found.append(f'<clipPath id="{name}">\n   <rect x="{_number(x * s)}" y="{_number(top)}" '
                         f'width="{_number(width * s)}" height="{_number(height * s)}"/>\n  </clipPath>')  # fmt: skip
        return found


def _text(op: tuple, page: Page, clips: Clips) -> str:
    _, state, x, y, s, font, angle, anchor = op
    css = dict(_font_style(*font))
    colour = {}
    if _hex(state["rgb"]) != "#000000":
        colour["fill"] = _hex(state["rgb"])
    alpha = state["alpha"] if state["forced_alpha"] else state["rgb"][3]
    if alpha != 1:
        colour["opacity"] = _number(alpha)
    x, y = x * page.scale, y * page.scale  # the baseline's start, y already downwards
    if anchor is not None:
        ax, ay = anchor[0] * page.scale, page.height - anchor[1] * page.scale
        radians = np.deg2rad(angle)
        vertical = np.array([np.sin(radians), np.cos(radians)])
        offset = float(np.dot(vertical, [x - ax, y - ay]))
        ax, ay = ax + offset * vertical[0], ay + offset * vertical[1]
        css["text-anchor"] = {"left": "start", "right": "end", "center": "middle"}[anchor[2]]
        place = f'x="{_number(ax)}" y="{_number(ay)}" transform="rotate({_number(-angle)} {_number(ax)} {_number(ay)})"'
    else:
        place = f'transform="translate({_number(x)} {_number(y)}) rotate({_number(-angle)})"'
    text = f'<text style="{_css({**css, **colour})}" {place}>{_escape(s)}</text>'
    clip = clips.attribute(state["clip"])
    return f"<g{clip}>{text}</g>" if clip else text


def _trace(collection: Any, page: Page, clips: Clips) -> list[str]:
    """A ``LineCollection``'s polylines (``still.coloured_runs``), one path each, in its colours."""
    if len(collection.get_linewidths()) != 1 or collection.get_linestyle()[0][1] is not None:
        raise Unsupported("several widths or dashes")
    segments = [path.vertices for path in collection.get_paths() if len(path.vertices)]  # get_segments() is slow
    colours = collection.get_edgecolor()
    if not segments:
        return []
    width = float(collection.get_linewidths()[0])
    cap = {"projecting": "square"}.get(collection.get_capstyle() or "butt", collection.get_capstyle() or "butt")
    join = collection.get_joinstyle() or "round"
    clip = clips.attribute(tuple(collection.get_clip_box().bounds) if collection.get_clip_on() else None)
    common = "".join([f"; stroke-width: {_number(width)}" if width != 1.0 else "",
                      f"; stroke-linejoin: {join}" if join != "round" else "",
                      f"; stroke-linecap: {cap}" if cap != "butt" else ""])  # fmt: skip
    # every vertex at once: one transform, one formatting pass
    points = page.points(collection.get_transform().transform(np.concatenate(segments)))
    words = [f"{x:f}".rstrip("0").rstrip(".") + " " + f"{y:f}".rstrip("0").rstrip(".") for x, y in points.tolist()]
    styles: dict[tuple, str] = {}
    found, start = [], 0
    for i, segment in enumerate(segments):
        rgba = tuple(colours[i % len(colours)])
        style = styles.get(rgba)
        if style is None:
            opacity = f"; stroke-opacity: {_number(rgba[3])}" if rgba[3] != 1.0 else ""
            style = styles[rgba] = f"fill: none; stroke: {_hex(rgba)}{opacity}{common}"
        stop = start + len(segment)
        d = "M " + " \nL ".join(words[start:stop]) + " \n"
        found.append(f'<path d="{d}"{clip} style="{style}"/>')
        start = stop
    return found


def svg_body(ops: list[tuple], page: Page, clips: Clips, artist_svg: Any) -> str:
    """The recorded drawing as SVG elements, in order; ``artist_svg(artist)`` writes a marked artist (the
    trace and the colour bar's image go there)."""
    from matplotlib.collections import LineCollection

    found: list[str] = []
    for op in ops:
        kind = op[0]
        if kind == "artist":
            found += _trace(op[1], page, clips) if isinstance(op[1], LineCollection) else [artist_svg(op[1])]
        elif kind == "path":
            _, state, xy, codes, fill = op
            found.append(f'<path d="{page.path(page.points(xy), codes)}"{clips.attribute(state["clip"])} '
                         f'style="{_line_style(state, fill)}"/>')  # fmt: skip
        elif kind == "markers":
            _, state, marker, codes, places, fill = op
            style = _line_style(state, fill)
            clip = clips.attribute(state["clip"])
            marker = np.asarray(marker, float) * page.scale * np.array([1.0, -1.0])
            for x, y in page.points(places):
                if np.isfinite(x) and np.isfinite(y):
                    found.append(f'<path d="{page.path(marker + np.array([x, y]), codes)}"{clip} style="{style}"/>')
        elif kind == "text":
            found.append(_text(op, page, clips))
    return "\n  ".join(found)


TRACE_GID = "signalscreen_trace_"
"""The ``gid`` prefix of the ``LineCollection`` traces :func:`save_with_traces` writes itself."""


def save_with_traces(figure: Any, path: Any, dpi: float, style: dict) -> None:
    """``figure`` saved as SVG by matplotlib but for its traces (``LineCollection`` whose gid starts with
    ``TRACE_GID``), which are written here, one path per coloured run, where matplotlib would have: the same
    elements (``tests/plots/test_direct_svg.py``) at a third of the cost for the overview's 48 traces."""
    import io
    import re

    import matplotlib
    from matplotlib.collections import LineCollection

    traces = [c for axes in figure.axes for c in axes.collections
              if isinstance(c, LineCollection) and (c.get_gid() or "").startswith(TRACE_GID)]  # fmt: skip
    page = Page(figure.dpi, figure.bbox.height)
    clips = Clips(page, "ssct")
    written = {c.get_gid(): "\n    ".join(_trace(c, page, clips)) for c in traces}
    kept = [c.get_paths() for c in traces]
    try:
        for collection in traces:
            collection._paths = []  # drawn as an empty group, where the written paths go
        buffer = io.StringIO()
        with matplotlib.rc_context(style):
            figure.savefig(buffer, format="svg", dpi=dpi, metadata={"Date": None})
    finally:
        for collection, paths in zip(traces, kept, strict=True):
            collection._paths = paths
            collection.stale = True
    text = buffer.getvalue()
    for gid, body in written.items():
        text, count = re.subn(rf'<g id="{re.escape(gid)}"(?:/>|>\s*</g>)', lambda _m, b=body, g=gid: (
            f'<g id="{g}">\n    {b}\n   </g>'), text, count=1)  # fmt: skip
        if count != 1:
            raise RuntimeError(f"matplotlib's SVG has no place for the trace {gid}")
    definitions = clips.defs()
    if definitions:
        end = text.rindex("</svg>")
        text = text[:end] + " <defs>\n  " + "\n  ".join(definitions) + "\n </defs>\n" + text[end:]
    Path(path).write_text(text, encoding="utf-8")
