import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="session")
def plugin_path(tmp_path_factory) -> Path:
    """The example plugin (``examples/plugin``) installed with pip into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, "--target", str(target), str(ROOT / "examples" / "plugin")], check=True)
    return target


@pytest.fixture()
def with_plugin(plugin_path, monkeypatch):
    """This process sees the installed example plugin (its entry point and its module)."""
    from signalscreen_cli.methods import plugin_entries

    monkeypatch.syspath_prepend(str(plugin_path))
    plugin_entries.cache_clear()
    yield
    plugin_entries.cache_clear()
