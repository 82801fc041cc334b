"""``report.html``: one self-contained page per run (and evaluation), read from the output folders."""
