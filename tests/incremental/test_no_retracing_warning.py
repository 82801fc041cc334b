"""Occlusion over several widths compiles one call per width and edge kind, each traced once: TensorFlow's
frequent-retracing warning (which counts traces by source line) is not shown for them, and still is for
anyone else's functions."""

import logging

import numpy as np

from signalscreen_cli.methods.occlusion import Occlusion
from signalscreen_cli.model.adapter import ModelAdapter, tf
from tests import zoo


class Collected(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def retracing_warnings(work):
    handler = Collected()
    tf.get_logger().addHandler(handler)
    try:
        work()
    finally:
        tf.get_logger().removeHandler(handler)
    return [message for message in handler.messages if "retracing" in message]


def test_occlusion_over_many_widths_warns_of_no_retracing():
    adapter = ModelAdapter(zoo.small_cnn(length=40), batch_size=8)
    x = np.random.default_rng(0).normal(size=(3, 40, 1)).astype(np.float32)
    occlusion = Occlusion(sliding_window=(1, 3, 5))
    warnings = retracing_warnings(lambda: occlusion.attribute(adapter, x, np.zeros(3, int)))
    assert all(path.startswith("incremental") for path in occlusion.parameters()["forward_path"].values())
    assert warnings == []


def test_another_functions_retracing_still_warns():
    def users_own(x):
        return x * 2.0

    def work():
        for size in range(1, 9):  # a new tf.function per call: TensorFlow's own retracing warning applies
            tf.function(users_own)(tf.zeros((size,)))

    assert any("users_own" in message for message in retracing_warnings(work))
