"""The frozen description of one ``explain`` run: built by the CLI or the Python API, read by the pipeline.

Standard library only, so the CLI can build it before anything heavy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NORMALIZATIONS = ("none", "minmax", "maxabs")
PLOT_FORMATS = ("png", "svg")
NAN_POLICIES = ("error", "zero", "interpolate")
BASELINES = ("zero", "mean", "dataset-mean", "interp", "blur", "noise")


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
    batch_size : int or None
        Inputs per compiled model call; ``None`` picks one that fits ``memory_budget``.
    memory_budget : int or None
        Bytes the model calls may use with automatic batch size (default: a quarter of available memory).
    chunk_size : int or None
        Signals read, attributed and written per step (``None``: about 64 MiB of input); memory grows with
        it, not with the file.
    jit : bool
        Compile the model calls with XLA.
    segment, hop : int or None
        Cut each long recording into windows of ``segment`` samples every ``hop`` and stitch the maps.
    shard : tuple of int or None
        ``(K, N)``: process the K-th of N contiguous row ranges (``signalscreen merge`` joins them).
    overwrite : bool
        Replace an existing output folder.
    unsafe_load, custom_objects
        Allow code stored in the model file to run; a ``.py`` file of custom layers for the model.
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
    batch_size: int | None = None
    memory_budget: int | None = None
    chunk_size: int | None = None
    jit: bool = False
    segment: int | None = None
    hop: int | None = None
    shard: tuple[int, int] | None = None
    overwrite: bool = False
    unsafe_load: bool = False
    custom_objects: Path | None = None
    seed: int = 0


def check_request(request: ExplainRequest) -> None:
    """Reject bad or contradictory options before any file is read or model loaded."""
    from .errors import UsageError
    from .methods import method_spec

    if not request.methods:
        raise UsageError("choose at least one --method")
    for name in request.methods:
        method_spec(name)
    choices = {
        "--normalize": (request.normalize, NORMALIZATIONS),
        "--nan-policy": (request.nan_policy, NAN_POLICIES),
        "--occlude-channels": (request.occlude_channels, ("together", "each")),
    }
    for option, (value, allowed) in choices.items():
        if value not in allowed:
            raise UsageError(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
    unknown = [fmt for fmt in request.formats if fmt not in PLOT_FORMATS]
    if unknown or not request.formats:
        raise UsageError(f"--format: unknown plot format {unknown[0] if unknown else '(none)'!r}", "use png and/or svg")
    if request.target not in ("auto", "all") and not request.target.isdigit():
        raise UsageError(f"--target must be auto, all or a class index, not {request.target!r}")
    if request.baseline not in BASELINES and not request.baseline.endswith(".npy"):
        raise UsageError(
            f"unknown baseline {request.baseline!r}", "choose from: " + ", ".join(BASELINES) + ", or a .npy file"
        )
    if request.baseline == "interp" and "integrated_gradients" in request.methods:
        raise UsageError("baseline 'interp' applies to occlusion only, not to integrated_gradients")
    minimums = {
        "--window": (min(request.windows, default=0), 1),
        "--stride": (request.stride, 1),
        "--batch-size": (request.batch_size or 1, 1),
        "--chunk-size": (1 if request.chunk_size is None else request.chunk_size, 1),
        "--segment": (1 if request.segment is None else request.segment, 1),
        "--hop": (1 if request.hop is None else request.hop, 1),
        "--max-plots": (request.max_plots, 0),
        "--steps": (request.steps, 2),
        "--noise-samples": (request.noise_samples, 1),
    }
    for option, (value, lowest) in minimums.items():
        if value < lowest:
            raise UsageError(f"{option} must be at least {lowest}, not {value}")
    if request.noise < 0 or request.blur_sigma <= 0 or request.ig_tolerance <= 0:
        raise UsageError("--noise must be >= 0, --blur-sigma and --ig-tolerance > 0")
    if request.hop and not request.segment:
        raise UsageError("--hop needs --segment")
    if request.segment and request.target == "all":
        raise UsageError("--segment and --target all contradict each other", "explain one target per window")
    if request.shard and not 1 <= request.shard[0] <= request.shard[1]:
        raise UsageError(f"--shard must be K/N with 1 <= K <= N, not {request.shard[0]}/{request.shard[1]}")
    if request.memory_budget is not None and request.memory_budget <= 0:
        raise UsageError("--memory-budget must be positive")
    if request.sampling_rate is not None and request.sampling_rate <= 0:
        raise UsageError(f"--sampling-rate must be positive, not {request.sampling_rate}")
