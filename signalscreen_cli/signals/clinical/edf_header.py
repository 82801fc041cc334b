"""An EDF/BDF file's fixed header, checked against the file's size before any reader sees it.

A file truncated mid-record (a copy cut short, a recorder that lost power) would be read by ``edfio`` with a
``UserWarning`` and silently shortened; here it is refused with the numbers that disagree.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import SignalFileError

FIXED_HEADER_BYTES = 256
SIGNAL_HEADER_BYTES = 256
SAMPLES_FIELD_OFFSET = 216  # per-signal fields before "samples per data record": 16+80+8+8+8+8+8+80 bytes, times ns


def check_edf_size(path: Path) -> None:
    """Refuse an EDF/BDF file whose header does not parse, or whose size is not the header's records."""
    sample_bytes = 3 if path.suffix.lower() == ".bdf" else 2
    try:
        with open(path, "rb") as handle:
            fixed = handle.read(FIXED_HEADER_BYTES)
            if len(fixed) < FIXED_HEADER_BYTES:
                raise ValueError(f"{len(fixed)} bytes, shorter than the {FIXED_HEADER_BYTES}-byte header")
            header_bytes, records, signals = int(fixed[184:192]), int(fixed[236:244]), int(fixed[252:256])
            if signals < 1 or header_bytes != FIXED_HEADER_BYTES + signals * SIGNAL_HEADER_BYTES:
                raise ValueError(f"header size {header_bytes} does not fit {signals} signals")
            handle.seek(FIXED_HEADER_BYTES + signals * SAMPLES_FIELD_OFFSET)
            field = handle.read(8 * signals)
            if len(field) < 8 * signals:
                raise ValueError("the signal headers are cut short")
            samples = [int(field[8 * k : 8 * k + 8]) for k in range(signals)]
        size = path.stat().st_size
    except OSError as exc:
        raise SignalFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise SignalFileError(f"{path}: not a readable EDF/BDF header ({exc})") from None
    record_bytes = sum(samples) * sample_bytes
    data_bytes = size - header_bytes
    if record_bytes <= 0 or any(n < 0 for n in samples):
        raise SignalFileError(f"{path}: the header gives {samples} samples per data record")
    expected = records * record_bytes if records >= 0 else None
    if data_bytes % record_bytes or (expected is not None and data_bytes != expected):
        whole = data_bytes // record_bytes
        said = f"the header says {records} data records" if records >= 0 else "the header leaves the count open"
        raise SignalFileError(
            f"{path}: truncated or padded: {data_bytes} bytes of data hold {whole} whole records of "
            f"{record_bytes} bytes and {data_bytes % record_bytes} bytes more; {said}",
            "the file was cut short or changed; use a complete copy",
        )
