"""The report's figure style, shared by every figure module of the report."""

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "signalscreen",  # the same run gives the same bytes
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
