#!/usr/bin/env bash
# compare.sh: Chaperone against nginx doing the same job, side by side, in one run.
#
# On 127.0.0.1 only, on free ports picked at random, it starts
#   upstream   nginx standing in for an API: /ok, /16k, /post, /whoami
#   nginx      nginx as a reverse proxy that replaces Authorization (the reference)
#   chaperone  .build/release/chaperone with a generated configuration
# checks that both proxies inject the credential and pass bodies intact, then drives them
# with wrk in interleaved rounds and prints medians, ratios to nginx taken within each
# round, CPU time per request and peak memory.
#
# Requirements (Debian/Ubuntu): apt-get install wrk nginx curl (and procps for ps), plus
# the Swift toolchain that builds Chaperone. Root is not needed; the system nginx service
# is never touched. Every process started here is stopped by PID when the script exits.
#
# Usage: bench/compare.sh [-r ROUNDS] [-d SECONDS] [-w WORKLOADS] [-c CONNS] [-q] [-h]
set -u -o pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
WORKLOADS=${WORKLOADS:-"get_ok get_16k post_4k"}
CONCURRENCIES=${CONCURRENCIES:-"1 64"}
CHAPERONE_WORKERS=${CHAPERONE_WORKERS:-1}
IDENTITY=${IDENTITY:-0}
VAULT=${VAULT:-0}
AUDIT=${AUDIT:-batch}
BUILD=${BUILD:-1}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-900}
MAX_SECONDS=${MAX_SECONDS:-}
KEEP_WORK=${KEEP_WORK:-0}
OUTDIR=${OUTDIR:-${TMPDIR:-/tmp}/chaperone-bench/$(date +%Y%m%d-%H%M%S)-$$}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
CHAPERONE=$REPO_ROOT/.build/release/chaperone
HOST=127.0.0.1
PLACEHOLDER="Bearer agent-placeholder"
TARGETS=(nginx chaperone)
INVOCATION="bench/compare.sh $*"

usage() {
    cat <<EOF
usage: bench/compare.sh [options]

Measures Chaperone against an nginx reverse proxy doing the same job on 127.0.0.1.

  -r ROUNDS   interleaved rounds                       (ROUNDS, default 3)
  -d SECONDS  length of each wrk run                   (DURATION, default 5)
  -w LIST     workloads among get_ok get_16k post_4k   (WORKLOADS, default all three)
  -c LIST     wrk connections                          (CONCURRENCIES, default "1 64")
  -o DIR      results directory   (OUTDIR, default \${TMPDIR:-/tmp}/chaperone-bench/DATE-PID)
  -q          quick smoke run: 1 round of 1 s, no warm-up
  -n          no build: use the existing .build/release/chaperone
  -R CSV      print the table again from an earlier results.csv
  -h          this help

Environment: CHAPERONE_WORKERS (Chaperone's workers; default 1, as nginx runs 1 worker),
IDENTITY=1 (Chaperone verifies the agent's token: a test issuer, Python with PyJWT, mints
one on-behalf-of token that every request carries, so after the first request it comes
from the verified-token cache; nginx still only replaces the header),
VAULT=1 (implies IDENTITY=1; Chaperone's route takes its credential from the vault: a
scripted token endpoint mints it once for the grant stored with `chaperone vault put`, and
every later request finds it in the cache),
AUDIT=batch|strict (the audit log's durability; default batch: Chaperone always writes a
record per request, to an SQLite file in the scratch directory),
WARMUP (seconds per target and workload, default 1), MAX_SECONDS (cap on the measuring
loop; default 1.5 x the estimate + 60), BUILD_TIMEOUT (900), KEEP_WORK=1 (keep the
scratch directory, with Chaperone's full request log).

Requirements: apt-get install wrk nginx curl, and a Swift toolchain.
EOF
}

REPORT_ONLY=""
while getopts ":r:d:w:c:o:R:qnh" option; do
    case $option in
        r) ROUNDS=$OPTARG ;;
        d) DURATION=$OPTARG ;;
        w) WORKLOADS=$OPTARG ;;
        c) CONCURRENCIES=$OPTARG ;;
        o) OUTDIR=$OPTARG ;;
        R) REPORT_ONLY=$OPTARG ;;
        q) ROUNDS=1 DURATION=1 WARMUP=0 ;;
        n) BUILD=0 ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 64 ;;
    esac
done

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }

if [[ -n $REPORT_ONLY ]]; then
    [[ -r $REPORT_ONLY ]] || die "cannot read $REPORT_ONLY"
    awk -F, -v baseline=nginx -f "$BENCH_DIR/report.awk" "$REPORT_ONLY"
    exit 0
fi

for tool in wrk nginx curl ps timeout awk od; do
    command -v "$tool" >/dev/null || die "needs '$tool': apt-get install wrk nginx curl procps"
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive whole number"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be whole seconds, at least 1"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be whole seconds"
[[ -z $MAX_SECONDS || $MAX_SECONDS =~ ^[1-9][0-9]*$ ]] || die "MAX_SECONDS must be whole seconds"
[[ $CHAPERONE_WORKERS =~ ^[1-9][0-9]*$ ]] || die "CHAPERONE_WORKERS must be a positive number"
[[ $IDENTITY == 0 || $IDENTITY == 1 ]] || die "IDENTITY must be 0 or 1"
[[ $VAULT == 0 || $VAULT == 1 ]] || die "VAULT must be 0 or 1"
[[ $VAULT == 1 ]] && IDENTITY=1
[[ $AUDIT == batch || $AUDIT == strict ]] || die "AUDIT must be batch or strict"
read -ra WORKLOAD_LIST <<<"$WORKLOADS"
read -ra CONNS_LIST <<<"$CONCURRENCIES"
((${#WORKLOAD_LIST[@]} && ${#CONNS_LIST[@]})) || die "no workload or no concurrency given"
for workload in "${WORKLOAD_LIST[@]}"; do
    case $workload in get_ok | get_16k | post_4k) ;; *) die "unknown workload '$workload'" ;; esac
done
for conns in "${CONNS_LIST[@]}"; do
    [[ $conns =~ ^[1-9][0-9]*$ ]] || die "connections must be positive numbers, not '$conns'"
done

# shellcheck source=lib/processes.sh
source "$BENCH_DIR/lib/processes.sh"
# shellcheck source=lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

# ---------------------------------------------------------------- the way out

WORK=""

finish() {
    local how="on its own" status
    trap - EXIT INT TERM HUP
    [[ -n ${PID_OF[chaperone]:-} ]] && alive "${PID_OF[chaperone]}" && how="after SIGTERM"
    stop_processes
    if [[ -n ${PID_OF[chaperone]:-} ]]; then
        exit_status chaperone
        status=$?
        say "chaperone exited with status $status $how"
        [[ -f $OUTDIR/meta.txt ]] && echo "chaperone exit status: $status $how" >>"$OUTDIR/meta.txt"
    fi
    wait 2>/dev/null
    [[ -n $WORK && -d $WORK ]] || return 0
    keep_logs
    if [[ $KEEP_WORK == 1 ]]; then say "scratch directory kept: $WORK"; else rm -rf "$WORK"; fi
}

keep_logs() {
    local file
    mkdir -p "$OUTDIR/logs"
    for file in "$WORK"/*/error.log "$WORK"/chaperone/chaperone.yaml; do
        [[ -f $file ]] || continue
        cp "$file" "$OUTDIR/logs/$(basename "$(dirname "$file")")-$(basename "$file")"
    done
    # The request log has a line per request; keep the ones that are not routine.
    [[ -f $WORK/chaperone/stderr.log ]] || return 0
    grep -v '"msg":"request".*"status":200,' "$WORK/chaperone/stderr.log" | head -n 2000 \
        >"$OUTDIR/logs/chaperone-notable.log"
}

trap finish EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- build

if [[ $BUILD == 1 ]]; then
    say "building Chaperone: swift build -c release --product chaperone"
    (cd "$REPO_ROOT" && exec timeout -k 5 "$BUILD_TIMEOUT" swift build -c release \
        --product chaperone) >&2 &
    own build "$!"
    wait "${PID_OF[build]}" || die "the release build failed or took over $BUILD_TIMEOUT s"
    unset 'PID_OF[build]'
    STARTED=()
fi
[[ -x $CHAPERONE ]] || die "no binary at $CHAPERONE (build it, or drop -n)"

# ---------------------------------------------------------------- servers

mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chaperone-bench-work.XXXXXX") || die "mktemp failed"
chmod 711 "$WORK"  # nginx workers running as nobody must reach the static file
head -c 4096 /dev/zero | tr '\0' 'b' >"$WORK/body-4k"
TOKEN=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

runs=$((ROUNDS * ${#WORKLOAD_LIST[@]} * ${#CONNS_LIST[@]} * ${#TARGETS[@]}))
estimate=$((runs * DURATION + runs / 2 + WARMUP * ${#WORKLOAD_LIST[@]} * ${#TARGETS[@]} * 2))
[[ -n $MAX_SECONDS ]] || MAX_SECONDS=$((estimate * 3 / 2 + 60))
# The last resort: startup, checks and shutdown take seconds, not minutes.
start_watchdog $((MAX_SECONDS + 120))

pick_port UPSTREAM_PORT
pick_port NGINX_PORT
pick_port CHAPERONE_PORT
if [[ $IDENTITY == 1 ]]; then
    start_issuer
    PLACEHOLDER="Bearer $(mint_token)"
fi
# What each proxy must put in front of the upstream; a vault route sends what was minted.
declare -A INJECTED=([nginx]="Bearer $TOKEN" [chaperone]="Bearer $TOKEN")
if [[ $VAULT == 1 ]]; then
    start_token_endpoint
    INJECTED[chaperone]="Bearer at-1"
fi
declare -A URL=(
    [upstream]=http://$HOST:$UPSTREAM_PORT
    [nginx]=http://$HOST:$NGINX_PORT
    [chaperone]=http://$HOST:$CHAPERONE_PORT
)
start_upstream "$UPSTREAM_PORT"
start_nginx_proxy "$NGINX_PORT" "$UPSTREAM_PORT"
start_chaperone "$CHAPERONE_PORT" "$UPSTREAM_PORT"
wait_until_serving upstream "${URL[upstream]}/ok" 10 "$WORK/upstream/error.log"
wait_until_serving nginx "${URL[nginx]}/ok" 10 "$WORK/nginx/error.log"
wait_until_serving chaperone "${URL[chaperone]}/ok" 30 "$WORK/chaperone/stderr.log"

# ---------------------------------------------------------------- checks

check_proxy() {  # check_proxy TARGET: the credential is replaced, bodies arrive whole
    local target=$1 base=${URL[$1]} seen problems=0
    seen=$(curl -sS --noproxy '*' --max-time 5 -H "Authorization: $PLACEHOLDER" \
        "$base/whoami" | tr -d '\r\n')
    if [[ $seen != "${INJECTED[$target]}" ]]; then
        say "CHECK $target: the upstream saw Authorization '$seen', not the injected token"
        problems=1
    fi
    seen=$(curl -sS --noproxy '*' --max-time 5 -o /dev/null -H "Authorization: $PLACEHOLDER" \
        -w '%{http_code} %{size_download}' "$base/16k")
    [[ $seen == "200 16384" ]] || { say "CHECK $target: /16k gave '$seen'"; problems=1; }
    seen=$(curl -sS --noproxy '*' --max-time 5 -H 'Expect:' -H "Authorization: $PLACEHOLDER" \
        -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/body-4k" \
        "$base/post" | tr -d '\r\n')
    [[ $seen == "received 4096 bytes" ]] || { say "CHECK $target: /post gave '$seen'"; problems=1; }
    if [[ $target == chaperone && $IDENTITY == 1 ]]; then
        seen=$(curl -sS --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$base/ok")
        [[ $seen == 401 ]] || { say "CHECK chaperone: no token gave $seen, not 401"; problems=1; }
    fi
    ((problems == 0)) && say "check $target: credential injected; 16 KiB and 4 KiB bodies whole"
    return "$problems"
}

failed=0
for target in "${TARGETS[@]}"; do check_proxy "$target" || failed=1; done
((failed == 0)) || die "a proxy failed its checks, so nothing was measured"

# ---------------------------------------------------------------- measuring

declare -A REQUESTS_COUNTED=([nginx]=0 [chaperone]=0)
WRK_OUT=$WORK/wrk.out
CLOCK_TICKS=$(getconf CLK_TCK)
CSV=$OUTDIR/results.csv
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

run_wrk() {  # run_wrk TARGET WORKLOAD CONNS SECONDS: sets RESULT_* from wrk's summary
    local path method bytes status line pair
    case $2 in
        get_ok) path=/ok method=GET bytes=0 ;;
        get_16k) path=/16k method=GET bytes=0 ;;
        post_4k) path=/post method=POST bytes=4096 ;;
    esac
    timeout -k 2 $(($4 + 15)) wrk -t1 -c"$3" -d"$4s" --timeout 5s -s "$BENCH_DIR/request.lua" \
        "${URL[$1]}$path" -- "$method" "$bytes" "$PLACEHOLDER" >"$WRK_OUT" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID"
    status=$?
    WRK_PID=""
    line=$(grep '^wrk-result ' "$WRK_OUT" | tail -n 1)
    if [[ $status != 0 || -z $line ]]; then
        say "wrk failed on $1 $2 c=$3 (status $status): $(head -c 300 "$WRK_OUT" | tr '\n' ' ')"
        return 1
    fi
    for pair in ${line#wrk-result }; do printf -v "RESULT_${pair%%=*}" '%s' "${pair#*=}"; done
    REQUESTS_COUNTED[$1]=$((REQUESTS_COUNTED[$1] + RESULT_requests))
}

{
    echo "date: $(date -Is)"
    echo "command: $INVOCATION"
    echo "host: $(uname -srm), $(nproc) cpus," \
        "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^.*version: //')"
    echo "wrk: $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
    echo "chaperone: $("$CHAPERONE" version), workers: $CHAPERONE_WORKERS," \
        "identity: $([[ $IDENTITY == 1 ]] && echo "verified, cached token" || echo off)" \
        "credential: $([[ $VAULT == 1 ]] && echo "minted from the vault, cached" || echo static)," \
        "audit: $AUDIT"
    echo "rounds: $ROUNDS x ${DURATION}s, warm-up ${WARMUP}s, workloads: $WORKLOADS," \
        "connections: $CONCURRENCIES"
    echo "load average at start: $LOAD_AT_START"
} >"$OUTDIR/meta.txt"

say "$runs runs, about ${estimate}s; the measuring loop stops after ${MAX_SECONDS}s"
budget_start=$SECONDS
truncated=0

if ((WARMUP > 0)); then
    for workload in "${WORKLOAD_LIST[@]}"; do
        for target in "${TARGETS[@]}"; do
            run_wrk "$target" "$workload" "${CONNS_LIST[-1]}" "$WARMUP" || true
        done
    done
    say "warm-up done"
fi

read -r machine_busy_before machine_total_before <<<"$(machine_ticks)"
own_before=$(own_ticks upstream "${TARGETS[@]}")
columns=round,workload,conns,target,requests,seconds,rps,p50_us,p99_us,errors
echo "$columns,cpu_us_per_req,upstream_cpu_us_per_req" >"$CSV"

# shellcheck disable=SC2154  # RESULT_* come from run_wrk through printf -v
for ((round = 1; round <= ROUNDS; round++)); do
    # Rotate the order every round, so that neither target always runs first.
    shift_by=$(((round - 1) % ${#TARGETS[@]}))
    order=("${TARGETS[@]:shift_by}" "${TARGETS[@]:0:shift_by}")
    for workload in "${WORKLOAD_LIST[@]}"; do
        for conns in "${CONNS_LIST[@]}"; do
            for target in "${order[@]}"; do
                if ((SECONDS - budget_start > MAX_SECONDS)); then
                    say "measuring budget of ${MAX_SECONDS}s spent: stopping early"
                    truncated=1
                    break 4
                fi
                target_before=$(cpu_ticks "$target")
                upstream_before=$(cpu_ticks upstream)
                run_wrk "$target" "$workload" "$conns" "$DURATION" || continue
                target_ticks=$(($(cpu_ticks "$target") - target_before))
                upstream_ticks=$(($(cpu_ticks upstream) - upstream_before))
                awk -v round="$round" -v workload="$workload" -v conns="$conns" \
                    -v target="$target" -v n="$RESULT_requests" -v us="$RESULT_duration_us" \
                    -v p50="$RESULT_p50_us" -v p99="$RESULT_p99_us" \
                    -v errors=$((RESULT_socket_errors + RESULT_non2xx)) \
                    -v ticks="$target_ticks" -v upstream="$upstream_ticks" \
                    -v hz="$CLOCK_TICKS" 'BEGIN {
                        per = n > 0 ? 1e6 / hz / n : 0
                        printf "%d,%s,%d,%s,%d,%.3f,%.1f,%d,%d,%d,%.2f,%.2f\n", round,
                            workload, conns, target, n, us / 1e6, n / (us / 1e6), p50, p99,
                            errors, ticks * per, upstream * per
                    }' >>"$CSV"
                say "round $round $workload c=$conns $target: $(tail -n 1 "$CSV" | awk -F, \
                    '{ printf "%.0f req/s, p50 %d us, %.1f CPU us/request", $7, $8, $11 }')"
            done
        done
    done
done

read -r machine_busy_after machine_total_after <<<"$(machine_ticks)"
own_after=$(own_ticks upstream "${TARGETS[@]}")

# ---------------------------------------------------------------- report

summarize_chaperone_log() {  # request lines, statuses, slow requests and other warnings
    local log=$WORK/chaperone/stderr.log
    echo "chaperone log: $(grep -c '"msg":"request"' "$log") request lines for" \
        "${REQUESTS_COUNTED[chaperone]} requests that wrk counted (wrk leaves out those"
    echo "  in flight at its deadline; checks and probes add a few); by status:" \
        "$(grep -o '"status":[0-9]*' "$log" | sort | uniq -c \
            | awk '{ printf "%s%s x%s", sep, substr($2, 10), $1; sep = ", " }')"
    grep -o '"duration_ms":[0-9.]*' "$log" | awk -F: '$2 > 1000 { n++; if ($2 > max) max = $2 }
        END { if (n) printf "  %d requests took over 1 s (the longest %.0f ms)\n", n, max }'
    grep -v '"msg":"request"' "$log" | grep -E '"level":"(warning|error)"' \
        | sed -E 's/"ts":"[^"]*",//; s#/[^ "]*/chaperone\.yaml#chaperone.yaml#' \
        | sort | uniq -c | sed 's/^ */  /'
}

SUMMARY=$OUTDIR/summary.txt
{
    echo "== Chaperone vs nginx, $(date -Is), $(nproc) cpus"
    echo "   $INVOCATION  (rounds=$ROUNDS, ${DURATION}s each, wrk -t1, medians over rounds)"
    echo
    awk -F, -v baseline=nginx -f "$BENCH_DIR/report.awk" "$CSV"
    echo
    echo "peak RSS (VmHWM summed over the process tree; nginx counts master and worker):"
    for label in "${TARGETS[@]}" upstream; do
        read -r processes kib <<<"$(peak_rss "$label")"
        awk -v label="$label" -v n="$processes" -v kib="$kib" 'BEGIN {
            printf "  %-10s %d process%-2s %6.1f MiB\n", label, n, n == 1 ? "" : "es", kib / 1024
        }'
    done
    echo
    summarize_chaperone_log
    echo
    # Other processes skew every figure on a shared machine: say how much there was.
    awk -v busy=$((machine_busy_after - machine_busy_before)) \
        -v total=$((machine_total_after - machine_total_before)) \
        -v own=$((own_after - own_before)) 'BEGIN { if (total > 0)
            printf "while measuring: CPUs %.0f%% busy; this run used %.0f%%, " \
                "other processes %.0f%%\n", 100 * busy / total, 100 * own / total,
                100 * (busy > own ? busy - own : 0) / total }'
    echo "load average: $LOAD_AT_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
    echo "raw runs: $CSV"
    ((truncated)) && echo "(stopped early: the measuring budget of ${MAX_SECONDS}s was spent)"
} >"$SUMMARY"
cat "$SUMMARY"
((truncated)) && exit 3
exit 0
