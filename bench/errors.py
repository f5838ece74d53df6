from __future__ import annotations


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and why."""
