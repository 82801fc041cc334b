"""The cyclic garbage collector set aside while figures are drawn: the objects alive before are frozen.

Drawing allocates many small matplotlib objects, and every so often Python's collector walks all the objects
of the process to find cycles: after TensorFlow and a model are loaded, about 400,000 of them, which in the
set-up run cost 0.28 s of the outputs' time (one full and five middle collections). Freezing the objects that
exist when drawing begins (``gc.freeze``) leaves the collector to the new ones, which it still collects, and
unfreezing them afterwards puts them back as they were. Where something else froze objects already (a CLI
that froze them after loading the model) this does nothing: those objects are out of the collector's way.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def old_objects_frozen() -> Iterator[None]:
    """Inside, the collector looks only at objects made inside; afterwards, at all of them again."""
    if gc.get_freeze_count() or not gc.isenabled():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
