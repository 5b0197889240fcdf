#!/usr/bin/env bash
# The compose file's shape without containers (issue #21): two gongkai instances on one PostgreSQL database
# behind nginx with deploy/nginx.conf, on this machine. Checks that both serve the demo, that an item published
# through instance 1 is found by the search of instance 2 within seconds, that /readyz and /metrics answer on
# both and that the proxy serves pages and keeps /metrics inside. CI runs it (PostgreSQL at 127.0.0.1:5432
# with trust auth; nginx from Debian).
#
#   deploy/cluster-test.sh [path/to/gongkai]
set -euo pipefail
cd "$(dirname "$0")/.."
gongkai="${1:-${CARGO_TARGET_DIR:-target}/debug/gongkai}"
pg_admin="${GONGKAI_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
database="gongkai_cluster_$$"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    tail -n 20 "$work"/*.err >&2 || true
    exit 1
}

psql -q "$pg_admin" -c "CREATE DATABASE $database" >/dev/null
db="${pg_admin%/*}/$database"
export GONGKAI_DATABASE_URL="$db" GONGKAI_SECRET_FILE="$work/secret.key" GONGKAI_TRUSTED_PROXY=127.0.0.1

start() { # name, extra flags…
    local name=$1
    shift
    "$gongkai" serve --addr 127.0.0.1:0 --index "$work/$name-index" "$@" > "$work/$name.out" 2> "$work/$name.err" &
    pids+=("$!")
    for _ in $(seq 1 600); do grep -q "serving on" "$work/$name.out" && break; sleep 0.1; done
    grep -o -m1 'http://[0-9.:]*' "$work/$name.out" || fail "$name did not start"
}
ready() { # base
    for _ in $(seq 1 600); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/readyz")" = 200 ] && return 0
        sleep 0.2
    done
    fail "$1 did not become ready"
}

one=$(start one --demo)
ready "$one"
two=$(start two)
ready "$two"

# nginx with the compose file's configuration, the instances' addresses in place of the services' names.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s|server gongkai-1:8080|server ${one#http://}|" -e "s|server gongkai-2:8080|server ${two#http://}|" \
    -e "s|listen 80;|listen 127.0.0.1:$port;|" deploy/nginx.conf > "$work/site.conf"
cat > "$work/nginx.conf" <<CONF
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events {}
http {
    access_log off;
    client_body_temp_path $work/nginx-body;
    proxy_temp_path $work/nginx-proxy;
    include $work/site.conf;
}
CONF
"$nginx_bin" -c "$work/nginx.conf" -p "$work" 2>> "$work/nginx.err" &
pids+=("$!")
proxy="http://127.0.0.1:$port"
for _ in $(seq 1 50); do curl -s -o /dev/null "$proxy/livez" && break; sleep 0.1; done

status() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
for base in "$one" "$two"; do
    curl -sf "$base/metrics" | grep -q '^gongkai_search_index_ready 1$' || fail "$base: /metrics"
    curl -sf "$base/" | grep -q "温州市司法局" || fail "$base: the demo's home page"
done
[ "$(status "$proxy/")" = 200 ] || fail "the proxy does not serve the home page"
[ "$(status "$proxy/metrics")" = 404 ] || fail "the proxy lets /metrics out"
# Through the proxy both instances answer (round robin): two requests, two request ids, two instances' logs.
curl -sf "$proxy/readyz" | grep -q '"ready":true' || fail "readyz through the proxy"

key=$("$gongkai" api-key issue --agency DEMO-330300-SFJ --name cluster-test --scope catalog:write)
batch="clustertest$RANDOM"
# One item through instance 1's API, as a CMS would; the clock starts when instance 1 has answered.
item=$(printf '{"title":"集群测试 %s 通知","category":"通知公告","summary":"经接口发布","body":"批次 %s","channels":{"website":null}}' "$batch" "$batch")
created=$(curl -s -o "$work/publish.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
    -H "Content-Type: application/json" -H "Idempotency-Key: $batch" --data "$item" "$one/api/v1/agencies/DEMO-330300-SFJ/items")
[ "$created" = 201 ] || fail "publishing through instance 1 answered $created: $(cat "$work/publish.out")"
started=$(date +%s.%N)
for _ in $(seq 1 300); do
    if curl -sf "$two/api/v1/search?q=$batch" | grep -q "$batch"; then
        took=$(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')")
        echo "ok: an item published through instance 1 was found by instance 2's search ${took} s later"
        curl -sf "$proxy/search?q=$batch" | grep -q "$batch" || fail "the proxy's search"
        echo "ok: cluster test passed (two instances on one PostgreSQL behind nginx)"
        exit 0
    fi
    sleep 0.1
done
fail "instance 2 did not find the items published through instance 1 within 30 s"
