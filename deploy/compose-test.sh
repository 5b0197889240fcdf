#!/usr/bin/env bash
# Checks deploy/compose.yaml end to end (issue #21): two gongkai instances on one PostgreSQL behind nginx
# serve the demo; an item published through instance 1 is found by the search of instance 2 within seconds;
# /readyz and /metrics answer on both; the proxy answers and keeps /metrics inside. CI runs it; where no
# Docker engine answers it says so and exits 0 (skipped), since nothing here can be checked without one.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v docker >/dev/null 2>&1; then
    echo "SKIP compose test: no docker command on this machine"
    exit 0
fi
if ! docker info >/dev/null 2>&1; then
    echo "SKIP compose test: no Docker engine answers ('docker info' fails: only the client is installed or the daemon is not running)"
    exit 0
fi
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose -f compose.yaml)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose -f compose.yaml)
else
    echo "SKIP compose test: the engine answers but neither 'docker compose' nor 'docker-compose' is installed"
    exit 0
fi

# A throwaway key for this run (production: a key file of its own, owned by uid 10001, mode 0400).
if [ ! -f secret.key ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > secret.key
    chmod 0644 secret.key
    made_key=1
fi
cleanup() {
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
    if [ "${made_key:-}" = 1 ]; then rm -f secret.key; fi
}
trap cleanup EXIT

"${compose[@]}" up -d --build --wait --wait-timeout 600

fail() { echo "FAIL: $*" >&2; "${compose[@]}" logs --tail 50 >&2 || true; exit 1; }
status() { curl -s -o /dev/null -w '%{http_code}' "$1"; }

for port in 18081 18082; do
    [ "$(status "http://127.0.0.1:$port/readyz")" = 200 ] || fail "instance on $port is not ready"
    curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^gongkai_search_index_ready 1$' \
        || fail "instance on $port: /metrics does not answer (the host reaches it from the Docker network's gateway)"
done
[ "$(status http://127.0.0.1:18080/)" = 200 ] || fail "the proxy does not serve the home page"
[ "$(status http://127.0.0.1:18080/metrics)" = 404 ] || fail "the proxy lets /metrics out"

# Publish through instance 1 with an agency key, as a CMS would; then search instance 2.
key=$("${compose[@]}" exec -T gongkai-1 gongkai api-key issue --agency DEMO-330300-SFJ --name compose-test \
    --scope catalog:write | grep -o 'gk_[A-Za-z0-9_-]*' | head -n 1)
[ -n "$key" ] || fail "no API key issued"
batch="composetest$RANDOM"
GONGKAI_API_KEY="$key" python3 ../tools/api-publish.py http://127.0.0.1:18081 DEMO-330300-SFJ \
    --count 5 --threads 1 --batch "$batch" >/dev/null || fail "publishing through instance 1"
for second in $(seq 1 30); do
    if curl -sf "http://127.0.0.1:18082/api/v1/search?q=$batch" | grep -q "$batch"; then
        echo "ok: published through instance 1, found through instance 2 after ~${second}s"
        echo "ok: compose test passed"
        exit 0
    fi
    sleep 1
done
fail "instance 2 did not find the item published through instance 1 within 30 s"
