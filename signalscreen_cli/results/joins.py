"""Checks for every place that joins two outputs: they must come from the same model, data and rows.

An output names its source by the SHA-256 of the model and data files and by the rows of the data file it
covers. A join whose two sides differ in any of them is refused (``MismatchedOutputs``, exit code 2) unless
the user allows it explicitly; then the differences are returned, and the page that shows the join says them
in a banner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UsageError


class MismatchedOutputs(UsageError):
    """Two outputs joined into one page or score come from different models, data or rows."""


@dataclass(frozen=True)
class Source:
    """What one output was made from.

    Attributes
    ----------
    where : str
        How messages name the output (its folder, or the option that gave it).
    model_sha256, data_sha256 : str or None
        SHA-256 of the model and the data file, as its manifest records them.
    model_path, data_path : str or None
        The paths it recorded, for the message.
    rows : numpy.ndarray
        The rows of the data file it covers, in its order.
    """

    where: str
    model_sha256: str | None
    data_sha256: str | None
    model_path: str | None
    data_path: str | None
    rows: np.ndarray


def differences(first: Source, second: Source, roles: Sequence[str] = ("model", "data", "rows")) -> list[str]:
    """One sentence per way in which ``second`` does not come from what ``first`` does."""
    found = []
    for role in ("model", "data"):
        if role not in roles:
            continue
        a, b = getattr(first, f"{role}_sha256"), getattr(second, f"{role}_sha256")
        if a != b:
            found.append(
                f"{second.where} was made from {role} {getattr(second, f'{role}_path')!r} (sha256 {_short(b)}), "
                f"{first.where} from {getattr(first, f'{role}_path')!r} (sha256 {_short(a)})"
            )
    if "rows" in roles and not np.array_equal(first.rows, second.rows):
        found.append(f"{second.where} covers {_rows(second.rows)}, {first.where} {_rows(first.rows)}")
    return found


def check_join(
    first: Source, second: Source, allow: bool, option: str, roles: Sequence[str] = ("model", "data", "rows")
) -> list[str]:
    """The differences between two joined outputs; raise ``MismatchedOutputs`` where there are some and the
    user did not pass ``option`` to allow them."""
    found = differences(first, second, roles)
    if found and not allow:
        raise MismatchedOutputs(
            "; ".join(found),
            f"join outputs of the same model, data and rows, or pass {option} to show them together with a warning",
        )
    return found


def run_source(folder: Path, where: str | None = None) -> Source:
    """The source of an ``explain`` output folder (its manifest and its ``sample_index``)."""
    from ..layout import ARRAYS_FILE
    from .reader import read_result

    stored = read_result(folder, where)
    if stored.store == "npz":
        try:
            with np.load(folder / ARRAYS_FILE, allow_pickle=False) as archive:
                rows = np.asarray(archive["sample_index"], np.int64)  # only this member is read
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise UsageError(f"{stored.where}: cannot read its sample_index ({exc})") from None
    else:
        rows = np.asarray(stored.arrays()["sample_index"], np.int64)
    return _source(stored.where, stored.manifest, rows)


def evaluation_source(document: dict, where: str) -> Source:
    """The source of an ``evaluate`` output (its ``evaluation.json``)."""
    rows = np.asarray((document.get("signals") or {}).get("sample_index", []), np.int64)
    return _source(where, document, rows)


def _source(where: str, document: dict, rows: np.ndarray) -> Source:
    model, data = document.get("model") or {}, document.get("data") or {}
    return Source(where, model.get("sha256"), data.get("sha256"), model.get("path"), data.get("path"), rows)


def _short(sha: str | None) -> str:
    return f"{sha[:12]}…" if sha else "not recorded"


def _rows(rows: np.ndarray) -> str:
    """``32 rows (0-31)`` or ``64 rows (0, 1, 2, …)``: enough to see which."""
    if not len(rows):
        return "no rows"
    if np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
        return f"{len(rows)} rows ({int(rows[0])}–{int(rows[-1])})"
    shown = ", ".join(str(int(row)) for row in rows[:3])
    return f"{len(rows)} rows ({shown}{', …' if len(rows) > 3 else ''})"
