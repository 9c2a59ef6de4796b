#!/usr/bin/env bash
# proxy-under-test.sh: starts Chaperone in the foreground the way a side-by-side harness that
# takes a PROXY_CMD expects (one route for every path, injecting Bearer $PROXY_TOKEN).
#
#     PROXY_CMD=/path/to/bench/proxy-under-test.sh bench-proxy.sh
#
# It reads PROXY_PORT, UPSTREAM_URL, PROXY_TOKEN and BENCH_WORK from the harness, and
# CHAPERONE_WORKERS (default 1, as the harness runs nginx and HAProxy with one worker) and
# AUDIT (the audit log's durability, batch or strict; default batch).
# The token reaches Chaperone through its environment, never its command line.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
config=${BENCH_WORK:?}/chaperone.yaml
cat >"$config" <<YAML
version: 1
listen: 127.0.0.1:${PROXY_PORT:?}
workers: ${CHAPERONE_WORKERS:-1}
audit:
  store: sqlite:${BENCH_WORK}/audit.db
  durability: ${AUDIT:-batch}
routes:
  - name: bench
    path: /**
    upstream: ${UPSTREAM_URL:?}
    credential: {static: {env: PROXY_TOKEN}}
YAML
export PROXY_TOKEN=${PROXY_TOKEN:?}
# The request log (a line per request) goes to a file, as a deployment would ship it.
exec "$repo/.build/release/chaperone" serve --config "$config" 2>"$BENCH_WORK/chaperone.log"
