#!/usr/bin/env python3
"""Start a receiver and time it until its first 2xx to a signed delivery.

Usage: first_response.py URL BODY_FILE SIGNATURE LOG_FILE -- COMMAND...

Starts COMMAND (output to LOG_FILE), then posts the signed GitHub delivery
over a raw socket every millisecond until a 2xx arrives. Prints
`{"first_2xx_ms": ...}` measured from just before the start, then stops
the process with SIGTERM.
"""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.parse


def post(host, port, path, body, signature, attempt):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: startup-{time.time_ns()}-{attempt}\r\n"
        f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(head + body)
        status_line = connection.makefile("rb").readline()
    return int(status_line.split()[1])


def main():
    separator = sys.argv.index("--")
    url, body_file, signature, log_file = sys.argv[1:separator]
    command = sys.argv[separator + 1:]
    target = urllib.parse.urlsplit(url)
    body = open(body_file, "rb").read()
    log = open(log_file, "wb")

    started = time.monotonic()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    attempt = 0
    try:
        while True:
            if process.poll() is not None:
                sys.exit(f"the server exited with {process.returncode} before answering")
            if time.monotonic() - started > 60:
                sys.exit("no 2xx within 60 s")
            attempt += 1
            try:
                status = post(target.hostname, target.port, target.path, body, signature, attempt)
            except (OSError, IndexError, ValueError):
                time.sleep(0.001)
                continue
            if 200 <= status < 300:
                elapsed_ms = (time.monotonic() - started) * 1000
                print(json.dumps({"first_2xx_ms": round(elapsed_ms, 1), "attempts": attempt, "status": status}))
                return
            time.sleep(0.001)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
