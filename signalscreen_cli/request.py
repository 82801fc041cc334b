"""The frozen description of one ``explain`` run: built by the CLI or the Python API, read by the pipeline.

Standard library only, so the CLI can build it before anything heavy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NORMALIZATIONS = ("none", "minmax", "maxabs")
PLOT_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class ExplainRequest:
    """Everything ``pipeline.run`` needs; every field is recorded in the manifest.

    Attributes
    ----------
    model_path, data_path, out_dir : pathlib.Path
        Saved Keras model, signal file, output folder.
    methods : tuple of str
        Registered method names, in order.
    windows : tuple of int
        Occlusion window widths; one map per width.
    target : str
        ``"auto"`` (predicted class), ``"all"``, or a class index.
    class_names : tuple of str
        Optional names for the model's outputs.
    layer : str or None
        Conv layer (name or index) for the CAM methods; ``None`` picks the last Conv1D.
    relu : bool
        Grad-CAM's ReLU.
    baseline : str
        Baseline of occlusion and integrated gradients (see ``methods.baselines``).
    blur_sigma : float
        Width (samples) of the ``blur`` baseline's Gaussian.
    stride, occlude_channels
        Occlusion: evaluate every ``stride``-th position; occlude channels ``together`` or ``each``.
    steps, ig_tolerance
        Integrated gradients: path steps and the completeness gap above which steps are doubled.
    noise_samples, noise
        SmoothGrad family: noisy copies per signal and σ as a fraction of the signal's range.
    normalize : str
        ``none``, ``minmax`` or ``maxabs``, applied per sample to the stored arrays.
    key, label_column, samples, nan_policy
        How the signal file is read (see ``signals.read_signals``).
    write_csv, plots, formats, max_plots, sampling_rate
        What is written besides ``attributions.npz`` and ``manifest.json``.
    batch_size : int
        Inputs per compiled model call.
    overwrite : bool
        Replace an existing output folder.
    seed : int
        Seed of every random choice.
    """

    model_path: Path
    data_path: Path
    out_dir: Path
    methods: tuple[str, ...] = ("occlusion", "saliency", "gradcam")  # methods.DEFAULT_METHODS
    windows: tuple[int, ...] = (15,)
    target: str = "auto"
    class_names: tuple[str, ...] = ()
    layer: str | None = None
    relu: bool = True
    baseline: str = "zero"
    blur_sigma: float = 5.0
    stride: int = 1
    occlude_channels: str = "together"
    steps: int = 64
    ig_tolerance: float = 0.01
    noise_samples: int = 32
    noise: float = 0.15
    normalize: str = "none"
    key: str | None = None
    label_column: int | None = None
    samples: str | None = None
    nan_policy: str = "error"
    write_csv: bool = False
    plots: bool = True
    formats: tuple[str, ...] = ("png",)
    max_plots: int = 16
    sampling_rate: float | None = None
    batch_size: int = 512
    overwrite: bool = False
    seed: int = 0
