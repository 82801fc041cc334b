"""A Keras functional graph as propagation steps, with BatchNormalization folded where it can be.

Each layer becomes a :class:`Step` of one kind:

- ``linear``: Dense, Conv1D (any padding, stride, dilation), SeparableConv1D and DepthwiseConv1D, all written
  as one dense or convolution kernel (a separable layer's two kernels multiplied out, a depthwise one's
  spread block-diagonally), with the layer's activation after it; an unfolded BatchNormalization is a
  ``linear`` step of kind ``affine``;
- ``activation``: elementwise activations (Activation, ReLU, LeakyReLU, ELU, PReLU);
- ``identity``: layers that do nothing at inference (Dropout and its kin);
- ``route``: layers that move values without weighting them (Flatten, Reshape, Permute, Concatenate,
  cropping, padding, up-sampling): their vector-Jacobian product moves relevance the same way;
- ``maxpool``: MaxPooling1D and GlobalMaxPooling1D (winner takes all);
- ``proportional``: averages and sums (AveragePooling1D, GlobalAveragePooling1D, Add, Average): each input
  gets its share of the output.

The canonizer (``canonizer``, zennit's BatchNorm canonizer) folds a BatchNormalization into the linear layer before it
when that layer has no activation and feeds only it (Conv → BN → ReLU), or else into the linear layer after
it when that layer alone reads it and pads nothing (ReLU → BN → Dense or a 'valid' conv: a padded conv
would pad the normalised values with zeros, which no folded kernel reproduces); otherwise it stays an
``affine`` step. Imported by the engine only (TensorFlow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import tensorflow as tf

from ..errors import MethodNotApplicableError

L = keras.layers
ACTIVATION_LAYERS = (L.Activation, L.ReLU, L.LeakyReLU, L.ELU, L.PReLU)
IDENTITY_LAYERS = (
    L.Dropout,
    L.SpatialDropout1D,
    L.GaussianNoise,
    L.GaussianDropout,
    L.AlphaDropout,
    L.ActivityRegularization,
    L.Identity,
)
ROUTE_LAYERS = (L.Flatten, L.Reshape, L.Permute, L.Concatenate, L.Cropping1D, L.ZeroPadding1D, L.UpSampling1D)
MAXPOOL_LAYERS = (L.MaxPooling1D, L.GlobalMaxPooling1D)
PROPORTIONAL_LAYERS = (L.AveragePooling1D, L.GlobalAveragePooling1D, L.Add, L.Average)
LINEAR_LAYERS = (L.Dense, L.Conv1D, L.SeparableConv1D, L.DepthwiseConv1D)
RELU_LIKE = ("relu", "relu6", "leaky_relu")  # what guided backprop and deconvnet override
NOT_ELEMENTWISE = ("softmax", "log_softmax")
OTHER_METHODS = "saliency, gradient_x_input, integrated_gradients, smoothgrad, occlusion and the CAM methods"


@dataclass
class Linear:
    """A linear layer written as ``lin(x, kernel, bias)`` with kernel and bias read from the layer's variables.

    ``pre``/``post`` hold a folded BatchNormalization's ``(scale, shift)`` before or after the layer.
    """

    kind: str  # dense, conv or affine
    layer: Any
    conv: dict[str, Any] = field(default_factory=dict)
    pre: Any = None  # BatchNormalization folded in on the input side
    post: Any = None  # BatchNormalization folded in on the output side

    def weights(self) -> tuple[tf.Tensor, tf.Tensor]:
        """The kernel and bias, folds included (read in the graph, so changed weights are seen)."""
        if self.kind == "affine":
            return batchnorm_affine(self.layer)
        kernel, bias = base_weights(self.layer)
        if self.pre is not None:
            scale, shift = batchnorm_affine(self.pre)
            bias = bias + tf.reduce_sum(kernel * shift[:, None], axis=tuple(range(kernel.shape.rank - 1)))
            kernel = kernel * scale[:, None]
        if self.post is not None:
            scale, shift = batchnorm_affine(self.post)
            kernel, bias = kernel * scale, bias * scale + shift
        return kernel, bias

    def __call__(self, x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | None = None) -> tf.Tensor:
        if self.kind == "affine":
            out = x * kernel
        elif self.kind == "dense":
            out = keras.ops.matmul(x, kernel)
        else:
            padding, dilation = self.conv["padding"], self.conv["dilation"]
            if padding == "causal":
                x = tf.pad(x, [[0, 0], [dilation * (kernel.shape[0] - 1), 0], [0, 0]])
                padding = "valid"
            out = keras.ops.conv(x, kernel, strides=self.conv["strides"], padding=padding, dilation_rate=dilation)
        return out if bias is None else out + bias


@dataclass
class Step:
    """One layer call of the graph: its kind, input and output tensor keys, and its linear part."""

    kind: str
    layer: Any
    node: Any
    inputs: list[int]
    outputs: list[int]
    linear: Linear | None = None
    activation: Callable[[tf.Tensor], tf.Tensor] | None = None
    activation_name: str = "linear"
    first: bool = False  # a linear layer reading the model input (through routes and identities only)
    nonnegative_input: bool = False  # its input is never negative (after a ReLU): αβ skips the x⁻ terms
    note: str = ""


def base_weights(layer: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """A linear layer's kernel as one dense or 1D-convolution kernel, and its bias (zeros if none)."""
    if isinstance(layer, L.SeparableConv1D):
        depthwise, pointwise = layer.depthwise_kernel, layer.pointwise_kernel
        k, c, m = depthwise.shape
        kernel = tf.einsum("kcm,cmf->kcf", depthwise, tf.reshape(pointwise[0], (c, m, -1)))
    elif isinstance(layer, L.DepthwiseConv1D):
        depthwise = layer.kernel
        k, c, m = depthwise.shape
        kernel = tf.reshape(tf.einsum("kcm,cd->kcdm", depthwise, tf.eye(c, dtype=depthwise.dtype)), (k, c, c * m))
    else:
        kernel = tf.convert_to_tensor(layer.kernel)
    bias = layer.bias if getattr(layer, "use_bias", False) else tf.zeros(kernel.shape[-1], kernel.dtype)
    return kernel, tf.convert_to_tensor(bias)


def batchnorm_affine(layer: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Inference-mode BatchNormalization as ``x · scale + shift`` per channel."""
    scale = tf.math.rsqrt(tf.convert_to_tensor(layer.moving_variance) + layer.epsilon)
    if layer.scale:
        scale = scale * layer.gamma
    shift = -tf.convert_to_tensor(layer.moving_mean) * scale
    if layer.center:
        shift = shift + layer.beta
    return scale, shift


def activation_name(function: Any) -> str:
    name = getattr(function, "__name__", None) or type(function).__name__
    return str(name).lower()


def unsupported(layer: Any, why: str = "") -> MethodNotApplicableError:
    reason = f" ({why})" if why else ""
    return MethodNotApplicableError(
        f"layer {layer.name!r} ({type(layer).__name__}) has no propagation rule{reason}",
        f"LRP, DeepLIFT and the guided methods cover Dense, Conv1D, pooling, normalisation, merges and "
        f"elementwise activations; {OTHER_METHODS} still apply",
    )


def classify(layer: Any, node: Any) -> Step:
    """The step of one layer call; an uncovered layer is refused with its name."""
    inputs = [id(t) for t in node.input_tensors]
    outputs = [id(t) for t in node.outputs]
    step = Step("", layer, node, inputs, outputs)
    if isinstance(layer, keras.Model):
        raise unsupported(layer, "a nested model; build the model flat")
    if isinstance(layer, LINEAR_LAYERS):
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise unsupported(layer, "channels_first")
        if isinstance(layer, L.Conv1D) and layer.groups != 1:
            raise unsupported(layer, "grouped convolution")
        conv = {}
        if not isinstance(layer, L.Dense):
            conv = {"strides": layer.strides, "padding": layer.padding, "dilation": int(layer.dilation_rate[0])}
        step.kind, step.linear = "linear", Linear("dense" if isinstance(layer, L.Dense) else "conv", layer, conv)
        step.activation, step.activation_name = layer.activation, activation_name(layer.activation)
        if step.activation_name in NOT_ELEMENTWISE:
            raise unsupported(layer, f"a {step.activation_name} inside the network")
    elif isinstance(layer, L.BatchNormalization):
        if layer.axis not in (-1, len(node.input_tensors[0].shape) - 1):
            raise unsupported(layer, "normalises another axis than the channels")
        step.kind, step.linear = "linear", Linear("affine", layer)
    elif isinstance(layer, ACTIVATION_LAYERS):
        name = activation_name(layer.activation) if isinstance(layer, L.Activation) else activation_name(layer)
        if name in NOT_ELEMENTWISE:
            raise unsupported(layer, f"a {name} inside the network")
        step.kind, step.activation_name = "activation", "relu" if isinstance(layer, L.ReLU) else name
        if isinstance(layer, L.LeakyReLU) or float(getattr(layer, "negative_slope", 0.0) or 0.0) != 0.0:
            step.activation_name = "leaky_relu"
    elif isinstance(layer, IDENTITY_LAYERS):
        step.kind = "identity"
    elif isinstance(layer, ROUTE_LAYERS):
        step.kind = "route"
    elif isinstance(layer, MAXPOOL_LAYERS):
        step.kind = "maxpool"
    elif isinstance(layer, PROPORTIONAL_LAYERS):
        step.kind = "proportional"
    else:
        raise unsupported(layer)
    return step
