-- The request wrk sends for bench/compare.sh, shaped by the arguments after `--`:
--   wrk ... -s bench/request.lua URL -- METHOD BODY_BYTES AUTHORIZATION
-- done() prints one line that compare.sh parses, so it never scrapes wrk's human report.

function init(args)
  wrk.method = args[1] or "GET"
  local size = tonumber(args[2]) or 0
  if size > 0 then
    wrk.body = string.rep("x", size)
    wrk.headers["Content-Type"] = "application/octet-stream"
  end
  if args[3] and args[3] ~= "" then
    wrk.headers["Authorization"] = args[3]
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
