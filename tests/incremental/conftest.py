"""The incremental path is taken here wherever it saves any work, so that its exactness is tested on tiny
models too (by default it runs only where the cost model predicts a worthwhile gain)."""

import pytest


@pytest.fixture(autouse=True)
def any_gain(monkeypatch):
    from signalscreen_cli.incremental import forward

    monkeypatch.setattr(forward, "MIN_GAIN", 0.0)
