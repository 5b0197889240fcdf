#!/usr/bin/env python3
"""Publishes items through gongkai's JSON API with an agency key, as a site's CMS would, and checks they
arrive: the API lists them, the portal shows them, the search finds them.

    GONGKAI_API_KEY=gk_… tools/api-publish.py http://127.0.0.1:8080 DEMO-330300-SFJ --count 1000 --threads 8

The key is read from GONGKAI_API_KEY, not the command line (where `ps` and the shell's history show it).

Prints the throughput (items/s) and latency (p50, p99) of the writes, then each check; exits 1 when a
check fails. Standard library only. Each item has its own Idempotency-Key, so a rerun of the same batch
(`--batch`) publishes nothing twice.
"""

import argparse
import http.client
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse


def connection(base):
    url = urllib.parse.urlsplit(base)
    if url.scheme == "https":
        return http.client.HTTPSConnection(url.hostname, url.port or 443, timeout=30)
    return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)


def call(conn, method, path, token=None, body=None, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    return response.status, payload


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("agency")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch", default=secrets.token_hex(4), help="a word in every title (default: random)")
    parser.add_argument("--ids-out", help="write the published items' ids there, one a line")
    args = parser.parse_args()
    args.token = os.environ.get("GONGKAI_API_KEY", "")
    if not args.token:
        sys.exit("set GONGKAI_API_KEY to an agency key with the scope catalog:write")

    probe = connection(args.base)
    status, payload = call(probe, "GET", f"/api/v1/agencies/{args.agency}/items?per_page=1")
    if status != 200:
        sys.exit(f"listing the agency's items failed: {status} {payload[:200]!r}")
    before = json.loads(payload)["total"]

    batch = args.batch
    results = [None] * args.count
    latencies = [0.0] * args.count
    failures = []
    next_index = iter(range(args.count))
    lock = threading.Lock()

    def worker():
        conn = connection(args.base)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            item = {
                "title": f"接口批量发布测试 {batch} 第{index + 1}号通知",
                "category": "通知公告",
                "summary": "由内容管理系统经接口发布",
                "body": f"这是第{index + 1}号测试通知的正文。批次 {batch}。",
                "channels": {"website": None},
            }
            started = time.perf_counter()
            try:
                status, payload = call(conn, "POST", f"/api/v1/agencies/{args.agency}/items", args.token,
                                       item, {"Idempotency-Key": f"{batch}-{index}"})
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                conn = connection(args.base)
                failures.append((index, str(err)))
                continue
            latencies[index] = time.perf_counter() - started
            if status != 201:
                failures.append((index, f"{status} {payload[:200]!r}"))
                continue
            results[index] = json.loads(payload)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"published {args.count - len(failures)}/{args.count} items in {elapsed:.2f} s: "
          f"{args.count / elapsed:.0f} items/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms ({args.threads} threads)")
    ok = True
    if failures:
        ok = False
        for index, reason in failures[:5]:
            print(f"FAIL item {index + 1}: {reason}")

    status, payload = call(probe, "GET", f"/api/v1/agencies/{args.agency}/items?per_page=1")
    after = json.loads(payload)["total"]
    listed = after - before
    print(f"{'ok' if listed >= args.count else 'FAIL'}: the API lists {listed} more items")
    ok &= listed >= args.count

    if args.ids_out:
        with open(args.ids_out, "w", encoding="utf-8") as out:
            for result in results:
                if result:
                    out.write(f'{result["id"]}\n')

    numbers = {result["index_number"] for result in results if result}
    print(f"{'ok' if len(numbers) == args.count else 'FAIL'}: {len(numbers)} distinct 索引号")
    ok &= len(numbers) == args.count

    sample = [result for result in results if result][:: max(1, args.count // 20)]
    shown = 0
    for result in sample:
        status, payload = call(probe, "GET", result["url"])
        shown += status == 200 and batch in payload.decode("utf-8", "replace")
    print(f"{'ok' if shown == len(sample) else 'FAIL'}: the portal shows {shown}/{len(sample)} sampled items")
    ok &= shown == len(sample)

    found = 0
    deadline = time.monotonic() + 60
    query = urllib.parse.urlencode({"q": batch, "agency": args.agency})
    waited = time.monotonic()
    while time.monotonic() < deadline:
        status, payload = call(probe, "GET", f"/api/v1/search?{query}")
        if status == 200:
            found = json.loads(payload)["total"]
            if found >= args.count:
                break
        time.sleep(0.5)
    print(f"{'ok' if found >= args.count else 'FAIL'}: the search finds {found} items of batch {batch} "
          f"({time.monotonic() - waited:.1f} s after the last write)")
    ok &= found >= args.count
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
