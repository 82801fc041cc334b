"""SignalScreen's ``Explainer`` beside tf-keras-vis on the same in-memory model, the same beats, the same work.

Needs the ``peers`` extra (tf-keras-vis and tf-keras, the Keras 2 it runs on) in a virtual environment of its
own: tf-keras-vis 0.8.7 installs a top-level ``tests`` package that hides this project's tests.
1,024 beats, the sample model loaded once (Keras 3, for SignalScreen) and its layers and weights copied into a
tf-keras twin for tf-keras-vis, checked to predict identically; for each method the median of 5 warm calls of
each tool, both against the forward(+backward) floor of ``bench_methods.py`` plus the forward pass for the
predictions. Settings matched: logits for the gradients (tf-keras-vis ``ReplaceToLinear``), the predicted class
as target, the last conv layer, the same number of noise samples and noise level, no normalisation;
tf-keras-vis' Score-CAM batch size raised from 32 to ours.

Agreement: saliency must match to float32 rounding (both are ``|d logit / d x|`` max over channels); the other
maps are compared by the median per-beat Pearson correlation (the CAMs resize the coarse map differently:
tf-keras-vis ``scipy.ndimage.zoom`` with aligned corners, ours half-pixel centres). SmoothGrad draws different
noise, so its correlation is shown beside that of two tf-keras-vis calls (fresh noise each), its own ceiling.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

# tf-keras-vis 0.8.7 does not run on Keras 3 (see the README): it runs on tf-keras, which TensorFlow uses as
# tf.keras with this set before its import; SignalScreen imports Keras 3 as ``keras`` either way.
os.environ["TF_USE_LEGACY_KERAS"] = "1"

import numpy as np
from bench_methods import floor_work
from common import SAMPLE_MODEL, beats, best_of, median_seconds

from signalscreen_cli import Explainer

if TYPE_CHECKING:
    import keras


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Median over beats of the Pearson correlation of two ``(n, L)`` maps (beats where one is flat skipped)."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    keep = norms > 0
    return float(np.median((a * b).sum(axis=1)[keep] / norms[keep]))


def tf_keras_twin(model: keras.Model) -> object:
    """The same layers and weights as a tf-keras (Keras 2) ``Sequential``: what tf-keras-vis runs on.

    Only the options tf-keras' layers know are copied (initialisers, regularisers and Keras 3 additions
    such as ``quantization_config`` do not change inference); the predictions are checked equal by the caller.
    """
    import inspect

    import tensorflow as tf

    def twin(layer: keras.layers.Layer) -> object:
        kind = getattr(tf.keras.layers, type(layer).__name__)
        known = set(inspect.signature(kind.__init__).parameters) | {"name", "trainable"}
        config = {k: v for k, v in layer.get_config().items() if k in known and not isinstance(v, dict)}
        return kind.from_config(config)

    copy = tf.keras.Sequential([tf.keras.Input(model.inputs[0].shape[1:]), *map(twin, model.layers)])
    copy.set_weights(model.get_weights())
    return copy


def peers(model: object, targets: np.ndarray, layer: str, noise_samples: int, noise: float, batch_size: int) -> dict:
    """tf-keras-vis' calls for each of our methods, as ``name -> (label, call returning an (n, L) map)``.

    ``ReplaceToLinear`` makes the gradients those of the logits, as ours; SmoothGrad without tf-keras-vis'
    default ``abs`` on each noisy gradient is the plain mean gradient of Smilkov et al., as ours; Score-CAM
    takes the softmax of the masked inputs' logits itself, which gives the probabilities ours weights by. The
    layer is named, so tf-keras-vis' search for a conv layer (which tests for Keras 3's conv class) is off.
    """
    from tf_keras_vis.gradcam import Gradcam
    from tf_keras_vis.gradcam_plus_plus import GradcamPlusPlus
    from tf_keras_vis.saliency import Saliency
    from tf_keras_vis.scorecam import Scorecam
    from tf_keras_vis.utils.model_modifiers import ReplaceToLinear
    from tf_keras_vis.utils.scores import CategoricalScore

    score = CategoricalScore(targets.tolist())
    saliency = Saliency(model, model_modifier=ReplaceToLinear(), clone=True)
    at_layer = {"penultimate_layer": layer, "seek_penultimate_conv_layer": False, "normalize_cam": False}
    calls = {
        "saliency": ("Saliency", lambda x: saliency(score, x, normalize_map=False)),
        "smoothgrad": (
            f"Saliency(smooth_samples={noise_samples})",
            lambda x: saliency(
                score, x, smooth_samples=noise_samples, smooth_noise=noise, gradient_modifier=None, normalize_map=False
            ),
        ),
    }
    for name, label, kind, options in (
        ("gradcam", "Gradcam", Gradcam, {}),
        ("gradcam_plus_plus", "GradcamPlusPlus", GradcamPlusPlus, {}),
        ("scorecam", f"Scorecam(batch_size={batch_size})", Scorecam, {"batch_size": batch_size}),
    ):
        cam = kind(model, model_modifier=ReplaceToLinear(), clone=True)
        calls[name] = (label, lambda x, cam=cam, options=options: cam(score, x, **at_layer, **options))
    return calls


def agreement(name: str, ours: np.ndarray, peer: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> str:
    theirs = np.asarray(peer(x), np.float32)
    if name == "saliency":
        ours = ours.max(axis=-1)
        scale = float(np.abs(ours).max())
        return f"max |diff| / max {float(np.abs(ours - theirs).max()) / scale:.1e}"
    if name == "smoothgrad":
        ours = ours.max(axis=-1)
        ceiling = correlation(theirs, np.asarray(peer(x), np.float32))
        return f"median r {correlation(ours, theirs):.3f} (peer vs peer {ceiling:.3f})"
    return f"median r {correlation(ours, theirs):.3f}"


def main() -> None:
    import keras

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1024)
    parser.add_argument("--noise-samples", type=int, default=32)
    parser.add_argument("--noise", type=float, default=0.15)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    model = keras.saving.load_model(SAMPLE_MODEL, compile=False)
    x = beats(args.signals)
    smooth = {"noise_samples": args.noise_samples, "noise": args.noise}
    ours = {
        name: Explainer(model, [name], batch_size=args.batch_size, **(smooth if name == "smoothgrad" else {}))
        for name in ("saliency", "smoothgrad", "gradcam", "gradcam_plus_plus", "scorecam")
    }
    adapter = ours["saliency"].adapter
    targets = adapter.predict(x).argmax(axis=1).astype(np.int32)
    layer = adapter.resolve_layer(None)
    twin = tf_keras_twin(model)
    same = np.array_equal(twin.predict(x, batch_size=args.batch_size, verbose=0), adapter.predict(x))
    theirs = peers(twin, targets, layer, args.noise_samples, args.noise, args.batch_size)
    print(f"tf-keras twin of the model: predictions {'identical' if same else 'DIFFER'}")
    print(
        f"{args.signals} beats, layer {layer}, {args.noise_samples} noise samples; warm calls, median of "
        f"{args.repeats}; floor: best of 3"
    )
    print(
        f"{'method':<18} {'tf-keras-vis call':<28} {'ours s':>7} {'peer s':>7} {'floor s':>8} "
        f"{'peer/ours':>9} {'ours/floor':>10} {'peer/floor':>10}  agreement"
    )
    for name, explainer in ours.items():
        label, peer = theirs[name]
        _, work = floor_work(name, explainer.methods[0], explainer.adapter, x, targets)
        floor = best_of(3, lambda work=work: (adapter.predict(x), work()))
        mine = median_seconds(args.repeats, lambda explainer=explainer: explainer.explain(x))
        other = median_seconds(args.repeats, lambda peer=peer: peer(x))
        result = explainer.explain(x)
        assert np.array_equal(result.arrays["targets"], targets), "both tools must explain the same classes"
        print(
            f"{name:<18} {label:<28} {mine:>7.3f} {other:>7.3f} {floor:>8.3f} {other / mine:>9.1f} "
            f"{mine / floor:>10.2f} {other / floor:>10.2f}  {agreement(name, result.arrays[name], peer, x)}"
        )


if __name__ == "__main__":
    main()
