#!/usr/bin/env python3
"""Fail when a benchmark run lost a delivery or got an error.

Usage: check.py RESULTS_JSONL

Checks every prhook run in the results of `bench/run`: no socket errors,
no non-2xx responses, every acknowledged delivery stored and, with dispatch
on, every stored job done. Speed is not checked: CI machines differ.
"""

import json
import sys


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    problems = []
    checked = 0
    for row in rows:
        if row.get("type") != "load" or not row["target"].startswith("prhook"):
            continue
        checked += 1
        cell = f"{row['target']} c={row['concurrency']} run {row['run']}"
        if row["errors"] or row["non_2xx"]:
            problems.append(f"{cell}: {row['errors']} socket errors and {row['non_2xx']} non-2xx answers")
        if row.get("lost"):
            problems.append(f"{cell}: {row['lost']} acknowledged deliveries are not in the store")
        if row.get("unfinished"):
            problems.append(f"{cell}: {row['unfinished']} stored jobs did not finish")
        if row["requests"] == 0:
            problems.append(f"{cell}: no request completed")
    if checked == 0:
        problems.append("no prhook run in the results")
    for problem in problems:
        print(f"bench check: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"bench check: {checked} prhook runs, every acknowledged delivery stored and run")


if __name__ == "__main__":
    main()
