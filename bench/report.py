#!/usr/bin/env python3
"""Summarize bench/bench.py's results.jsonl as Markdown tables.

Every figure is the median over the runs of one target and concurrency,
and each peer's figure is also given as a ratio to prhook's.

Usage: report.py RESULTS_JSONL
"""

import collections
import json
import statistics
import sys

INGEST = [("prhook-ingest", "prhook"), ("webhook-ingest", "adnanh/webhook"), ("pr-agent-ingest", "PR-Agent")]
END_TO_END = [("prhook-e2e", "prhook"), ("webhook-e2e", "adnanh/webhook")]


def median(rows, key):
    values = [row[key] for row in rows if row.get(key) is not None]
    return statistics.median(values) if values else None


def number(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def ratio(ours, theirs, higher_is_better=True):
    if not ours or not theirs:
        return ""
    factor = ours / theirs if higher_is_better else theirs / ours
    return f" ({factor:,.1f}×)" if factor >= 1.05 or factor <= 0.95 else " (1.0×)"


def cell(runs, ours, key, digits, higher_is_better):
    """Formats the median of `key` over `runs`, with its ratio to prhook's `ours` when `runs` are a peer's."""
    value = median(runs, key)
    text = number(value, digits)
    if runs is ours:
        return text
    return text + ratio(median(ours, key), value, higher_is_better)


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    machine = next((row for row in rows if row["type"] == "machine"), {})
    loads = collections.defaultdict(list)
    for row in rows:
        if row["type"] == "load":
            loads[(row["target"], row["concurrency"])].append(row)
    concurrencies = sorted({concurrency for _, concurrency in loads})

    targets = {target for target, _ in loads}
    peers = targets - {"prhook-ingest", "prhook-e2e"}
    tools = [f"{machine.get('prhook', '')} (commit {machine.get('commit', '?')})"]
    if any(target.startswith("webhook") for target in peers):
        tools.append(f"webhook {machine.get('webhook', '?')}")
    if any(target.startswith("pr-agent") for target in peers):
        tools.append(f"PR-Agent {machine.get('pr_agent', '?')}")
    tools.append(f"wrk {machine.get('wrk', '?')}")
    runs = machine.get("runs", "?")
    summary = (f"Measured {machine.get('date', '?')} on {machine.get('cpus', '?')} CPUs ({machine.get('cpu_model', '?')}), "
               f"{machine.get('memory_gib', '?')} GiB, Linux {machine.get('kernel', '?')}; {', '.join(tools)}. "
               f"{runs} {'run' if runs == 1 else 'runs'} of {machine.get('duration_s', '?')} s per cell after "
               f"{machine.get('warmup_s', '?')} s of warm-up, a fresh server for each run; medians.")
    if peers:
        summary += (" In brackets, each peer's figure as a factor of prhook's, oriented so that above 1× "
                    "means prhook is better and below 1× means the peer is.")
    print(summary)
    print()

    print("### Ingest: verify, parse and answer (prhook also stores durably)")
    print()
    print("| receiver | clients | deliveries/s | p50 ms | p90 ms | p99 ms | errors + non-2xx | peak RSS MiB | CPU ms/delivery |")
    print("|---|---|---|---|---|---|---|---|---|")
    for concurrency in concurrencies:
        ours = loads.get(("prhook-ingest", concurrency), [])
        for target, label in INGEST:
            runs = loads.get((target, concurrency))
            if not runs:
                continue
            failures = sum(run["errors"] + run["non_2xx"] for run in runs)
            print(f"| {label} | {concurrency} | {cell(runs, ours, 'rps', 0, True)} | {cell(runs, ours, 'p50_ms', 2, False)} | "
                  f"{cell(runs, ours, 'p90_ms', 2, False)} | {cell(runs, ours, 'p99_ms', 2, False)} | {failures} | "
                  f"{cell(runs, ours, 'peak_rss_mib', 1, False)} | {cell(runs, ours, 'cpu_ms_per_delivery', 3, False)} |")
    print()

    if any(target == "prhook-e2e" for target, _ in loads):
        print("### End to end: every delivery runs `/bin/true`")
        print()
        print("| receiver | clients | deliveries/s answered | actions/s during the load | actions/s until the last ran | "
              "acknowledged but never ran | p99 ms | peak RSS MiB | CPU ms/delivery |")
        print("|---|---|---|---|---|---|---|---|---|")
        for concurrency in concurrencies:
            ours = loads.get(("prhook-e2e", concurrency), [])
            for target, label in END_TO_END:
                runs = loads.get((target, concurrency))
                if not runs:
                    continue
                if target == "prhook-e2e":
                    during = number(median(runs, "actions_per_s"))
                    never_ran = sum(run.get("lost", 0) + run.get("unfinished", 0) for run in runs)
                    acknowledged = sum(run.get("acknowledged", 0) for run in runs)
                else:
                    during = "not recorded"
                    never_ran = sum(run.get("lost", 0) for run in runs)
                    acknowledged = sum(run.get("acknowledged_logged", 0) for run in runs)
                print(f"| {label} | {concurrency} | {cell(runs, ours, 'rps', 0, True)} | {during} | "
                      f"{cell(runs, ours, 'sustained_actions_per_s', 0, True)} | {never_ran:,} of {acknowledged:,} | "
                      f"{cell(runs, ours, 'p99_ms', 2, False)} | {cell(runs, ours, 'peak_rss_mib', 1, False)} | "
                      f"{cell(runs, ours, 'cpu_ms_per_delivery', 3, False)} |")
        print()

    startups = collections.defaultdict(list)
    for row in rows:
        if row["type"] == "startup" and "first_2xx_ms" in row:
            startups[row["target"]].append(row["first_2xx_ms"])
    if startups:
        print("### Start to first 2xx")
        print()
        print("| receiver | median ms | runs (ms) |")
        print("|---|---|---|")
        for target, values in startups.items():
            print(f"| {target} | {statistics.median(values):,.1f} | {', '.join(f'{value:,.1f}' for value in values)} |")
        print()


if __name__ == "__main__":
    main()
