"""Option types shared by the commands (typer and the standard library only: ``--help`` stays fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ModelArgument = Annotated[Path, typer.Argument(help="Saved Keras model (.keras or .h5).")]
DataArgument = Annotated[Path, typer.Argument(help="Signals: .npy, .csv, .npz or .h5/.hdf5.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]
Unsafe = Annotated[
    bool,
    typer.Option("--unsafe-load", help="Let code stored in the model file (Lambda layers) run. Trusted files only."),
]
CustomObjects = Annotated[
    Path | None, typer.Option("--custom-objects", help="A .py file defining the model's custom layers.")
]
Overwrite = Annotated[
    bool, typer.Option("--overwrite", help="Replace an existing output folder that holds an earlier result.")
]
ClassNames = Annotated[str | None, typer.Option(help="Comma-separated class names, e.g. N,S,V,F,Q.")]
Layer = Annotated[str | None, typer.Option(help="Conv layer name or index for the CAM methods (default: last Conv1D).")]
Relu = Annotated[bool, typer.Option("--relu/--no-relu", help="Apply ReLU to the CAM methods' maps.")]
Window = Annotated[list[int] | None, typer.Option("--window", "-w", help="Occlusion window width(s).")]
Stride = Annotated[int, typer.Option(help="Occlusion: occlude every k-th position, interpolate between.")]
OccludeChannels = Annotated[str, typer.Option(help="Occlusion: together, or each (a map per channel).")]
BlurSigma = Annotated[float, typer.Option(help="Gaussian width (samples) of the blur baseline.")]
IgTolerance = Annotated[float, typer.Option(help="Integrated gradients: completeness gap to reach.")]
NoiseSamples = Annotated[int, typer.Option(help="SmoothGrad family: noisy copies per signal.")]
Noise = Annotated[float, typer.Option(help="SmoothGrad family: noise sigma / (max - min) of the signal.")]
Key = Annotated[str | None, typer.Option(help="Array name inside .npz / dataset inside .h5.")]
LabelColumn = Annotated[int | None, typer.Option(help="Column to drop from a CSV, e.g. -1 for a last label column.")]
Plots = Annotated[bool, typer.Option("--plots/--no-plots", help="Draw plots.")]
Format = Annotated[str | None, typer.Option("--format", help="Plot formats: png (default), svg or png,svg.")]
