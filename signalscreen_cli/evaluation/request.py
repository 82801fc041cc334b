"""The frozen description of one ``evaluate`` run: built by the CLI or by Python, read by ``runner``.

Standard library only, so the CLI can build it before anything heavy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_STEPS = 20
DEFAULT_THRESHOLD = 0.9


@dataclass(frozen=True)
class EvaluateRequest:
    """Everything ``runner.evaluate`` needs; every field is recorded in ``evaluation.json``.

    Attributes
    ----------
    model_path, data_path, out_dir : pathlib.Path
        Saved Keras model, signal file, output folder.
    methods : tuple of str
        Registered method names. Empty: ``methods.DEFAULT_METHODS``, or every method of ``from_dir``.
    from_dir : pathlib.Path or None
        An ``explain`` output folder whose maps are evaluated instead of computing them.
    steps : int
        The curves remove (or restore) positions in ``steps`` equal fractions.
    baseline : str
        What a removed position becomes (``methods.baselines``; ``interp`` is refused). Also the baseline
        of occlusion and integrated gradients when they run here (not with ``from_dir``).
    randomization : bool
        Run the model-parameter randomisation check.
    randomization_threshold : float
        A map whose mean rank correlation to the original stays above this once every layer is
        randomised fails the check.
    target, class_names, layer, relu, windows, stride, occlude_channels, blur_sigma, noise_samples, noise
        As for ``explain``; method options are ignored with ``from_dir`` (the explain run's are used).
    ig_steps, ig_tolerance
        Integrated gradients' path steps (``--steps`` of ``explain``) and completeness gap to reach.
    key, label_column, samples, nan_policy
        How the signal file is read. With ``from_dir``: the explain run's rows, key and label column;
        ``samples`` then picks among them. ``nan_policy`` ``None`` means ``error`` (or the explain run's).
    plots, formats
        Draw the figures, in these formats.
    batch_size : int
        Inputs per compiled model call.
    overwrite : bool
        Replace an existing output folder.
    unsafe_load, custom_objects
        As for ``explain``: let code stored in the model run; a ``.py`` file of the model's custom layers.
    seed : int
        Seed of the random order, the randomisation and every random baseline.
    """

    model_path: Path
    data_path: Path
    out_dir: Path
    methods: tuple[str, ...] = ()
    from_dir: Path | None = None
    steps: int = DEFAULT_STEPS
    baseline: str = "mean"
    randomization: bool = True
    randomization_threshold: float = DEFAULT_THRESHOLD
    target: str = "auto"
    class_names: tuple[str, ...] = ()
    layer: str | None = None
    relu: bool = True
    windows: tuple[int, ...] = (15,)
    stride: int = 1
    occlude_channels: str = "together"
    blur_sigma: float = 5.0
    ig_steps: int = 64
    ig_tolerance: float = 0.01
    noise_samples: int = 32
    noise: float = 0.15
    key: str | None = None
    label_column: int | None = None
    samples: str | None = None
    nan_policy: str | None = None
    plots: bool = True
    formats: tuple[str, ...] = ("png",)
    batch_size: int = 512
    overwrite: bool = False
    unsafe_load: bool = False
    custom_objects: Path | None = None
    seed: int = 0
