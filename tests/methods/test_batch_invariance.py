"""Every method gives a signal the same map alone as inside a batch, whatever the batch size."""

import numpy as np
import pytest

from signalscreen_cli.methods import available_methods, get_method
from tests.methods.table import quick
from tests.zoo import adapter_for, small_cnn


@pytest.fixture(scope="module")
def adapters(tmp_path_factory) -> dict[int, object]:
    """One adapter per batch size, shared by every method as one run shares its adapter (built once: quick)."""
    model = small_cnn(length=32, channels=2, outputs=3, seed=3)
    folder = tmp_path_factory.mktemp("batch_invariance")
    return {batch_size: adapter_for(model, "memory", folder, batch_size=batch_size) for batch_size in (64, 1, 3)}


@pytest.mark.parametrize("name", available_methods())
def test_each_sample_alone_equals_in_batch(adapters, name):
    x = np.random.default_rng(9).normal(size=(7, 32, 2)).astype(np.float32)
    targets = np.array([0, 1, 2, 0, 1, 2, 0])
    method = get_method(name)(**quick(name))
    together = method.attribute(adapters[64], x, targets)
    for batch_size in (1, 3):
        adapter = adapters[batch_size]
        for i in (0, 4, 6):
            alone = method.attribute(adapter, x[i : i + 1], targets[i : i + 1])
            for array_name, values in together.items():
                np.testing.assert_allclose(alone[array_name][0], values[i], rtol=1e-4, atol=1e-6)
