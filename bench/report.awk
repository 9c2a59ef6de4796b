# Turns the raw runs of bench/compare.sh (results.csv) into the comparison table.
#   awk -F, -v baseline=nginx -f bench/report.awk results.csv
#
# Every figure is a median over rounds. A ratio is taken within one round first, and the
# median of those ratios is shown: a slow drift of the machine then cancels out, because
# both targets ran a few seconds apart in the same round.

function median(values, n,    i, j, v) {
    for (i = 2; i <= n; i++) {
        v = values[i]
        for (j = i - 1; j >= 1 && values[j] > v; j--) values[j + 1] = values[j]
        values[j + 1] = v
    }
    if (n == 0) return ""
    return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
}

# Median over rounds of one metric of one cell.
function cell_median(metric, cell,    r, n, values) {
    n = 0
    for (r = 1; r <= rounds; r++)
        if ((metric, cell, round_id[r]) in value) values[++n] = value[metric, cell, round_id[r]]
    return median(values, n)
}

# Median over rounds of cell / reference, each ratio taken within one round.
function paired_ratio(metric, cell, reference,    r, n, id, values) {
    n = 0
    for (r = 1; r <= rounds; r++) {
        id = round_id[r]
        if (!((metric, cell, id) in value) || !((metric, reference, id) in value)) continue
        if (value[metric, reference, id] <= 0) continue
        values[++n] = value[metric, cell, id] / value[metric, reference, id]
    }
    return median(values, n)
}

# (max - min) / median of req/s over rounds: how noisy the cell was.
function spread(cell, middle,    r, lo, hi, v, seen) {
    seen = 0
    for (r = 1; r <= rounds; r++) {
        if (!(("rps", cell, round_id[r]) in value)) continue
        v = value["rps", cell, round_id[r]]
        if (!seen || v < lo) lo = v
        if (!seen || v > hi) hi = v
        seen = 1
    }
    return (seen && middle > 0) ? 100 * (hi - lo) / middle : 0
}

function remember(list, count, item) {
    if ((list, item) in known) return count
    known[list, item] = 1
    order[list, ++count] = item
    return count
}

NR == 1 { next }

{
    cell = $2 SUBSEP $3 SUBSEP $4
    value["rps", cell, $1] = $7
    value["p50", cell, $1] = $8
    value["p99", cell, $1] = $9
    value["cpu", cell, $1] = $11
    errors[cell] += $10
    rounds = remember("round", rounds, $1)
    workloads = remember("workload", workloads, $2)
    concurrencies = remember("conns", concurrencies, $3)
    targets = remember("target", targets, $4)
}

END {
    for (r = 1; r <= rounds; r++) round_id[r] = order["round", r]
    shown = 0
    if (("target", baseline) in known) target_at[++shown] = baseline
    for (t = 1; t <= targets; t++)
        if (order["target", t] != baseline) target_at[++shown] = order["target", t]

    ratio_head = "x" baseline
    printf "%-8s %4s %-10s %8s %8s %6s %7s %7s %10s %8s %6s\n", "workload", "conc", "target",
        "req/s", ratio_head, "spread", "p50_us", "p99_us", "cpu_us/req", ratio_head, "errors"
    for (w = 1; w <= workloads; w++) {
        for (c = 1; c <= concurrencies; c++) {
            workload = order["workload", w]
            conns = order["conns", c]
            reference = workload SUBSEP conns SUBSEP baseline
            for (t = 1; t <= shown; t++) {
                cell = workload SUBSEP conns SUBSEP target_at[t]
                rps = cell_median("rps", cell)
                if (rps == "") continue
                rps_ratio = paired_ratio("rps", cell, reference)
                cpu_ratio = paired_ratio("cpu", cell, reference)
                printf "%-8s %4s %-10s %8.0f %8s %5.0f%% %7.0f %7.0f %10.1f %8s %6d\n",
                    workload, conns, target_at[t], rps, format_ratio(rps_ratio),
                    spread(cell, rps), cell_median("p50", cell), cell_median("p99", cell),
                    cell_median("cpu", cell), format_ratio(cpu_ratio), errors[cell]
                if (target_at[t] == baseline) continue
                key = target_at[t] SUBSEP conns
                if (rps_ratio > 0) { log_rps[key] += log(rps_ratio); n_rps[key]++ }
                if (cpu_ratio > 0) { log_cpu[key] += log(cpu_ratio); n_cpu[key]++ }
            }
        }
    }

    printf "\ngeometric mean over workloads, ratio to %s:\n", baseline
    for (t = 1; t <= shown; t++) {
        if (target_at[t] == baseline) continue
        for (c = 1; c <= concurrencies; c++) {
            conns = order["conns", c]
            key = target_at[t] SUBSEP conns
            if (!n_rps[key]) continue
            printf "  %-10s c=%-4s req/s %.2f   cpu/req %s\n", target_at[t], conns,
                exp(log_rps[key] / n_rps[key]),
                n_cpu[key] ? sprintf("%.2f", exp(log_cpu[key] / n_cpu[key])) : "-"
        }
    }
}

function format_ratio(ratio) { return ratio == "" ? "-" : sprintf("%.2f", ratio) }
