import CChaperone
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the admin listener's `/metrics` reports, in the Prometheus text format. Shared by
/// every thread; updates are relaxed atomic additions. Label values are route and
/// connection names from the configuration, loop numbers and fixed words, never anything
/// from a request.
///
/// Series live as long as the process: a route removed by a reload keeps its counts.
final class Metrics: Sendable {
    private struct Families {
        var routes: [RouteMetrics] = []
        var connections: [ConnectionMetrics] = []
    }

    private let families = Mutex(Families())
    /// Vault credential lookups, by `VaultCache`.
    let vaultCache = Counters(VaultCache.allCases.count)
    /// Key set fetches: 0 succeeded, 1 failed.
    let keyFetches = Counters(2)
    /// Per loop, the latest a timer fired since the last scrape, in nanoseconds.
    let loopLag: Counters
    let startedAt = time(nil)

    enum VaultCache: Int, CaseIterable {
        case loopHit, sharedHit, miss

        var label: String {
            switch self {
            case .loopHit: "loop"
            case .sharedHit: "shared"
            case .miss: "miss"
            }
        }
    }

    /// Requests that matched no route; shown with an empty route label.
    let unrouted = RouteMetrics(name: "")

    init(loops: Int) { loopLag = Counters(loops) }

    /// The series of route `name`, made on first use.
    func route(_ name: String) -> RouteMetrics {
        families.withLock { families in
            if let found = families.routes.first(where: { $0.name == name }) { return found }
            let made = RouteMetrics(name: name)
            families.routes.append(made)
            return made
        }
    }

    func connection(_ name: String) -> ConnectionMetrics {
        families.withLock { families in
            if let found = families.connections.first(where: { $0.name == name }) {
                return found
            }
            let made = ConnectionMetrics(name: name)
            families.connections.append(made)
            return made
        }
    }

    /// Values read at scrape time from elsewhere.
    struct Gauges {
        var approvalsPending: Int
        var extra: [(help: String, name: String, type: String, value: String)] = []
    }

    func render(_ gauges: Gauges) -> String {
        let (routes, connections) = families.withLock { ([unrouted] + $0.routes, $0.connections) }
        var text = ""
        text.reserveCapacity(4_096 + routes.count * 6_000)

        family(&text, "chaperone_requests_total", "counter",
               "Requests that reached route matching, by route, decision and status class.")
        for route in routes {
            for decision in 0..<RouteMetrics.decisions.count {
                for statusClass in 0..<RouteMetrics.statusClasses.count {
                    let value = route.requests.load(decision * 6 + statusClass)
                    guard value > 0 else { continue }
                    text += "chaperone_requests_total{route=\"\(route.name)\",decision=\""
                        + "\(RouteMetrics.decisions[decision])\",status=\""
                        + "\(RouteMetrics.statusClasses[statusClass])\"} \(value)\n"
                }
            }
        }
        family(&text, "chaperone_request_duration_seconds", "histogram",
               "Time from the request line to the response, by route.")
        for route in routes {
            route.duration.write("chaperone_request_duration_seconds",
                                 labels: "route=\"\(route.name)\"", into: &text)
        }
        family(&text, "chaperone_upstream_duration_seconds", "histogram",
               "Time from sending upstream to the upstream's response headers, by route.")
        for route in routes {
            route.upstream.write("chaperone_upstream_duration_seconds",
                                 labels: "route=\"\(route.name)\"", into: &text)
        }
        family(&text, "chaperone_approvals_pending", "gauge",
               "Requests held for a user's approval now.")
        text += "chaperone_approvals_pending \(gauges.approvalsPending)\n"
        family(&text, "chaperone_approvals_total", "counter",
               "Ended approvals, by route and outcome.")
        for route in routes {
            for (index, outcome) in RouteMetrics.approvalOutcomes.enumerated() {
                let value = route.approvals.load(index)
                guard value > 0 else { continue }
                text += "chaperone_approvals_total{route=\"\(route.name)\",outcome=\"\(outcome)\"}"
                    + " \(value)\n"
            }
        }
        family(&text, "chaperone_vault_cache_total", "counter",
               "Vault credential lookups: found in the loop's cache, in the shared cache, or "
                   + "missing (a mint).")
        for entry in VaultCache.allCases {
            text += "chaperone_vault_cache_total{result=\"\(entry.label)\"} "
                + "\(vaultCache.load(entry.rawValue))\n"
        }
        family(&text, "chaperone_vault_refreshes_total", "counter",
               "Calls to a connection's token endpoint, by connection and result.")
        for connection in connections {
            for (index, result) in ConnectionMetrics.results.enumerated() {
                text += "chaperone_vault_refreshes_total{connection=\"\(connection.name)\","
                    + "result=\"\(result)\"} \(connection.refreshes.load(index))\n"
            }
        }
        family(&text, "chaperone_jwks_refreshes_total", "counter",
               "Fetches of the issuer's key set, by result.")
        text += "chaperone_jwks_refreshes_total{result=\"ok\"} \(keyFetches.load(0))\n"
        text += "chaperone_jwks_refreshes_total{result=\"failed\"} \(keyFetches.load(1))\n"
        family(&text, "chaperone_event_loop_lag_seconds", "gauge",
               "The latest a timer fired on each event loop since the previous scrape.")
        for loop in 0..<loopLag.count {
            text += "chaperone_event_loop_lag_seconds{loop=\"\(loop)\"} "
                + "\(Double(loopLag.take(loop)) / 1e9)\n"
        }
        for gauge in gauges.extra {
            family(&text, gauge.name, gauge.type, gauge.help)
            text += "\(gauge.name) \(gauge.value)\n"
        }
        family(&text, "process_resident_memory_bytes", "gauge", "Resident memory.")
        text += "process_resident_memory_bytes \(Self.residentBytes())\n"
        family(&text, "process_open_fds", "gauge", "Open file descriptors.")
        text += "process_open_fds \(Self.openDescriptors())\n"
        family(&text, "process_start_time_seconds", "gauge",
               "Start time of the process since the epoch.")
        text += "process_start_time_seconds \(startedAt)\n"
        return text
    }

    private func family(_ text: inout String, _ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0, resident = 0
        guard withUnsafeMutablePointer(to: &size, { sizePointer in
            withUnsafeMutablePointer(to: &resident) { residentPointer in
                chaperone_read_two_longs(file, sizePointer, residentPointer)
            }
        }) == 2 else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)  // the directory stream's own descriptor
    }
}

/// The series of one route.
final class RouteMetrics: Sendable {
    /// `forwarded` (the upstream answered), `held` (202 in interrupt mode), `cancelled` (the
    /// client left first), then the problem types Chaperone answers with.
    static let decisions = ["forwarded", "held", "cancelled"] + ProblemType.metricCodes
    static let statusClasses = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"]
    static let approvalOutcomes = ["approved", "denied", "expired", "unavailable", "refused"]

    let name: String
    let requests = Counters(decisions.count * 6)
    let duration = DurationHistogram()
    let upstream = DurationHistogram()
    let approvals = Counters(approvalOutcomes.count)

    init(name: String) { self.name = name }

    func count(decision: Int, status: UInt32) {
        let statusClass = status >= 100 && status < 600 ? Int(status / 100) : 0
        requests.add(decision * 6 + statusClass)
    }

    func count(_ outcome: ApprovalOutcome) {
        let index = switch outcome {
        case .approved: 0
        case .denied: 1
        case .expired: 2
        case .unavailable: 3
        case .refused: 4
        }
        approvals.add(index)
    }
}

/// The series of one vault connection.
final class ConnectionMetrics: Sendable {
    static let results = ["issued", "consent_required", "revoked", "failed"]

    let name: String
    /// By `results`.
    let refreshes = Counters(results.count)

    init(name: String) { self.name = name }
}
