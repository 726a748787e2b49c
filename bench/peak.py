"""A benchmark child's own peak memory.

`ru_maxrss` is not it for a child of a big parent: Linux carries the highest RSS of the process image that
called exec over to the new one (with fork or vfork, that image is the parent's), so a child started by a
`run.py` already holding the big vault reported 144 MB before doing anything. `VmHWM` in /proc/self/status is
the peak of the running image alone; elsewhere `ru_maxrss` is the best there is.
"""

from __future__ import annotations

import resource
import sys


def peak_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere
