"""Every attribution method on the sample ECG model beside its floor, measured in the same run.

The floor of a method is the compiled model work it cannot avoid, timed on inputs that already exist:
forward passes for the perturbed copies of occlusion and Score-CAM, forward+backward passes for the
gradient and path methods, guided backprop and deconvnet, LRP-ε and DeepLIFT written by hand in one
graph (the forward pass, the transposed convolutions and the rule's own arithmetic, checked to give the
method's maps: ``rules_by_hand.py``; DeepLIFT's shared reference forwarded once; also printed beside a
gradient pass), one activation+gradient pass and the map's own arithmetic (weights, weighted sum, ReLU,
resize) for Grad-CAM(++), both passes for guided Grad-CAM. Ratio = method / floor.

    python benchmarks/bench_methods.py [--signals 256] [--batch-size 512] [--repeats 2] [--methods a,b]
"""

from __future__ import annotations

import argparse

import numpy as np
from common import SAMPLE_MODEL, beats, best_of

from signalscreen_cli.methods import available_methods, get_method
from signalscreen_cli.methods.perturbation import copies_per_call
from signalscreen_cli.model.files import load_model

BLOCK = 65536


def floor_work(
    name: str, method: object, adapter: object, x: np.ndarray, targets: np.ndarray
) -> tuple[str, object, float]:
    """What the method must at least compute, as (description, callable, the factor its time is scaled by)."""
    n, length, _ = x.shape
    if name == "occlusion":
        copies = np.repeat(x, length, axis=0)
        return f"{len(copies)} forward", lambda: adapter.predict(copies), 1.0
    copies_of = {
        "spectral_occlusion": lambda: method.bands,
        "freqrise": lambda: method.masks,
        "segment_shapley": lambda: 2**method.segments if method.segments <= 14 else method.coalitions + 2,
    }
    if name in copies_of:
        # perturbation copies of every signal: timed on one block of them and scaled, so memory stays small
        total = n * copies_of[name]()
        block = np.resize(x, (min(total, BLOCK), *x.shape[1:]))
        per_eval = copies_per_call(adapter, length, x.shape[2])
        return (
            f"{total} forward (a block of {len(block)}, scaled)",
            lambda: adapter.predict(block, per_eval),
            total / len(block),
        )
    if name == "scorecam":
        layer = adapter.resolve_layer(None)
        filters = adapter.model.get_layer(layer).output.shape[-1]
        copies = np.repeat(x, filters, axis=0)
        return (
            f"{len(copies)} forward + activations",
            lambda: (
                adapter.layer_activations(x, layer),
                adapter.predict(copies),
            ),
            1.0,
        )
    if name in ("gradcam", "gradcam_plus_plus"):
        return f"{n} layer fwd+bwd and the map, in graph", layer_pass(adapter, x, targets, type(method).weighting), 1.0
    copies = getattr(method, "n_steps", getattr(method, "noise_samples", 1))
    inputs = np.repeat(x, copies, axis=0)
    repeated = np.repeat(targets, copies)

    def gradients() -> object:
        return adapter.gradients(inputs, repeated)

    if name in ("lrp", "deeplift"):  # the rule's own arithmetic too: the same maps, written by hand
        return rule_by_hand(name, method, adapter, x, targets)
    if name == "guided_gradcam":  # guided backprop's pass and Grad-CAM's
        from signalscreen_cli.methods.cam import gradcam_weights

        cam = layer_pass(adapter, x, targets, gradcam_weights)
        return f"{n} fwd+bwd + {n} layer fwd+bwd and the map", lambda: (gradients(), cam()), 1.0
    return f"{len(inputs)} fwd+bwd", gradients, 1.0


def rule_by_hand(
    name: str, method: object, adapter: object, x: np.ndarray, targets: np.ndarray
) -> tuple[str, object, float]:
    """LRP-ε or DeepLIFT (against its shared reference, one row) written by hand in one graph
    (``rules_by_hand.py``), checked to compute the method's maps."""
    import rules_by_hand

    from signalscreen_cli.propagation.engine import shared_or_each

    if name == "lrp":  # the default rule: ε on every linear layer
        run = rules_by_hand.batched(adapter, rules_by_hand.lrp_epsilon_pass(adapter.model), x, targets)
    else:
        reference = shared_or_each(method.params.baseline_of(x, None, None))
        run = rules_by_hand.batched(adapter, rules_by_hand.deeplift_pass(adapter.model), x, targets, reference)
    rules_by_hand.check(run(), method.attribute(adapter, x, targets)[name], name)
    return f"{len(x)} fwd + the rule's bwd, by hand", run, 1.0


def gradient_pass(adapter: object, x: np.ndarray, targets: np.ndarray) -> float:
    """Seconds of one forward+backward pass over ``x``: the modified-backward methods beside it."""
    return best_of(3, lambda: adapter.gradients(x, targets))


def layer_pass(adapter: object, x: np.ndarray, targets: np.ndarray, weighting: object) -> object:
    """The forward pass, the backward pass down to the CAM layer and the map's own arithmetic (channel weights,
    weighted sum, ReLU, resized to the input: ``layer_calls.weighted_maps``), in one graph, the map out."""
    import tensorflow as tf

    from signalscreen_cli.model.layer_calls import weighted_maps

    split = adapter._split(adapter.resolve_layer(None))

    @tf.function(input_signature=[adapter._input_spec, adapter._target_spec])
    def work(batch: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            activations, logits = split(adapter._to_model(batch), training=False)
            score = adapter._target_score(logits, target)
        return weighted_maps(activations, tape.gradient(score, activations), weighting, True, tf.shape(batch)[1])[1]

    def run() -> None:
        for start in range(0, len(x), adapter.batch_size):
            batch = x[start : start + adapter.batch_size]
            work(tf.constant(batch), tf.constant(targets[start : start + len(batch)])).numpy()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--methods", default=",".join(available_methods()))
    args = parser.parse_args()
    adapter = load_model(SAMPLE_MODEL, batch_size=args.batch_size)
    x = beats(args.signals)
    targets = adapter.predict(x).argmax(axis=1).astype(np.int32)
    print(f"{args.signals} signals of length {x.shape[1]}, batch size {args.batch_size}")
    print(f"{'method':<22} {'method s':>9} {'floor s':>9} {'ratio':>6}  floor work")
    for name in args.methods.split(","):
        # integrated gradients: time the fixed-step rule; doubling is extra work by design
        method = get_method(name)(**({"tolerance": np.inf} if name == "integrated_gradients" else {}))
        elapsed = best_of(args.repeats, lambda method=method: method.attribute(adapter, x, targets))
        description, work, scale = floor_work(name, method, adapter, x, targets)
        floor = best_of(args.repeats, work) * scale
        print(f"{name:<22} {elapsed:>9.3f} {floor:>9.3f} {elapsed / floor:>6.2f}  {description}")
        if name in ("lrp", "deeplift"):
            plain = gradient_pass(adapter, x, targets)
            print(f"{'  the same, by hand':<22} {floor:>9.3f} {plain:>9.3f} {floor / plain:>6.2f}  vs a gradient pass")
        if name == "integrated_gradients":
            adaptive(adapter, x, targets, elapsed, args.repeats)
        if name == "lrp":
            lrp_rules(adapter, x, targets, args.repeats)


LRP_SETTINGS = [
    *({"lrp_rule": rule} for rule in ("zero", "epsilon", "gamma", "zplus")),
    {"lrp_rule": "alpha_beta", "lrp_alpha": 2.0, "lrp_beta": 1.0},
    *({"lrp_input_rule": rule} for rule in ("flat", "w_square", "zb")),
    *({"lrp_composite": name} for name in ("epsilon_plus", "epsilon_plus_flat", "epsilon_gamma_box")),
]


def lrp_rules(adapter: object, x: np.ndarray, targets: np.ndarray, repeats: int) -> None:
    """Each LRP rule and composite beside saliency (one forward + backward pass): timed in turns, round after
    round, and the best of each kept, so a load that comes and goes on a shared machine hits all alike."""
    import time

    methods = [get_method("saliency")(), *(get_method("lrp")(**settings) for settings in LRP_SETTINGS)]
    for method in methods:
        method.attribute(adapter, x[:1], targets[:1])  # traced before timing
    best = [np.inf] * len(methods)
    for _ in range(repeats):
        for i, method in enumerate(methods):
            started = time.perf_counter()
            method.attribute(adapter, x, targets)
            best[i] = min(best[i], time.perf_counter() - started)
    for settings, elapsed in zip(LRP_SETTINGS, best[1:], strict=True):
        label = "  " + ", ".join(f"{key.removeprefix('lrp_')} {value}" for key, value in settings.items())
        print(f"{label:<34} {elapsed:>9.3f} {best[0]:>9.3f} {elapsed / best[0]:>6.2f}  vs saliency, in turns")


def adaptive(adapter: object, x: np.ndarray, targets: np.ndarray, fixed: float, repeats: int) -> None:
    """Integrated gradients at the default tolerance beside the fixed-step run of each rule."""
    for rule in ("clenshawcurtis", "gausslegendre"):
        method = get_method("integrated_gradients")(method=rule)
        if rule != "clenshawcurtis":
            fixed = best_of(
                repeats,
                lambda rule=rule: get_method("integrated_gradients")(method=rule, tolerance=np.inf).attribute(
                    adapter, x, targets
                ),
            )
        elapsed = best_of(repeats, lambda method=method: method.attribute(adapter, x, targets))
        steps = method.attribute(adapter, x, targets)["integrated_gradients_steps"]
        refined = (steps > steps.min()).mean()
        print(
            f"{'  tolerance 0.01, ' + rule:<34} {elapsed:>9.3f} {fixed:>9.3f} {elapsed / fixed:>6.2f}"
            f"  vs the fixed-step run ({refined:.1%} of signals refined)"
        )


if __name__ == "__main__":
    main()
