"""The incremental path's geometry by hand: padding as TensorFlow pads, and the ranges a copy recomputes."""

import pytest

from signalscreen_cli.incremental.geometry import Layer, plan_ranges, sliding_geometry


@pytest.mark.parametrize(
    ("length", "kernel", "stride", "dilation", "padding", "expected"),
    [
        (10, 3, 1, 1, "same", (1, 10)),
        (10, 4, 1, 1, "same", (1, 10)),  # even kernel: the smaller half on the left
        (10, 3, 2, 1, "same", (0, 5)),  # (5-1)*2 + 3 - 10 = 1 padded in all, 0 on the left
        (11, 3, 2, 1, "same", (1, 6)),
        (10, 3, 1, 2, "same", (2, 10)),
        (10, 3, 1, 2, "causal", (4, 10)),
        (10, 3, 2, 1, "valid", (0, 4)),
        (10, 2, 2, 1, "valid", (0, 5)),
    ],
)
def test_padding_and_output_length_as_tensorflow(length, kernel, stride, dilation, padding, expected):
    assert sliding_geometry(length, kernel, stride, dilation, padding) == expected


def test_one_conv_recomputes_where_the_window_reaches():
    # Conv k=3 'same' over 10 positions, spans of width 2: inputs s, s+1 reach outputs s-1 … s+2.
    conv = Layer("sliding", (0,), 1, kernel=3, padding="same")
    plan = plan_ranges([conv], source=0, needed=[1], length=10, width=2)
    out, source = plan.held[1], plan.held[0]
    assert out.size == 4 and out.starts.tolist() == [s - 1 for s in range(9)]
    assert source.size == 6 and source.starts.tolist() == [s - 2 for s in range(9)]
    assert plan.reads[0, 0].tolist() == [0] * 9  # the conv reads its input's whole held range
    assert plan.inside[0, 0].tolist() == [False, False] + [True] * 5 + [False, False]


def test_a_pool_halves_the_range_and_a_merge_takes_the_hull():
    conv = Layer("sliding", (0,), 1, kernel=3, padding="same", work=100.0, channels=4)
    pool = Layer("sliding", (1,), 2, kernel=2, stride=2, work=8.0, channels=4)
    skip = Layer("sliding", (2,), 3, kernel=1, work=16.0, channels=4)
    add = Layer("merge", (2, 3), 4, work=8.0, channels=4)
    plan = plan_ranges([conv, pool, skip, add], source=0, needed=[4], length=32, width=4)
    s = 10  # inputs 10…13 reach conv outputs 9…14, pool outputs 4…7
    assert plan.held[4].starts[s] <= 4 and plan.held[4].starts[s] + plan.held[4].size >= 8
    assert plan.held[2].starts[s] <= 4 and plan.held[2].starts[s] + plan.held[2].size >= 8
    conv_out = plan.held[1]
    assert conv_out.starts[s] <= 8 and conv_out.starts[s] + conv_out.size >= 16  # what the pool reads
    assert all(held.size < held.length for held in plan.held.values())
