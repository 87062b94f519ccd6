#!/usr/bin/env python3
"""Load-test prhook and two peer webhook receivers with wrk, side by side.

Called by `bench/run`, which installs the tools and builds prhook first.
Every server runs on 127.0.0.1, inside a network namespace when one is
given, and each measured run gets a fresh server process and data
directory:

    start server -> warm-up (discarded) -> reset peak RSS -> wrk for the
    measured window -> read counters -> wait until the server is idle
    (drain) -> for prhook, check the store -> stop the server

Results are appended to OUT/results.jsonl, one JSON object per run;
`bench/report.py` turns them into the BENCHMARKS.md tables.
"""

import argparse
import json
import os
import pathlib
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SECRET = "benchsecret"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prhook", required=True, help="path of the release prhook binary")
    parser.add_argument("--work", required=True, help="directory for payloads, configs and data directories")
    parser.add_argument("--out", required=True, help="directory for results.jsonl and the raw wrk output")
    parser.add_argument("--targets", default="prhook-ingest,prhook-e2e,webhook-ingest,webhook-e2e,pr-agent-ingest")
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per run")
    parser.add_argument("--warmup", type=int, default=3, help="discarded seconds before each run")
    parser.add_argument("--netns", default="", help="network namespace to run servers and wrk in")
    parser.add_argument("--venv", default="", help="virtual environment with PR-Agent installed")
    parser.add_argument("--startup-runs", type=int, default=5, help="starts per target for start-to-first-2xx")
    args = parser.parse_args()

    work = pathlib.Path(args.work)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "wrk").mkdir(exist_ok=True)
    body_path, signature_path = work / "pull_request.json", work / "pull_request.sig"
    if not body_path.exists():
        sys.exit(f"{body_path} is missing: run bench/payload.py first")

    bench = Bench(args, work, out, body_path, signature_path)
    targets = [name for name in args.targets.split(",") if name]
    concurrencies = [int(value) for value in args.concurrency.split(",")]
    bench.record({"type": "machine", **machine_facts(args)})

    for name in targets:
        for run in range(1, args.startup_runs + 1):
            bench.startup(name, run)
    # Runs are interleaved across targets, so a noisy minute on this shared
    # machine spreads over all of them instead of one.
    for run in range(1, args.runs + 1):
        for concurrency in concurrencies:
            for name in targets:
                bench.load(name, concurrency, run)


class Server:
    """One started receiver: its process, URL and, for prhook, its store."""

    def __init__(self, process, url, database=None, log=None):
        self.process = process
        self.url = url
        self.database = database
        self.log = log

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log:
            self.log.close()


class Bench:
    def __init__(self, args, work, out, body_path, signature_path):
        self.args = args
        self.work = work
        self.out = out
        self.body_path = body_path
        self.signature_path = signature_path
        self.body = body_path.read_bytes()
        self.signature = signature_path.read_text().strip()
        self.prefix = ["ip", "netns", "exec", args.netns] if args.netns else []

    def record(self, row):
        with open(self.out / "results.jsonl", "a") as file:
            file.write(json.dumps(row) + "\n")

    # Starting the receivers.

    def free_port(self):
        command = self.prefix + [sys.executable, "-c",
                                 "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]
        return int(subprocess.check_output(command).decode())

    def command_for(self, name, run_dir):
        """Returns the command, environment, URL and store path of target `name`."""
        port = self.free_port()
        environment = dict(os.environ)
        database = None
        if name.startswith("prhook"):
            data_dir = run_dir / "data"
            config = run_dir / "prhook.toml"
            config.write_text(prhook_config(port, data_dir, dispatch=name == "prhook-e2e"))
            command = [self.args.prhook, "serve", "--config", str(config)]
            path = "/api/v1/github_webhooks"
            database = data_dir / "prhook.sqlite3"
        elif name.startswith("webhook"):
            command = ["webhook", "-hooks", str(HERE / "peers" / "webhook-hooks.json"), "-ip", "127.0.0.1",
                       "-port", str(port)]
            if name == "webhook-e2e":
                # Verbose logging is the only record webhook keeps of finished commands.
                command += ["-verbose", "-logfile", str(run_dir / "webhook.log")]
            path = "/hooks/github"
        elif name.startswith("pr-agent"):
            environment.update(read_env(HERE / "peers" / "pr-agent.env"))
            venv = pathlib.Path(self.args.venv)
            command = [str(venv / "bin" / "python"), "-m", "uvicorn", "pr_agent.servers.github_app:app",
                       "--host", "127.0.0.1", "--port", str(port)]
            path = "/api/v1/github_webhooks"
        else:
            raise SystemExit(f"unknown target {name}")
        return command, environment, f"http://127.0.0.1:{port}{path}", database

    def start(self, name, run_dir):
        """Starts the receiver of target `name` and waits for its first 2xx."""
        run_dir.mkdir(parents=True, exist_ok=True)
        command, environment, url, database = self.command_for(name, run_dir)
        log = open(run_dir / "server.log", "wb")
        process = subprocess.Popen(self.prefix + command, stdout=log, stderr=subprocess.STDOUT, env=environment,
                                   cwd=run_dir)
        server = Server(process, url, database, log)
        self.wait_for_2xx(server, timeout=120)
        return server

    def signed_post(self, server, delivery_id, timeout=5.0):
        """Sends one signed delivery with curl and returns the status code, or None without a response."""
        command = self.prefix + ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", str(timeout),
                                 "-X", "POST", server.url, "-H", "Content-Type: application/json",
                                 "-H", "X-GitHub-Event: pull_request", "-H", f"X-GitHub-Delivery: {delivery_id}",
                                 "-H", f"X-Hub-Signature-256: {self.signature}", "--data-binary", f"@{self.body_path}"]
        result = subprocess.run(command, capture_output=True)
        code = result.stdout.decode().strip()
        return int(code) if code.isdigit() and code != "000" else None

    def wait_for_2xx(self, server, timeout):
        deadline = time.monotonic() + timeout
        attempt = 0
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise SystemExit(f"the server exited with {server.process.returncode}, see server.log in its run directory")
            attempt += 1
            status = self.signed_post(server, f"ready-{attempt}-{time.time_ns()}")
            if status is not None and 200 <= status < 300:
                return
            time.sleep(0.05)
        raise SystemExit(f"no 2xx from {server.url} within {timeout} s")

    # Start to first 2xx.

    def startup(self, name, run):
        """Times a fresh process from its start to its first 2xx to a signed delivery."""
        run_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"startup-{name}-", dir=self.work))
        command, environment, url, _ = self.command_for(name, run_dir)
        # The probe starts the server itself and polls it with a raw socket,
        # so neither the probe's own start nor a curl per attempt is counted.
        probe = [sys.executable, str(HERE / "first_response.py"), url, str(self.body_path), self.signature,
                 str(run_dir / "server.log"), "--"] + command
        result = subprocess.run(self.prefix + probe, capture_output=True, text=True, env=environment, cwd=run_dir)
        if result.returncode == 0:
            measured = json.loads(result.stdout)
        else:
            measured = {"error": result.stderr.strip()[-500:]}
        row = {"type": "startup", "target": name, "run": run, **measured}
        print(f"startup {name} run {run}: {measured}", flush=True)
        self.record(row)
        subprocess.run(["rm", "-rf", str(run_dir)])

    # Load runs.

    def wrk(self, server, concurrency, seconds, output=None):
        threads = 1 if concurrency == 1 else 2
        environment = dict(os.environ, BODY_FILE=str(self.body_path), SIGNATURE_FILE=str(self.signature_path))
        command = self.prefix + ["/usr/bin/time", "-f", "WRKCPU user=%U sys=%S", "wrk", f"-t{threads}",
                                 f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                                 "-s", str(HERE / "post.lua"), server.url]
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
        text = result.stdout + result.stderr
        if output:
            output.write_text(text)
        fields = {}
        for line in text.splitlines():
            if line.startswith("RESULT ") or line.startswith("WRKCPU "):
                for pair in line.split()[1:]:
                    key, _, value = pair.partition("=")
                    fields[key] = float(value)
        if "requests" not in fields:
            raise SystemExit(f"wrk printed no result:\n{text}")
        return fields

    def load(self, name, concurrency, run):
        run_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"{name}-c{concurrency}-", dir=self.work))
        server = self.start(name, run_dir)
        try:
            row = self.measure(name, server, concurrency, run, run_dir)
        finally:
            server.stop()
        print(f"{name} c={concurrency} run {run}: " + " ".join(
            f"{key}={row[key]}" for key in ("rps", "p50_ms", "p99_ms", "non_2xx", "peak_rss_mib", "cpu_ms_per_delivery",
                                            "actions_per_s", "sustained_actions_per_s", "drain_s", "lost", "unfinished") if key in row), flush=True)
        self.record(row)
        subprocess.run(["rm", "-rf", str(run_dir)])

    def measure(self, name, server, concurrency, run, run_dir):
        warmup = self.wrk(server, concurrency, self.args.warmup)
        wait_idle(server.pid)
        done_before = count_done_jobs(server.database) if name == "prhook-e2e" else None
        webhook_before = webhook_ran(run_dir / "webhook.log") if name == "webhook-e2e" else None
        reset_peak_rss(server.pid)
        cpu_before = process_cpu_ticks(server.pid)
        machine_before = machine_cpu()
        started = time.monotonic()
        result = self.wrk(server, concurrency, self.args.duration,
                          self.out / "wrk" / f"{name}-c{concurrency}-r{run}.txt")
        window = time.monotonic() - started
        done_after = count_done_jobs(server.database) if name == "prhook-e2e" else None
        machine_after = machine_cpu()
        peak_rss_kib = proc_status_kib(server.pid, "VmHWM")
        cpu_window = process_cpu_ticks(server.pid)
        drain_started = time.monotonic()
        if name == "prhook-e2e":
            wait_jobs_finished(server.database, limit=600)
            drain_s = round(time.monotonic() - drain_started, 2)
            wait_idle(server.pid, limit=180)
        else:
            drain_s = wait_idle(server.pid, limit=180)
        cpu_after = process_cpu_ticks(server.pid)

        requests = int(result["requests"])
        non_2xx = int(result["non2xx3xx"])
        errors = int(result["err_connect"] + result["err_read"] + result["err_write"] + result["err_timeout"])
        busy = machine_after[0] - machine_before[0]
        total = machine_after[1] - machine_before[1]
        row = {
            "type": "load", "target": name, "concurrency": concurrency, "run": run,
            "duration_s": round(window, 2), "requests": requests, "rps": round(result["rps"], 1),
            "p50_ms": result["p50_us"] / 1000, "p90_ms": result["p90_us"] / 1000,
            "p99_ms": result["p99_us"] / 1000, "max_ms": result["max_us"] / 1000,
            "non_2xx": non_2xx, "errors": errors,
            "peak_rss_mib": round(peak_rss_kib / 1024, 1),
            "server_cpu_cores": round((cpu_window - cpu_before) / CLOCK_TICKS / window, 2),
            "cpu_ms_per_delivery": round((cpu_after - cpu_before) / CLOCK_TICKS * 1000 / max(requests, 1), 3),
            "wrk_cpu_cores": round((result.get("user", 0) + result.get("sys", 0)) / window, 2),
            "machine_busy_pct": round(100 * busy / max(total, 1), 1),
            "drain_s": drain_s,
        }
        if name.startswith("prhook"):
            # The warm-up's deliveries are stored too, so they count as acknowledged.
            acknowledged = requests - non_2xx + int(warmup["requests"] - warmup["non2xx3xx"])
            row.update(check_store(server.database, acknowledged, dispatch=name == "prhook-e2e"))
        if name == "webhook-e2e":
            after = webhook_ran(run_dir / "webhook.log")
            row.update({key: after[key] - webhook_before[key] for key in after})
            row["sustained_actions_per_s"] = round(row["finished"] / (window + drain_s), 1)
        if name == "prhook-e2e":
            row["actions_per_s"] = round((done_after - done_before) / window, 1)
            # From the first measured request until the last action ran.
            row["sustained_actions_per_s"] = round((count_done_jobs(server.database) - done_before) / (window + drain_s), 1)
        return row


def prhook_config(port, data_dir, dispatch):
    """Returns a configuration as a user would write it, with one command action for every event."""
    return f"""[server]
listen = "127.0.0.1:{port}"
data_dir = "{data_dir}"
dispatch = {"true" if dispatch else "false"}
# With dispatch off nothing drains the queue, so the default limit of
# 100,000 waiting jobs would make prhook return 503 partway through a run.
max_queue_depth = 100000000

[github]
webhook_secret = "{SECRET}"

[filters]
ignore_drafts = false

[[actions]]
name = "true"
on = ["*"]
run = ["/bin/true"]
"""


def read_env(path):
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def count_done_jobs(database):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute("SELECT COUNT(*) FROM jobs WHERE status = 'done'").fetchone()[0]


def wait_jobs_finished(database, limit):
    """Waits until no job is queued or running, at most `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
            left = connection.execute("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')").fetchone()[0]
        if left == 0:
            return
        time.sleep(0.1)


def check_store(database, acknowledged, dispatch):
    """Checks the store after the drain against what wrk saw acknowledged.

    `lost` counts acknowledged deliveries missing from the store, and
    `unfinished` (with dispatch on) stored jobs not done. wrk counts only responses
    read before its window closed, so the store may hold a few more
    deliveries than wrk saw acknowledged.
    """
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        stored = connection.execute("SELECT COUNT(*) FROM deliveries WHERE delivery_id LIKE 'bench-%'").fetchone()[0]
        by_status = dict(connection.execute(
            "SELECT jobs.status, COUNT(*) FROM jobs JOIN deliveries ON deliveries.seq = jobs.delivery_seq "
            "WHERE deliveries.delivery_id LIKE 'bench-%' GROUP BY jobs.status").fetchall())
    row = {"acknowledged": acknowledged, "stored": stored, "jobs": by_status, "lost": max(acknowledged - stored, 0)}
    if dispatch:
        row["unfinished"] = sum(count for status, count in by_status.items() if status != "done")
    return row


def webhook_ran(log_path):
    """Counts the hooks webhook accepted and the commands it finished, from its verbose log."""
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    answered = text.count("hook triggered successfully")
    finished = text.count("finished handling")
    failed = text.count("error occurred")
    return {"acknowledged_logged": answered, "finished": finished - failed, "failed": failed,
            "lost": max(answered - finished, 0) + failed}


def process_cpu_ticks(pid):
    """utime + stime of the process and of its reaped children (the commands it ran)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15])


def proc_status_kib(pid, key):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss(pid):
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")


def machine_cpu():
    fields = [int(value) for value in pathlib.Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def wait_idle(pid, limit=90):
    """Seconds until the process and its children use under 5 % of a core.

    Samples every quarter second and returns the time at the start of the
    first idle quarter, so the figure is not rounded up to whole seconds.
    """
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = process_cpu_ticks(pid)
        sampled = time.monotonic()
        time.sleep(0.25)
        if process_cpu_ticks(pid) - before <= CLOCK_TICKS * 0.25 * 0.05:
            return round(sampled - started, 2)
    return limit


def machine_facts(args):
    def output(command):
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""
    cpu_model = ""
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    memory = proc_meminfo_gib()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "kernel": os.uname().release,
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": memory,
        "prhook": output([args.prhook, "--version"]),
        "commit": output(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"]),
        "wrk": output(["dpkg-query", "-W", "-f=${Version}", "wrk"]),
        "webhook": output(["dpkg-query", "-W", "-f=${Version}", "webhook"]),
        "pr_agent": output([str(pathlib.Path(args.venv) / "bin" / "pip"), "show", "pr-agent"]).split("Version: ")[-1].split("\n")[0] if args.venv else "",
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "runs": args.runs,
        "netns": args.netns,
    }


def proc_meminfo_gib():
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0


if __name__ == "__main__":
    main()
