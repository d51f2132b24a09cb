"""Group health of the sample network, as an organizing director's analyst
would run it in a notebook: score every chapter from the CRM's activity
export, print the table, and save one picture.

    python examples/python/analyst.py [OUT.png]

Reads examples/data/network.json (names), groups.json (created, leaders,
pauses, staff) and activity.csv (13 months of activity). Scores as of
2026-11-01 with the model calibrated on the network's own history (as the
Rust tour does), then re-scores at the start of every month to show how the
status counts moved, carrying each month's statuses into the next run (the
hysteresis a real monthly pipeline has).
"""

import json
import math
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import chapterhouse as ch  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "out" / "health.png"
NOW = pd.Timestamp("2026-11-01", tz="UTC")

STATUS_ORDER = ["thriving", "steady", "new", "at_risk", "dormant"]
COLOURS = {
    "thriving": "#1a9850",
    "steady": "#91bfdb",
    "new": "#fdae61",
    "at_risk": "#d73027",
    "dormant": "#7f7f7f",
}
LABELS = {"at_risk": "at risk"}


def main():
    network = ch.Network.from_json((DATA / "network.json").read_text())
    groups = json.loads((DATA / "groups.json").read_text())
    activity = pd.read_csv(DATA / "activity.csv", dtype={"group": "category", "kind": "category", "actor": "string"})
    activity["time"] = pd.to_datetime(activity["time"], utc=True)
    print(f"{len(activity):,} activity rows for {activity['group'].nunique()} groups, "
          f"{activity['time'].min():%Y-%m-%d} to {activity['time'].max():%Y-%m-%d}")

    # 1. Calibrate on the network's own history, then score.
    model, notes = ch.calibrate(activity, groups, now=NOW)
    for note in notes:
        if "cohort" not in note:
            print("  calibration:", note)
    scores = ch.score_health(activity, groups, now=NOW, model=model).to_pandas()
    scores["name"] = [(network.node(g) or {}).get("name", g) for g in scores["group"]]

    # 2. The table a director reads: worst first within each status.
    table = scores.sort_values("score", ascending=False)[
        ["name", "score", "status", "active_leaders", "bus_factor", "intervention_text"]
    ]
    with pd.option_context("display.max_rows", 200, "display.width", 160, "display.max_colwidth", 60,
                           "display.float_format", lambda x: f"{math.floor(x * 10) / 10:.1f}"):
        print(table.to_string(index=False))
    counts = scores["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    print("\nstatus counts:", ", ".join(f"{LABELS.get(s, s)} {n}" for s, n in counts.items()))
    worst = scores[scores["status"] == "at_risk"].nsmallest(1, "score")
    if len(worst):
        print("\n" + worst["explanation"].iloc[0])

    # 3. Status counts at the start of every month, statuses carried forward.
    months = pd.date_range(pd.Timestamp("2026-01-01", tz="UTC"), NOW, freq="MS")
    previous = {}
    history = []
    for month in months[:-1]:
        facts = {"staff": groups["staff"], "groups": []}
        for g in groups["groups"]:
            g = {k: v for k, v in g.items() if k != "previous_status"}
            if pd.Timestamp(g.get("created", "1970-01-01T00:00:00Z")) > month:
                continue  # not founded yet
            if g["group"] in previous:
                g["previous_status"] = previous[g["group"]]
            facts["groups"].append(g)
        month_scores = ch.score_health(activity[activity["time"] < month], facts, now=month, model=model).to_pandas()
        previous = dict(zip(month_scores["group"], month_scores["status"]))
        history.append(month_scores["status"].value_counts().rename(month))
    # The last bar is today's official run (previous statuses from the CRM).
    history.append(scores["status"].value_counts().rename(NOW))
    over_time = pd.DataFrame(history).reindex(columns=STATUS_ORDER, fill_value=0).fillna(0)

    # 4. The picture.
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(15, 13), gridspec_kw={"width_ratios": [1.15, 1]}, constrained_layout=True
    )
    ordered = scores.sort_values("score")
    left.barh(ordered["name"], ordered["score"], color=[COLOURS[s] for s in ordered["status"]], height=0.75)
    left.set_xlim(0, 100)
    left.set_xlabel("health score (0–100)")
    left.set_title(f"Chapter health on {NOW:%d %B %Y}", loc="left", fontsize=13, fontweight="bold", pad=16)
    left.tick_params(axis="y", labelsize=7.5)
    left.margins(y=0.005)
    for x, label in zip(model_thresholds(model), ("at risk below", "thriving from")):
        left.axvline(x, color="#444", lw=0.6, ls=":")
        left.annotate(f"{label} {x:g}", (x, 1.0), xycoords=("data", "axes fraction"), ha="center",
                      va="bottom", fontsize=8, color="#444")
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLOURS[s]) for s in STATUS_ORDER]
    left.legend(handles, [f"{LABELS.get(s, s)} ({counts[s]})" for s in STATUS_ORDER],
                loc="lower right", title="status", frameon=True)

    bottom = pd.Series(0.0, index=over_time.index)
    x = [m.strftime("%b\n%Y") if m.month == 1 else m.strftime("%b") for m in over_time.index]
    for s in STATUS_ORDER:
        right.bar(x, over_time[s], bottom=bottom, color=COLOURS[s], label=LABELS.get(s, s), width=0.7)
        bottom += over_time[s]
    right.set_ylabel("chapters")
    right.set_title("Status at the start of each month", loc="left", fontsize=13, fontweight="bold", pad=16)
    right.legend(loc="upper left", title="status")
    right.set_ylim(0, bottom.max() * 1.25)
    for xi, total in zip(x, bottom):
        right.annotate(f"{int(total)}", (xi, total), ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                       textcoords="offset points")
    fig.suptitle("Clean Water Alliance — group health (chapterhouse)", fontsize=15)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"\nsaved {OUT}")


def model_thresholds(model):
    """The at-risk and thriving entry scores, drawn as guides."""
    t = json.loads(model.to_json())["thresholds"]
    return [t["at_risk_enter"], t["thriving_enter"]]


if __name__ == "__main__":
    main()
