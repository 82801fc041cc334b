"""One table drives the contract checks of every registered method, the example plugin included.

A method added as a module (or installed as a plugin) is checked here without anyone listing it: its
declaration builds and describes itself, and ``attribute`` gives finite, deterministic arrays of its own
names with one row per signal.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from signalscreen_cli.methods import available_methods, builtin_methods, get_method
from signalscreen_cli.params import fields_of
from tests.methods.table import quick
from tests.zoo import adapter_for, small_cnn

PLUGIN = "finite_difference"
OTHER_KINDS = {"segment": 2, "band": 3, "time_frequency": 3, "axis": 2}  # kind: number of axes


@pytest.fixture(scope="module")
def adapter(tmp_path_factory):
    return adapter_for(small_cnn(length=24, channels=2, outputs=3, seed=5), ".keras", tmp_path_factory.mktemp("m"))


def every_method() -> list[str]:
    return [*builtin_methods(), PLUGIN]


@pytest.mark.parametrize("name", every_method())
def test_declaration_describes_itself(name, request):
    if name == PLUGIN:
        request.getfixturevalue("with_plugin")
    cls = get_method(name)
    assert name in available_methods() and cls.name == name and cls.family in ("perturbation", "gradient", "layer")
    described = json.loads(json.dumps(cls.describe()))  # JSON-ready, as `methods --json` prints it
    assert described["name"] == name and described["summary"] and described["paper"]
    for field in fields_of(cls.Parameters):
        assert field.declaration.help and field.flag.startswith("--"), field.name
    defaults = cls.Parameters()
    assert cls(defaults).parameters() == defaults.as_dict()


@pytest.mark.parametrize("name", every_method())
def test_attribute_keeps_the_contract(name, request, adapter):
    if name == PLUGIN:
        request.getfixturevalue("with_plugin")
    cls = get_method(name)
    x = np.random.default_rng(2).normal(size=(5, 24, 2)).astype(np.float32)
    targets = np.array([0, 1, 2, 1, 0], np.int32)
    first = cls(**quick(name)).attribute(adapter, x, targets)
    again = cls(**quick(name)).attribute(adapter, x, targets)
    assert first and set(first) == set(again)
    assert set(cls.diagnostics) <= set(first)
    for array_name, values in first.items():
        assert array_name.startswith(name)
        assert values.shape[0] == 5 and np.isfinite(values).all(), array_name
        kind = cls.array_kinds.get(array_name, "attribution")
        assert kind in ("attribution", *OTHER_KINDS), array_name
        if kind == "attribution" and array_name not in cls.diagnostics and not array_name.endswith("_raw"):
            assert values.shape in ((5, 24), (5, 24, 2)), array_name
        if kind in OTHER_KINDS:
            assert values.ndim == OTHER_KINDS[kind], array_name
        np.testing.assert_array_equal(values, again[array_name])  # deterministic, random draws included
