"""Timing and memory for the side-by-side Python benchmarks: wall and CPU
seconds of a call and the rise of peak RSS it caused (Linux /proc)."""

import gc
import time


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def measure(fn, repeat=1):
    """Best wall time of `repeat` runs, its CPU seconds, and the largest rise of peak RSS."""
    best, peak = None, 0.0
    for _ in range(repeat):
        gc.collect()
        before = status_kib("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
        c0, t0 = time.process_time(), time.perf_counter()
        res = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        mib = max(0, status_kib("VmHWM") - before) / 1024
        peak = max(peak, mib)  # the first run's: later runs reuse freed memory
        if best is None or wall < best[1]:
            best = (res, wall, cpu)
    return (*best, peak)
