"""The report's figure style, shared by every figure module of the report."""

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "signalscreen",  # the same run gives the same bytes
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def strip_name(name: str, room_inches: float, points: float = 9.0) -> str:
    """A colour strip's name as it fits the ``room_inches`` left of the strip at ``points``: on two lines, broken
    after the underscore nearest its middle, where one line would run off the figure's edge
    (``integrated_gradients`` is 1.4 inches at 9 pt; the margin is about one inch)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family=STYLE["font.family"], size=points)
    measure = TextToPath()

    def width(text: str) -> float:
        return measure.get_text_width_height_descent(text, font, ismath=False)[0] / 72

    room = room_inches - 0.08  # the label's pad from the strip
    breaks = [index + 1 for index, char in enumerate(name) if char == "_"]
    if width(name) <= room or not breaks:
        return name
    cut = min(breaks, key=lambda index: max(width(name[:index]), width(name[index:])))
    return f"{name[:cut]}\n{name[cut:]}"
