#!/usr/bin/env bash
# held.sh: many requests held for approval at once, while unheld traffic keeps flowing.
#
# On 127.0.0.1 only, it starts
#   upstream    nginx standing in for an API (/ok)
#   issuer      the test suite's PyJWT issuer: the JWKS and one agent token
#   authority   bench/lib/ciba_authority.py, a CIBA authority that never decides
#   chaperone   .build/release/chaperone: route `held` (POST /held, approval) and route
#               `open` (GET /ok, static credential)
# then measures wrk on /ok with nothing held, holds HELD requests on route `held` from
# bench/lib/held_agents.py, and measures wrk on /ok again beside them. It prints the
# throughput ratio (with held requests / without), CPU microseconds per unheld request in
# both runs, and Chaperone's resident memory, threads and descriptors while holding.
#
# Usage: bench/held.sh [-n] [HELD]   (default 10000; -n: use the existing release build)
# Environment: DURATION (wrk seconds, default 10), CONNECTIONS (wrk, default 64),
# INTERVAL (the authority's poll interval in seconds, default 30), CHAPERONE_WORKERS (1).
set -u -o pipefail

BUILD=1
if [[ ${1:-} == -n ]]; then BUILD=0; shift; fi
HELD=${1:-10000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
INTERVAL=${INTERVAL:-30}
CHAPERONE_WORKERS=${CHAPERONE_WORKERS:-1}
KEEP_WORK=${KEEP_WORK:-0}
OUTDIR=${OUTDIR:-${TMPDIR:-/tmp}/chaperone-bench/held-$(date +%Y%m%d-%H%M%S)-$$}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
CHAPERONE=$REPO_ROOT/.build/release/chaperone
HOST=127.0.0.1
PLACEHOLDER="Bearer agent-placeholder"

say() { printf 'held.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source=lib/processes.sh
source "$BENCH_DIR/lib/processes.sh"
# shellcheck source=lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

WORK=""
finish() {
    trap - EXIT INT TERM HUP
    [[ -n ${AGENTS_IN:-} ]] && exec {AGENTS_IN}>&-
    stop_processes
    wait 2>/dev/null
    [[ -n $WORK && -d $WORK ]] || return 0
    mkdir -p "$OUTDIR"
    cp "$WORK"/chaperone/chaperone.yaml "$OUTDIR/" 2>/dev/null
    grep -v '"msg":"request".*"status":200,' "$WORK/chaperone/stderr.log" 2>/dev/null \
        | head -n 200 >"$OUTDIR/chaperone-notable.log"
    if [[ $KEEP_WORK == 1 ]]; then say "scratch directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Each held request is a client socket in Chaperone and one in the agents' process; the
# authority calls and wrk add a few more.
wanted=$((HELD + 2048))
ulimit -n "$wanted" 2>/dev/null \
    || die "cannot raise the descriptor limit to $wanted (hard limit $(ulimit -Hn))"

if [[ $BUILD == 1 ]]; then
    say "building Chaperone: swift build -c release --product chaperone"
    (cd "$REPO_ROOT" && swift build -c release --product chaperone) >&2 \
        || die "the release build failed"
fi
[[ -x $CHAPERONE ]] || die "no binary at $CHAPERONE (build it, or drop -n)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/chaperone-held-work.XXXXXX") || die "mktemp failed"
chmod 711 "$WORK"

pick_port UPSTREAM_PORT
start_upstream "$UPSTREAM_PORT"
start_issuer
TOKEN=$(mint_token) || die "the issuer minted no token"

mkdir -p "$WORK/authority"
start authority "$WORK/authority/stdout.log" /usr/bin/python3 \
    "$BENCH_DIR/lib/ciba_authority.py" 3600 "$INTERVAL"
deadline=$((SECONDS + 10))
until grep -q '^PORT ' "$WORK/authority/stdout.log" 2>/dev/null; do
    ((SECONDS < deadline)) || die "the authority did not start"
    sleep 0.1
done
AUTHORITY_PORT=$(awk '/^PORT / { print $2 }' "$WORK/authority/stdout.log")

pick_port PROXY_PORT
pick_port ADMIN_PORT
dir=$WORK/chaperone
mkdir -p "$dir"
cat >"$dir/chaperone.yaml" <<YAML
version: 1
listen: $HOST:$PROXY_PORT
workers: $CHAPERONE_WORKERS
admin: {listen: $HOST:$ADMIN_PORT}
limits: {connections: $((HELD + 1024))}
identity:
  issuer: https://issuer.test/
  audience: https://chaperone.test
  jwks_url: http://$HOST:$ISSUER_PORT/jwks.json
approval:
  backchannel_url: http://$HOST:$AUTHORITY_PORT/bc-authorize
  token_url: http://$HOST:$AUTHORITY_PORT/token
  client_id: bench
  client_secret: {env: BENCH_SECRET}
  login_hint: sub
  timeout: 3600s
routes:
  - name: held
    methods: [POST]
    path: /held
    upstream: http://$HOST:$UPSTREAM_PORT
    approval: {binding_message: "Bench request {body.n}"}
  - name: open
    methods: [GET]
    path: /ok
    upstream: http://$HOST:$UPSTREAM_PORT
    credential: {static: {env: BENCH_SECRET}}
YAML
(export BENCH_SECRET=bench-secret && exec "$CHAPERONE" serve --config "$dir/chaperone.yaml") \
    </dev/null >"$dir/stdout.log" 2>"$dir/stderr.log" &
own chaperone "$!"
CHAPERONE_PID=${PID_OF[chaperone]}
deadline=$((SECONDS + 20))
until [[ $(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' \
    "http://$HOST:$ADMIN_PORT/readyz") == 200 ]]; do
    ((SECONDS < deadline)) || die "chaperone did not become ready: $(tail -5 "$dir/stderr.log")"
    sleep 0.1
done
code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "http://$HOST:$PROXY_PORT/ok")
[[ $code == 200 ]] || die "GET /ok through chaperone answered $code"

status_field() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$CHAPERONE_PID/status"; }

measure() {  # measure LABEL: wrk on /ok; prints "REQ_PER_S CPU_US_PER_REQUEST"
    local before after requests rate
    before=$(cpu_ticks chaperone)
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $TOKEN" \
        "http://$HOST:$PROXY_PORT/ok" >"$WORK/wrk-$1.txt" 2>&1 || die "wrk failed"
    after=$(cpu_ticks chaperone)
    requests=$(awk '/requests in/ { print $1 }' "$WORK/wrk-$1.txt")
    rate=$(awk '/^Requests\/sec/ { print $2 }' "$WORK/wrk-$1.txt")
    awk -v r="$rate" -v n="$requests" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.0f %.1f\n", r, t / hz * 1e6 / n }'
}

say "unheld traffic alone: wrk -c$CONNECTIONS -d${DURATION}s GET /ok"
read -r alone_rate alone_cpu < <(measure alone)
rss_before=$(status_field VmRSS)

say "holding $HELD requests on route held"
mkdir -p "$WORK/agents"
exec {AGENTS_IN}> >(BENCH_AGENT_TOKEN=$TOKEN exec /usr/bin/python3 \
    "$BENCH_DIR/lib/held_agents.py" "$PROXY_PORT" /held "$HELD" >"$WORK/agents/stdout.log" \
    2>&1)
deadline=$((SECONDS + 120))
until grep -q '^OPEN ' "$WORK/agents/stdout.log" 2>/dev/null; do
    ((SECONDS < deadline)) || die "the agents did not open $HELD requests"
    sleep 0.2
done
pending=0
until ((pending >= HELD)); do
    ((SECONDS < deadline)) || die "only $pending of $HELD requests are held"
    pending=$(curl -s --noproxy '*' "http://$HOST:$ADMIN_PORT/approvals" | grep -o '"id"' | wc -l)
    sleep 0.5
done
sleep 2
rss_held=$(status_field VmRSS)
threads=$(status_field Threads)
descriptors=$(ls "/proc/$CHAPERONE_PID/fd" | wc -l)

say "unheld traffic beside $HELD held requests"
read -r held_rate held_cpu < <(measure held)
stats=$(curl -s --noproxy '*' "http://$HOST:$AUTHORITY_PORT/stats")
pending=$(curl -s --noproxy '*' "http://$HOST:$ADMIN_PORT/approvals" | grep -o '"id"' | wc -l)
rss_peak=$(status_field VmHWM)

printf '\nheld requests: %s (still pending after the second run: %s)\n' "$HELD" "$pending"
printf 'authority calls: %s\n' "$stats"
printf 'chaperone resident memory: %s MiB before holding, %s MiB holding, peak %s MiB\n' \
    $((rss_before / 1024)) $((rss_held / 1024)) $((rss_peak / 1024))
printf 'chaperone threads: %s, open descriptors: %s\n' "$threads" "$descriptors"
printf 'unheld GET /ok, wrk -c%s: alone %s req/s, %s CPU us/req; beside held %s req/s, %s CPU us/req\n' \
    "$CONNECTIONS" "$alone_rate" "$alone_cpu" "$held_rate" "$held_cpu"
awk -v a="$alone_rate" -v b="$held_rate" -v c="$alone_cpu" -v d="$held_cpu" \
    'BEGIN { printf "ratio beside held / alone: throughput %.2f, CPU per request %.2f\n", b / a, d / c }'
