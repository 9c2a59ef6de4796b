# Processes that bench/compare.sh starts: it owns them by PID, measures what they use, and
# stops them all on the way out. Sourced, never run; it relies on say() from the caller.

declare -A PID_OF=()   # label -> PID of a process this script started
STARTED=()             # labels in start order
WRK_PID=""             # the wrk run in progress, if any
WATCHDOG_PID=""

alive() {  # alive PID: true while it runs; a zombie no longer counts
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

tree_of() {  # tree_of PID...: those processes and all their descendants, parents first
    local pid
    for pid in "$@"; do
        alive "$pid" || continue
        echo "$pid"
        # shellcheck disable=SC2046  # one PID per word
        tree_of $(ps -o pid= --ppid "$pid")
    done
}

start() {  # start LABEL LOGFILE COMMAND...: in the background, owned from now on
    local label=$1 logfile=$2
    shift 2
    "$@" </dev/null >>"$logfile" 2>&1 &
    own "$label" "$!"
}

own() {  # own LABEL PID: a background child that stop_processes must stop
    PID_OF[$1]=$2
    STARTED+=("$1")
    say "started $1 (pid $2)"
}

start_watchdog() {  # start_watchdog SECONDS: SIGTERM to this script once they have passed
    (sleep "$1" && kill -TERM $$) >/dev/null 2>&1 &
    WATCHDOG_PID=$!
}

wait_gone() {  # wait_gone TENTHS PID...: until every PID has exited, at most TENTHS/10 s
    local tenths=$1 pid
    shift
    for ((; tenths > 0; tenths--)); do
        for pid in "$@"; do alive "$pid" && break; done
        alive "${pid:-0}" || return 0
        sleep 0.1
    done
    return 1
}

stop_processes() {  # everything started here, by PID; each wait bounded
    local label roots=() pids=() i pid
    [[ -n $WRK_PID ]] && kill -TERM "$WRK_PID" 2>/dev/null
    # Only the watchdog's sleep: its shell then ends by itself and reaps it, rather than
    # leaving an orphaned zombie for init to collect.
    if [[ -n $WATCHDOG_PID ]]; then
        for pid in $(ps -o pid= --ppid "$WATCHDOG_PID"); do kill -TERM "$pid" 2>/dev/null; done
        wait_gone 20 "$WATCHDOG_PID" || kill -KILL "$WATCHDOG_PID" 2>/dev/null
    fi

    for label in "${STARTED[@]}"; do
        roots+=("${PID_OF[$label]}")
        # shellcheck disable=SC2207  # one PID per word
        pids+=($(tree_of "${PID_OF[$label]}"))
    done
    # Roots only, newest first: an nginx master then stops its own workers instead of
    # replacing them.
    for ((i = ${#roots[@]} - 1; i >= 0; i--)); do kill -TERM "${roots[i]}" 2>/dev/null; done
    wait_gone 100 "${roots[@]}"
    # Whatever outlives its root gets a SIGTERM of its own, then SIGKILL.
    for pid in "${pids[@]}"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null; done
    wait_gone 20 "${pids[@]}"
    for pid in "${pids[@]}"; do
        alive "$pid" && say "pid $pid ignored SIGTERM: SIGKILL" && kill -KILL "$pid"
    done
}

exit_status() {  # exit_status LABEL: how a stopped child ended (it is reaped already)
    wait "${PID_OF[$1]}" 2>/dev/null
}

cpu_ticks() {  # cpu_ticks LABEL: utime + stime of its process tree, in clock ticks
    local total=0 pid stat fields
    for pid in $(tree_of "${PID_OF[$1]}"); do
        read -r stat 2>/dev/null <"/proc/$pid/stat" || continue
        read -ra fields <<<"${stat##*) }"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

own_ticks() {  # own_ticks LABEL...: theirs, plus this shell's and its reaped children's
    local stat fields label total
    read -r stat <"/proc/$$/stat"
    read -ra fields <<<"${stat##*) }"
    total=$((fields[11] + fields[12] + fields[13] + fields[14]))
    for label in "$@"; do total=$((total + $(cpu_ticks "$label"))); done
    echo "$total"
}

machine_ticks() {  # "BUSY TOTAL" from /proc/stat over all CPUs; busy counts irq time too
    awk '$1 == "cpu" { busy = $2 + $3 + $4 + $7 + $8
        print busy, busy + $5 + $6 + $9; exit }' /proc/stat
}

peak_rss() {  # peak_rss LABEL: "PROCESSES KIB", VmHWM summed over its process tree
    local total=0 count=0 pid kib
    for pid in $(tree_of "${PID_OF[$1]}"); do
        kib=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status" 2>/dev/null)
        total=$((total + ${kib:-0}))
        count=$((count + 1))
    done
    echo "$count $total"
}
