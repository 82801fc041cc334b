"""Who owns a staging folder: host, process id and the process's start time, in the folder's own name.

A staging folder whose process is gone (killed by SIGKILL or the out-of-memory killer) is found by the next
run into the same output: a resumable one (``journal/``, see ``pipeline/resume.py``) is reported, any other
one holds nothing worth keeping and is removed, so that none is left to grow silently.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
from pathlib import Path
from typing import Any


def host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def start_time(pid: int) -> str | None:
    """When process ``pid`` started (Linux: clock ticks since boot), so that a reused id is not taken for it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22, counted after the command name


def this_owner() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": start_time(os.getpid())}


def staging_prefix(out_dir: Path) -> str:
    """``.NAME.partial-HOST-PID-START-``: the start of a staging folder's name (a random tail follows)."""
    return f".{out_dir.name}.partial-{host_tag()}-{os.getpid()}-{start_time(os.getpid()) or 0}-"


def alive(owner: dict[str, Any]) -> bool:
    """Whether the owner may still run (another host, or anything unreadable: assumed so)."""
    if owner.get("host") not in (socket.gethostname(), host_tag()):
        return True
    try:
        pid = int(owner.get("pid", 0))
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, OverflowError, TypeError):
        return True
    started = owner.get("started")
    return pid > 0 and (started in (None, "0") or start_time(pid) in (None, str(started)))


def owner_from_name(folder: Path) -> dict[str, Any] | None:
    """The owner a staging folder's name records, or ``None`` for a name of another form."""
    tail = folder.name.rsplit(".partial-", 1)[-1].split("-")
    if len(tail) < 4 or not tail[1].isdigit():
        return None
    return {"host": tail[0], "pid": int(tail[1]), "started": tail[2]}


def remove_dead_stagings(out_dir: Path) -> None:
    """Remove the staging folders of runs into ``out_dir`` whose process is gone and that hold no journal."""
    for folder in out_dir.absolute().parent.glob(f".{out_dir.name}.partial-*"):
        owner = owner_from_name(folder)
        if owner is not None and not alive(owner) and not (folder / "journal").exists():
            shutil.rmtree(folder, ignore_errors=True)
