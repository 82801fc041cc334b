"""``python -m signalscreen_cli``."""

from .cli import run

run()
