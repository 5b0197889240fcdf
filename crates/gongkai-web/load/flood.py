#!/usr/bin/env python3
"""Flood a running `gongkai serve` with distinct URLs and report its RSS before and after (docs/BENCHMARKS.md).

    python3 crates/gongkai-web/load/flood.py --base http://127.0.0.1:8090 --pid PID --count 10000

Each request is a cacheable page with a URL never asked before: the catalog with a new page number (a
parameter the page reads, so each is its own cache key), the feed with a junk parameter, and an item page
under a new Host header. Connections are kept alive; `--workers` threads share the count. Only loopback
addresses are accepted.
"""
import argparse
import http.client
import threading
import time
import urllib.parse


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--agency", default="DEMO-330300-SFJ")
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("only a server on this machine (loopback) may be flooded")

    paths = []
    for n in range(args.count):
        kind = n % 3
        if kind == 0:
            paths.append((f"/agencies/{args.agency}/catalog?page={n}", None))
        elif kind == 1:
            paths.append((f"/agencies/{args.agency}/feed.atom?v={n}", None))
        else:
            paths.append((f"/agencies/{args.agency}", f"h{n}.example.cn"))
    before = rss_kib(args.pid)
    statuses = {}
    lock = threading.Lock()
    next_index = [0]

    def worker():
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= len(paths):
                break
            path, host = paths[index]
            headers = {"Host": host} if host else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    started = time.time()
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    after = rss_kib(args.pid)
    peak = rss_kib(args.pid, "VmHWM")
    print(f"{args.count} distinct URLs in {elapsed:.1f} s; statuses {dict(sorted(statuses.items()))}")
    print(f"RSS before {before / 1024:.1f} MiB, after {after / 1024:.1f} MiB "
          f"(+{(after - before) / 1024:.1f} MiB), peak {peak / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
