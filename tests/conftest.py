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


SLOW_MODULES = (
    # end to end: the CLI on saved models, every zoo model in every format
    "test_cli.py",
    "test_crosscheck.py",
    "test_per_step.py",
    "test_streaming.py",
    "test_report.py",
    "test_models.py",
    "test_evaluate_cli.py",
    "test_compare.py",
    "test_relevance_crosscheck.py",
    "test_exactness.py",
    "test_joins.py",
    "test_score_stages_executors.py",
    # real clusters, browsers, installs and fresh processes
    "test_cluster.py",
    "test_browser.py",
    "test_report_legibility.py",
    "test_plugins.py",
    "test_startup.py",
    "test_interrupt.py",
    "test_ci_examples.py",
    "test_output_failures.py",
    "test_help_and_all.py",
    "test_fuzz_results.py",
)
SLOW_FIXTURES = {"plugin_path", "with_plugin", "cluster"}
"""Marked ``slow`` here, so they are listed once; ``pytest -m 'not slow'`` is the quick inner loop."""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
