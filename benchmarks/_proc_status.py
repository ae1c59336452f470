"""This process's memory figures from ``/proc/self/status`` (Linux), for the benchmarks.

Peaks are read as ``VmHWM``, not ``ru_maxrss``: Linux carries ``ru_maxrss`` over from a forking
parent into the child, so a child forked from a large parent would report the parent's peak.
"""

from __future__ import annotations


def status_mib(key: str) -> float:
    """The ``key`` line of ``/proc/self/status`` (``"VmRSS"``, ``"VmHWM"``) in MiB; NaN where
    there is no such file or line."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
