"""Writing results whole: built in a staging folder beside the output, renamed into place, or not at all."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .. import interrupts
from ..errors import OutputError
from .owners import remove_dead_stagings, staging_prefix

# what --overwrite may replace: our own results only (heads.json: --output all, pipeline/heads.py)
RESULT_FILES = ("manifest.json", "evaluation.json", "heads.json")


def check_destination(out_dir: Path, overwrite: bool) -> None:
    """Refuse an existing output folder unless ``overwrite``; refuse a path that is a file."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a folder")
    if out_dir.exists() and not overwrite:
        raise OutputError(f"{out_dir}: already exists", "pass --overwrite to replace it, or choose another --out")
    if out_dir.exists() and any(out_dir.iterdir()) and not any((out_dir / name).exists() for name in RESULT_FILES):
        raise OutputError(
            f"{out_dir}: is not a SignalScreen result (no {' or '.join(RESULT_FILES)}), so --overwrite leaves it alone",
            "choose another --out",
        )


@contextlib.contextmanager
def staged_output(out_dir: Path, overwrite: bool) -> Iterator[Path]:
    """Yield an empty staging folder beside ``out_dir``; on success it replaces ``out_dir`` atomically.

    On any error or interruption the staging folder is removed and ``out_dir`` is left as it was.
    """
    check_destination(out_dir, overwrite)
    parent = out_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_dead_stagings(out_dir)  # a killed run's folder without a journal: nothing to keep
        staging = Path(tempfile.mkdtemp(prefix=staging_prefix(out_dir), dir=parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create output folder ({exc.strerror or exc})") from exc
    try:
        yield staging
        _move_into_place(staging, out_dir, overwrite)
    except OutputError as error:  # name the folder the user asked for, not the staging one
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(error.message.replace(str(staging), str(out_dir)), error.hint) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _move_into_place(staging: Path, out_dir: Path, overwrite: bool) -> None:
    interrupts.check()
    shutil.rmtree(staging / "journal", ignore_errors=True)  # the resume journal (pipeline/resume.py): done with
    check_destination(out_dir, overwrite)
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=staging.parent))
        os.replace(out_dir, old / "previous")
    try:
        os.replace(staging, out_dir)
    except OSError as exc:
        if old is not None:
            os.replace(old / "previous", out_dir)
        raise OutputError(f"{out_dir}: cannot move results into place ({exc.strerror or exc})") from exc
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def safe_name(text: str) -> str:
    """A file-name fragment from user text: letters, digits, ``-``, ``_`` and ``.``, never ``..``."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "_"
    return cleaned.replace("..", "_")
