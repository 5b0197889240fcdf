#!/usr/bin/env python3
"""Parallel staff sign-ins against a running `gongkai serve`, with its peak RSS (docs/BENCHMARKS.md).

    python3 crates/gongkai-web/load/signins.py --base http://127.0.0.1:8090 --pid PID --parallel 100 \
        --username clerk --password gongkai-demo-2026

Each of `--parallel` threads fetches the sign-in page (its CSRF cookie and token), waits for the others, and
then all post the form at once. With `--spread`, thread n signs in as USERNAME + n from its own address
(`X-Forwarded-For: 198.51.100.n`, or 203.0.113.n past 255; serve with --trusted-proxy 127.0.0.1), so that
no attempt throttle holds any of them back and every one of them runs an argon2 check. Prints the answers, the wall time and the server's RSS before and at its peak
(VmHWM; a fresh server, so the peak is this run's). Serve with --no-rate-limit: the point is memory under many
argon2 checks at once, not the per-address limit. Only loopback addresses are accepted.
"""
import argparse
import http.client
import re
import threading
import time
import urllib.parse


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--parallel", type=int, default=100)
    parser.add_argument("--username", default="clerk")
    parser.add_argument("--password", required=True)
    parser.add_argument("--spread", action="store_true")
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("only a server on this machine (loopback) may be loaded")

    barrier = threading.Barrier(args.parallel)
    statuses = {}
    lock = threading.Lock()

    def sign_in(n):
        username = f"{args.username}{n}" if args.spread else args.username
        forwarded = {"X-Forwarded-For": f"198.51.100.{n}" if n < 256 else f"203.0.113.{n - 256}"}
        extra = forwarded if args.spread else {}
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        connection.request("GET", "/staff/login", headers=extra)
        page = connection.getresponse()
        body = page.read().decode()
        cookies = [value.split(";")[0] for name, value in page.getheaders() if name.lower() == "set-cookie"]
        token = re.search(r'name="csrf" value="([0-9a-f]{32})"', body).group(1)
        form = urllib.parse.urlencode({"csrf": token, "username": username, "password": args.password})
        barrier.wait()
        connection.request("POST", "/staff/login", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(cookies),
            **extra,
        })
        answer = connection.getresponse()
        answer.read()
        with lock:
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
        connection.close()

    before = rss_kib(args.pid, "VmRSS")
    started = time.time()
    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(args.parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    peak = rss_kib(args.pid, "VmHWM")
    print(f"{args.parallel} parallel sign-ins in {elapsed:.1f} s; statuses {dict(sorted(statuses.items()))}")
    print(f"RSS before {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
