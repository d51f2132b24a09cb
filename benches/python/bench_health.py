"""Health scoring of 10 million activity rows (10,000 groups, 400 days):
chapterhouse.score_health against the same formula written in pandas as an
analyst would write it (groupby, exp2, cumcount), on the same DataFrame.
The two results are compared group by group before any figure is printed.

    python benches/python/bench_health.py [ROWS] [GROUPS]

Prints one table and writes out/health.json. Wall and CPU seconds are
measured in this process; "extra MiB" is the rise of peak RSS during the
call (the input DataFrame is already in memory for both).
"""

import json
import os
import pathlib
import platform
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa

import chapterhouse as ch
from measure import measure

HERE = pathlib.Path(__file__).resolve().parent
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
GROUPS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
NOW = pd.Timestamp("2026-11-01", tz="UTC")
SEED = 20261101
COMPONENTS = ["activity", "leadership", "impact", "growth", "conversation"]
KINDS = ["event_held", "member_joined", "member_left", "leader_action", "post",
         "petition_started", "action_reported", "win"]
KIND_P = [0.12, 0.12, 0.05, 0.15, 0.40, 0.05, 0.07, 0.04]


def make_log(rows, groups):
    """A synthetic CRM export: categorical ids, UTC timestamps, NaN values."""
    rng = np.random.default_rng(SEED)
    g = rng.integers(0, groups, rows, dtype=np.int32)
    k = rng.choice(len(KINDS), rows, p=KIND_P).astype(np.int8)
    # Older groups are busier; activity thins out towards the past.
    age_s = rng.exponential(120 * 86400, rows).clip(0, 400 * 86400)
    time_ns = (NOW.value - (age_s * 1e9).astype(np.int64))
    value = np.full(rows, np.nan)
    ev = k == 0
    value[ev] = rng.poisson(14, ev.sum())
    joined = k == 1
    value[joined] = np.where(rng.random(joined.sum()) < 0.5, np.nan, rng.integers(1, 4, joined.sum()))
    counted = (k >= 5)
    value[counted] = np.where(rng.random(counted.sum()) < 0.7, np.nan, rng.integers(1, 3, counted.sum()))
    people_per_group = 8
    actor = g.astype(np.int64) * people_per_group + rng.integers(0, people_per_group, rows)
    group_names = np.array([f"g-{i:05d}" for i in range(groups)], dtype=object)
    actor_names = np.array([f"p-{i:07d}" for i in range(groups * people_per_group)], dtype=object)
    return pd.DataFrame({
        "group": pd.Categorical.from_codes(g, categories=group_names),
        "time": pd.to_datetime(time_ns, utc=True),
        "kind": pd.Categorical.from_codes(k, categories=KINDS),
        "value": value,
        "actor": pd.Categorical.from_codes(actor, categories=actor_names),
    })


def pandas_health(df, now, model):
    """The health formula in pandas, as an analyst writes it from the docs:
    each component is a decayed count S = sum(v * 2^(-age/H)) saturated as
    100*S/(S+k); leadership is 100*(1 - 2^-L) with L the sum of each
    leader's recency; posts count at most N per author per day (the latest);
    an event counts 1 + w*min(attendance, cap)/cap; the score is the
    weighted mean."""
    half_life_s = {c: model["half_lives_days"][c] * 86400.0 for c in COMPONENTS}
    k = model["calibration"]["k"]
    cap = model["calibration"]["attendance_cap"]
    w = model["attendance_weight"]
    per_post_day = model["posts_per_author_per_day"]

    df = df[df["time"] <= now]
    age = (now - df["time"]).dt.total_seconds()
    kind = df["kind"]

    def decay(a, c):
        return np.exp2(-a / half_life_s[c])

    s = {}
    ev = df[kind == "event_held"]
    v = (1 + w * ev["value"].clip(upper=cap) / cap).fillna(1.0)
    s["activity"] = (decay(age[ev.index], "activity") * v).groupby(ev["group"], observed=True).sum()

    la = df[kind == "leader_action"].assign(age=age)
    last = la.groupby(["group", "actor"], observed=True)["age"].min()
    leaders_l = decay(last, "leadership").groupby(level="group", observed=True).sum()

    imp = df[kind.isin(["petition_started", "action_reported", "win"])]
    per = imp["kind"].astype(str).map(model["impact_values"])
    s["impact"] = (decay(age[imp.index], "impact") * imp["value"].fillna(1.0) * per).groupby(
        imp["group"], observed=True).sum()

    j = df[kind == "member_joined"]
    s["growth"] = (decay(age[j.index], "growth") * j["value"].fillna(1.0)).groupby(
        j["group"], observed=True).sum()

    posts = df[kind == "post"].assign(age=age, day=df["time"].dt.floor("D"))
    posts = posts.sort_values("age", kind="stable")
    posts = posts[posts.groupby(["group", "actor", "day"], observed=True).cumcount() < per_post_day]
    s["conversation"] = decay(posts["age"], "conversation").groupby(posts["group"], observed=True).sum()

    groups = df["group"].cat.categories if hasattr(df["group"], "cat") else df["group"].unique()
    out = pd.DataFrame(index=pd.Index(groups, name="group"))
    for c in ("activity", "impact", "growth", "conversation"):
        sc = s[c].reindex(out.index, fill_value=0.0)
        out[f"{c}_score"] = 100 * sc / (sc + k[c])
    out["leadership_score"] = 100 * (1 - np.exp2(-leaders_l.reindex(out.index, fill_value=0.0)))
    weights = model["weights"]
    total = sum(weights.values())
    out["score"] = sum(weights[c] / total * out[f"{c}_score"] for c in COMPONENTS)
    return out.reset_index()


def pandas_health_per_group(df, now, model):
    """The same formula as a per-group function, the way the model reads
    ("for each group: decay its events, its leaders' last actions, ...")
    and the way analysts often write it: groupby(...).apply(score_group)."""
    half_life_s = {c: model["half_lives_days"][c] * 86400.0 for c in COMPONENTS}
    k = model["calibration"]["k"]
    cap = model["calibration"]["attendance_cap"]
    w = model["attendance_weight"]
    per_post_day = model["posts_per_author_per_day"]
    impact_values = model["impact_values"]
    weights = model["weights"]
    total = sum(weights.values())

    def saturate(s, c):
        return 100 * s / (s + k[c])

    def score_group(g):
        age = (now - g["time"]).dt.total_seconds()
        kind = g["kind"]
        ev = kind == "event_held"
        att = (1 + w * g.loc[ev, "value"].clip(upper=cap) / cap).fillna(1.0)
        activity = saturate((np.exp2(-age[ev] / half_life_s["activity"]) * att).sum(), "activity")
        la = kind == "leader_action"
        last = age[la].groupby(g.loc[la, "actor"], observed=True).min()
        leadership = 100 * (1 - np.exp2(-np.exp2(-last / half_life_s["leadership"]).sum()))
        imp = kind.isin(["petition_started", "action_reported", "win"])
        per = g.loc[imp, "kind"].astype(str).map(impact_values)
        impact = saturate((np.exp2(-age[imp] / half_life_s["impact"]) * g.loc[imp, "value"].fillna(1.0)
                           * per).sum(), "impact")
        j = kind == "member_joined"
        growth = saturate((np.exp2(-age[j] / half_life_s["growth"]) * g.loc[j, "value"].fillna(1.0)).sum(),
                          "growth")
        posts = g[kind == "post"].assign(age=age, day=g["time"].dt.floor("D")).sort_values("age", kind="stable")
        posts = posts.groupby(["actor", "day"], observed=True).head(per_post_day)
        conversation = saturate(np.exp2(-posts["age"] / half_life_s["conversation"]).sum(), "conversation")
        comps = {"activity": activity, "leadership": leadership, "impact": impact, "growth": growth,
                 "conversation": conversation}
        row = {f"{c}_score": v for c, v in comps.items()}
        row["score"] = sum(weights[c] / total * v for c, v in comps.items())
        return pd.Series(row)

    df = df[df["time"] <= now]
    return df.groupby("group", observed=True).apply(score_group, include_groups=False).reset_index()


def main():
    t0 = time.perf_counter()
    df = make_log(ROWS, GROUPS)
    table = pa.Table.from_pandas(df, preserve_index=False)
    print(f"{len(df):,} rows, {GROUPS:,} groups, made in {time.perf_counter() - t0:.1f} s "
          f"(DataFrame {df.memory_usage(deep=False).sum() / 2**20:.0f} MiB)")
    model = json.loads(ch.HealthModel().to_json())

    ours, ch_wall, ch_cpu, ch_mib = measure(lambda: ch.score_health(df, now=NOW).to_pandas(), repeat=3)
    _, ch_pa_wall, ch_pa_cpu, ch_pa_mib = measure(lambda: ch.score_health(table, now=NOW), repeat=3)
    theirs, pd_wall, pd_cpu, pd_mib = measure(lambda: pandas_health(df, NOW, model))
    per_group, ap_wall, ap_cpu, ap_mib = measure(lambda: pandas_health_per_group(df, NOW, model))

    # Same answers, group by group.
    a = ours.set_index("group").sort_index()
    diffs = {}
    for name, other in (("vectorized", theirs), ("per-group", per_group)):
        b = other.set_index("group").sort_index()
        b.index = b.index.astype(str)
        assert list(a.index) == list(b.index), f"{name}: different groups"
        d = {c: float((a[c] - b[c]).abs().max()) for c in ["score"] + [f"{c}_score" for c in COMPONENTS]}
        print(f"results vs pandas {name}: {len(a):,} groups; largest difference {max(d.values()):.2e} points "
              f"({', '.join(f'{k} {v:.1e}' for k, v in d.items())})")
        # Contributions are multiples of 1/1024 point in chapterhouse, so the
        # score may differ from the float formula by up to 5/1024.
        assert d["score"] <= 5 / 1024 + 1e-9, d
        # Decay is fixed-point in chapterhouse (bit-identical everywhere), exp2 here.
        assert all(v < 1e-4 for k, v in d.items() if k != "score"), d
        diffs[name] = d

    rows = [
        ("chapterhouse (pandas in, pandas out)", ch_wall, ch_cpu, ch_mib),
        ("chapterhouse (pyarrow in, Arrow out)", ch_pa_wall, ch_pa_cpu, ch_pa_mib),
        ("pandas vectorized (groupby-sum)", pd_wall, pd_cpu, pd_mib),
        ("pandas per group (groupby-apply)", ap_wall, ap_cpu, ap_mib),
    ]
    print(f"\n{'':40} {'wall s':>8} {'cpu s':>8} {'rows/s':>12} {'vs vect.':>9} {'vs apply':>9} "
          f"{'extra MiB':>10}")
    for name, wall, cpu, mib in rows:
        print(f"{name:40} {wall:8.2f} {cpu:8.2f} {ROWS / wall:12,.0f} {pd_wall / wall:8.1f}x "
              f"{ap_wall / wall:8.1f}x {mib:10.0f}")
    result = {
        "rows": ROWS, "groups": GROUPS, "cpus": os.cpu_count(), "machine": platform.machine(),
        "load_average": os.getloadavg(), "pandas": pd.__version__, "pyarrow": pa.__version__,
        "chapterhouse": ch.__version__, "max_difference": diffs,
        "runs": [{"name": n, "wall_s": w, "cpu_s": c, "extra_peak_mib": m} for n, w, c, m in rows],
        "ratio_wall_vectorized": pd_wall / ch_wall, "ratio_cpu_vectorized": pd_cpu / ch_cpu,
        "ratio_wall_per_group": ap_wall / ch_wall, "ratio_cpu_per_group": ap_cpu / ch_cpu,
    }
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "health.json").write_text(json.dumps(result, indent=2))
    print(f"\nratios (pandas in, pandas out): {pd_wall / ch_wall:.1f}x wall / {pd_cpu / ch_cpu:.1f}x cpu "
          f"against vectorized pandas, {ap_wall / ch_wall:.1f}x wall / {ap_cpu / ch_cpu:.1f}x cpu against "
          f"per-group pandas; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
