"""What a result folder holds, by name, and how a Zarr store is opened: shared by the writers and the reader."""

from __future__ import annotations

from typing import Any

from .errors import UsageError

ARRAYS_FILE = "attributions.npz"
ZARR_FILE = "attributions.zarr"
MANIFEST_FILE = "manifest.json"
SUMMARY_NPZ = "summary.npz"
SUMMARY_JSON = "summary.json"


def import_zarr() -> Any:
    try:
        import zarr
    except ImportError:
        raise UsageError(
            "--store zarr needs the zarr package", 'install the extra: pip install "signalscreen[dask]"'
        ) from None
    return zarr
