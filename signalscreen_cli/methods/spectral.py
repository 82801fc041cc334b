"""Frequency attribution: which frequency bands (spectral occlusion) and which time-frequency cells (FreqRISE)
the target's output depends on."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import UsageError
from ..params import param
from .base import Adapter, Method
from .baselines import Seeded
from .occlusion import ChannelParameters

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class SpectralOcclusionParameters(ChannelParameters):
    bands: int = param(32, "Spectral occlusion: frequency bands from 0 to the Nyquist frequency.", minimum=2)
    band_scale: str = param(
        "linear",
        "Spectral occlusion: band edges linear, or log (the first band holds 0 up to 1/L).",
        choices=("linear", "log"),
    )
    band_taper: float = param(
        0.25, "Spectral occlusion: share of the narrower neighbouring band over which two bands crossfade.", minimum=0
    )

    def check(self) -> None:
        if self.band_taper > 1:
            raise UsageError(f"--band-taper must be between 0 and 1, not {self.band_taper}")


def band_edges(length: int, bands: int, scale: str) -> np.ndarray:
    """``bands + 1`` edges in cycles per sample, from 0 to the Nyquist frequency 0.5."""
    import numpy as np

    if scale == "log":
        return np.r_[0.0, np.geomspace(1.0 / length, 0.5, bands)]
    return np.linspace(0.0, 0.5, bands + 1)


def band_weights(length: int, edges: np.ndarray, taper: float) -> np.ndarray:
    """``(B, L // 2 + 1)`` weights of each band at each real-FFT frequency: raised-cosine crossfades at the
    inner edges, summing to 1 at every frequency, so a signal is the sum of its band components."""
    import numpy as np

    frequencies = np.fft.rfftfreq(length)
    inner = edges[1:-1]
    widths = np.diff(edges)
    half = taper * np.minimum(widths[:-1], widths[1:]) / 2
    phase = np.clip(
        (frequencies[None, :] - inner[:, None] + half[:, None]) / np.maximum(2 * half[:, None], 1e-12), 0, 1
    )
    steps = np.where(half[:, None] > 0, 0.5 - 0.5 * np.cos(np.pi * phase), frequencies[None, :] >= inner[:, None])
    above = np.vstack([np.ones_like(frequencies), steps, np.zeros_like(frequencies)])
    return above[:-1] - above[1:]


class SpectralOcclusion(Method):
    """Drop in the target's output when one frequency band is removed from the signal.

    The signal's real FFT is multiplied by ``1 − w_b`` (``w_b``: band ``b``'s smooth weight; the weights of
    all bands sum to 1) and transformed back; score = output(x) − output(x without band ``b``), on the
    model's own output, as occlusion's. Removing frequency bands as features follows frequency-domain
    occlusion in FreqRISE (Brüsch et al. 2025) and DFT-LRP (Vielhaben et al. 2024).

    ``spectral_occlusion`` is ``(n, B, C)`` (one value per channel with ``occlude_channels=each``, else the
    same for every channel); ``spectral_occlusion_edges`` ``(n, B + 1)`` holds the band edges in Hz when
    the sampling rate is known, in cycles per sample otherwise.
    """

    name = "spectral_occlusion"
    family = "perturbation"
    paper = "Brüsch et al. 2025, FreqRISE: Explaining time series using frequency masking"
    array_kinds: ClassVar[dict[str, str]] = {"spectral_occlusion": "band", "spectral_occlusion_edges": "axis"}
    Parameters = SpectralOcclusionParameters
    params: SpectralOcclusionParameters

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np
        from scipy import fft

        from .arrays import check_inputs
        from .perturbation import perturbed_scores
        from .spectral_copies import band_operators, band_removed_copies

        p = self.params
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        n, length, channels = x.shape
        edges = band_edges(length, p.bands, p.band_scale)
        operators = band_operators(band_weights(length, edges, p.band_taper), length)
        spectra = fft.rfft(x, axis=1)  # single precision, as the model computes
        reference = adapter.predict(x)[np.arange(n), targets]
        each_channel = p.occlude_channels == "each"
        groups = channels if each_channel else 1
        per_signal = p.bands * groups

        def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
            # the copies of every signal the block touches, then the block's rows of them (a view)
            first, last = block.start // per_signal, -(-block.stop // per_signal)
            signals = slice(first, last)
            copies = band_removed_copies(x[signals], spectra[signals], operators, each_channel)
            rows = slice(block.start - first * per_signal, block.stop - first * per_signal)
            samples = np.arange(block.start, block.stop) // per_signal
            return copies.reshape(-1, length, channels)[rows], targets[samples]

        outputs = perturbed_scores(adapter, n * per_signal, build, (length, channels))
        scores = reference[:, None, None] - outputs.reshape(n, p.bands, groups)
        scores = np.broadcast_to(scores, (n, p.bands, channels))
        return {
            "spectral_occlusion": scores.copy(),
            "spectral_occlusion_edges": np.tile(edges * (self.sampling_rate or 1.0), (n, 1)).astype(np.float32),
        }


@dataclass(frozen=True)
class FreqRISEParameters(Seeded):
    masks: int = param(500, "FreqRISE: random time-frequency masks per signal.", minimum=1)
    mask_probability: float = param(0.5, "FreqRISE: chance that a time-frequency cell is kept.")
    stft_window: int = param(32, "FreqRISE: STFT window length in samples (half-overlapping Hann).", minimum=4)

    def check(self) -> None:
        if not 0 < self.mask_probability < 1:
            raise UsageError(f"--mask-probability must be between 0 and 1, not {self.mask_probability}")


class FreqRISE(Method):
    """The output-weighted mean of random binary masks on the signal's short-time Fourier transform.

    FreqRISE (Brüsch et al. 2025): each mask keeps every STFT cell with probability ``p``; the masked signal is
    the inverse STFT; the map is RISE's estimator ``Σ_i (f(x ⊙ M_i) − f̄) M_i / (N p)`` (Petsiuk et al. 2018) on
    the target's own output, centred on the masks' mean output ``f̄``: RISE's map less a constant, with far less
    sampling noise when each cell moves the output a little. Masks are drawn seeded by ``seed`` and the signal,
    as SmoothGrad's noise, as random levels below a threshold (1 bit a cell for the default ``p`` = 0.5, 8 bits
    for multiples of 1/256, else 16), so ``p`` is rounded to a multiple of 1/65,536 and that ``p`` divides the
    map; the same mask applies to every channel.

    ``freqrise`` is ``(n, F, T)``; ``freqrise_frequencies`` ``(n, F)`` (Hz when the sampling rate is known,
    else cycles per sample) and ``freqrise_times`` ``(n, T)`` (seconds, else samples) are its axes.
    """

    name = "freqrise"
    family = "perturbation"
    paper = "Brüsch et al. 2025, FreqRISE: Explaining time series using frequency masking"
    array_kinds: ClassVar[dict[str, str]] = {
        "freqrise": "time_frequency",
        "freqrise_frequencies": "axis",
        "freqrise_times": "axis",
    }
    Parameters = FreqRISEParameters
    params: FreqRISEParameters

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np
        from scipy import signal as sp

        from .arrays import check_inputs, signal_rng
        from .perturbation import perturbed_scores
        from .spectral_copies import MaskedSTFTCopies, draw_masks

        p = self.params
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        n, length, channels = x.shape
        window = min(p.stft_window, length)
        frequencies, times, spectra = sp.stft(x, axis=1, **_stft_options(window))  # (n, F, C, T)
        seed_of = functools.partial(signal_rng, p.seed)
        masks, probability = draw_masks(seed_of, x, p.masks, (len(times), len(frequencies)), p.mask_probability)
        copies = MaskedSTFTCopies(spectra, *stft_atoms(length, window), length)
        every_mask = masks.reshape(n * p.masks, *masks.shape[2:])  # (n·masks, T, F), a view

        def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
            samples = np.arange(block.start, block.stop) // p.masks
            return copies.build(every_mask[block], samples), targets[samples]

        outputs = perturbed_scores(adapter, n * p.masks, build, (length, channels)).reshape(n, p.masks)
        outputs = outputs.astype(np.float64)
        centred = outputs - outputs.mean(axis=1, keepdims=True)
        weighted = np.stack([np.tensordot(c, m, axes=1).T for c, m in zip(centred, masks, strict=True)])
        rate = self.sampling_rate
        return {
            "freqrise": (weighted / (p.masks * probability)).astype(np.float32),
            "freqrise_frequencies": np.tile(frequencies * (rate or 1.0), (n, 1)).astype(np.float32),
            "freqrise_times": np.tile(times / (rate or 1.0), (n, 1)).astype(np.float32),
        }


def _stft_options(window: int) -> dict[str, Any]:
    return {"nperseg": window, "noverlap": window // 2, "boundary": "zeros", "padded": True}


@functools.lru_cache(maxsize=8)
def stft_atoms(length: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """What each frame's cells of value 1, then of value i, become after the inverse STFT, over the ``window``
    samples the frame covers: ``(T, 2F, window)``, and each frame's first sample (negative for the first).

    The inverse STFT is real-linear and each frame touches only its own window, so a masked copy is one small
    matrix product per frame and an overlap-add, instead of an inverse STFT per copy.
    """
    import numpy as np
    from scipy import signal as sp

    frequencies, times, _ = sp.stft(np.zeros(length), **_stft_options(window))
    cells = (len(frequencies), len(times))
    impulses = np.eye(cells[0] * cells[1]).reshape(-1, *cells)
    inverse = {"nperseg": window, "noverlap": window // 2, "boundary": True}
    both = np.concatenate([sp.istft(impulses, **inverse)[1], sp.istft(1j * impulses, **inverse)[1]])
    both = np.pad(both.reshape(2, *cells, -1), ((0, 0), (0, 0), (0, 0), (window, window)))
    starts = np.arange(cells[1]) * (window - window // 2) - window // 2  # hop: the window less its overlap
    atoms = np.stack([both[:, :, t, window + start : 2 * window + start] for t, start in enumerate(starts)])
    return atoms.reshape(cells[1], 2 * cells[0], window).astype(np.float32), starts
