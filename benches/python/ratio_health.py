"""The bench's headline ratio alone, quickly: chapterhouse (pandas in,
pandas out; best of REPEAT, default 5) against vectorized pandas (best of
3) in one process, for the installed package or for a build of the
extension module given as an argument. No per-group pandas run and no
comparison of the results (bench_health.py does both).

    python benches/python/ratio_health.py [BUILD.so]

REPEAT and ROWS / GROUP_COUNT (default the bench's 10,000,000 / 10,000)
come from the environment.
"""

import importlib.util
import json
import os
import sys

# bench_health reads its own arguments when imported: keep ours apart.
ARGS = sys.argv[1:]
del sys.argv[1:]
import bench_health as bh  # noqa: E402
import chapterhouse as ch  # noqa: E402
from measure import measure  # noqa: E402


def main():
    if ARGS:
        spec = importlib.util.spec_from_file_location("_chapterhouse", ARGS[0])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        ch._chapterhouse = module
    rows = int(os.environ.get("ROWS", bh.ROWS))
    groups = int(os.environ.get("GROUP_COUNT", bh.GROUPS))
    df = bh.make_log(rows, groups)
    model = json.loads(ch.HealthModel().to_json())
    _, wall, cpu, mib = measure(lambda: ch.score_health(df, now=bh.NOW).to_pandas(),
                                repeat=int(os.environ.get("REPEAT", "5")))
    _, pd_wall, pd_cpu, pd_mib = measure(lambda: bh.pandas_health(df, bh.NOW, model), repeat=3)
    print(f"chapterhouse {wall:.3f} s wall {cpu:.3f} cpu {mib:.0f} MiB | pandas {pd_wall:.2f} s wall"
          f" {pd_cpu:.2f} cpu {pd_mib:.0f} MiB | ratio {pd_wall / wall:.1f}x wall {pd_cpu / cpu:.1f}x cpu"
          f" | load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
