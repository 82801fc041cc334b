"""Plan → executor → reorder → sinks: the one path every command and the Python API take."""

from ..records import ChunkResult
from .run import MemoryResult, RunResult, collect, run

__all__ = ["ChunkResult", "MemoryResult", "RunResult", "collect", "run"]
