#!/bin/bash
# Usage (from anywhere): crates/gongkai-web/load/dashboard.sh after `cargo build --release`.
# Dashboard of a busy agency: the demo platform plus N open online applications at the justice bureau.
set -euo pipefail
cd "$(dirname "$0")/../../.."
D=/tmp/gkdash; rm -rf $D; mkdir -p $D
target/release/gongkai serve --demo --db sqlite://$D/gk.db --index $D/idx --addr 127.0.0.1:8095 --no-rate-limit --insecure-cookies > $D/out 2> $D/err &
for i in $(seq 1 300); do grep -q "serving on" $D/out 2>/dev/null && break; sleep 0.2; done
B=http://127.0.0.1:8095
wrk -t1 -c8 -d${INTAKE_SECONDS:-8}s -s crates/gongkai-web/load/intake.lua $B/agencies/DEMO-330300-SFJ/apply | grep -E "Requests/sec|requests in"
curl -s -c $D/jar -b $D/jar $B/staff/login > /dev/null
T=$(grep gk_csrf $D/jar | awk '{print $7}')
curl -s -c $D/jar -b $D/jar -o /dev/null --data "csrf=$T&username=clerk&password=gongkai-demo-2026" $B/staff/login
S=$(grep gk_staff $D/jar | awk '{print $7}')
curl -s -H "Cookie: gk_staff=$S" $B/staff/agencies/DEMO-330300-SFJ | grep -o "全部在办（[0-9]*）"
wrk -t1 -c4 -d15s --latency -H "Cookie: gk_staff=$S" $B/staff/agencies/DEMO-330300-SFJ | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx"
ps -o rss= -p $(pgrep -f "addr 127.0.0.1:8095") | awk '{print "server RSS MB:", $1/1024}'
pkill -f "addr 127.0.0.1:8095"
