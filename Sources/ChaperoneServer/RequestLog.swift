import ChaperoneAudit
import ChaperoneClock

/// The per-request log lines of one shard, written in one `write(2)` per loop pass: info for
/// a request forwarded or failed, debug for one denied or held.
///
/// Fields are fixed: `request_id`, `route`, `method`, `path` (query values removed),
/// `status`, `duration_ms`, `upstream_ms`, `bytes_in`, `bytes_out`, for a verified caller
/// `user` and `actor` (subjects from the token, never the token), `approval` (the id of an
/// approval the request was held for or collected), and when something went
/// wrong `error` (the problem type) and `reason`. Header values never appear.
struct RequestLog {
    private var pending = JSONText(capacity: 16 << 10)
    private var timestamp = TimestampFormatter()
    /// The logged path of the request being recorded; kept to reuse its storage.
    private var path: [UInt8] = []

    mutating func record(_ request: ProxyRequest, now: UInt64) {
        let level = Self.level(of: request)
        guard Log.minimumLevel <= level else { return }
        pending.beginObject()
        pending.field("ts", timestamp: &timestamp)
        pending.field("level", level.rawValue)
        pending.field("msg", "request")
        pending.field("request_id", request.requestID)
        if let plan = request.plan { pending.field("route", plan.route.name) }
        pending.field("method", request.method)
        Self.loggedPath(request.rawTarget, into: &path)
        pending.field("path", utf8: path)
        if let caller = request.caller {
            pending.field("user", caller.subject)
            if let actor = caller.actors.first { pending.field("actor", actor.subject) }
        }
        if let approval = request.approvalID { pending.field("approval", approval) }
        pending.field("status", request.status)
        pending.field("duration_ms", milliseconds: MonotonicClock.elapsed(from: request.startedAt, to: now))
        if request.upstreamStartedAt > 0 {
            let end = request.upstreamHeadAt > 0 ? request.upstreamHeadAt : now
            pending.field("upstream_ms",
                          milliseconds: MonotonicClock.elapsed(from: request.upstreamStartedAt, to: end))
        }
        pending.field("bytes_in", request.bodyReceived)
        pending.field("bytes_out", request.bytesOut)
        if let problem = request.problem { pending.field("error", problem.code) }
        if let outcome = request.outcome { pending.field("reason", outcome) }
        pending.endObject()
        pending.newline()
    }

    /// A denied or held request is routine, the agent's affair more than the operator's:
    /// debug. The rest, forwarded or failed, is info. The audit log records every one.
    static func level(of request: ProxyRequest) -> Log.Level {
        switch request.auditDecision().decision {
        case .denied, .held: .debug
        case .forwarded, .error, .sending: .info
        }
    }

    mutating func flush() {
        guard !pending.bytes.isEmpty else { return }
        Log.write(pending.bytes)
        pending.clear()
    }

    /// The request path as the agent sent it, cut to 512 bytes, with query values removed
    /// (`?user=alice&page=2` becomes `?user=&page=`), since values may carry personal data
    /// or keys.
    static func loggedPath(_ raw: [UInt8]) -> String {
        var out: [UInt8] = []
        loggedPath(raw, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func loggedPath(_ raw: [UInt8], into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        AuditPath.redactQueryValues(raw.prefix(512), into: &out)
    }
}
