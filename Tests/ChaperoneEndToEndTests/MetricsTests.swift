import ChaperoneTestSupport
import Foundation
import Testing

/// One sample of `/metrics`, as prometheus-client's parser read it.
struct MetricSample {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// `/metrics` parsed by prometheus-client (installed from PyPI by scripts/python-env).
func scrapeMetrics(_ chaperone: ChaperoneProcess) throws -> [MetricSample] {
    let response = try HTTPClient.request(chaperone.adminURL("/metrics"))
    guard response.status == 200 else { throw TestFailure("/metrics answered \(response.status)") }
    guard response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true else {
        throw TestFailure("/metrics is \(response.header("Content-Type") ?? "untyped")")
    }
    let directory = try TemporaryDirectory()
    let parser = try TestProcess(
        packageRoot + "/.build/python/bin/python",
        [packageRoot + "/Tests/ChaperoneEndToEndTests/Fixtures/parse_metrics.py"],
        directory: directory, name: "parse-metrics", input: response.body)
    guard parser.waitForExit() == 0 else {
        throw TestFailure("prometheus-client refused /metrics: \(parser.stderr)\n\(response.text)")
    }
    return try parser.stdout.split(separator: "\n").map { line in
        let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        return MetricSample(name: json["name"] as? String ?? "",
                            labels: json["labels"] as? [String: String] ?? [:],
                            value: json["value"] as? Double ?? .nan)
    }
}

extension [MetricSample] {
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }
}

@Suite(.timeLimit(.minutes(2))) struct MetricsTests {
    @Test func countsRequestsByRouteDecisionAndStatusWithoutRequestData() throws {
        let setup = try Setup(admin: true)
        for _ in 0..<3 { #expect(try setup.get("/api/ok").status == 200) }
        #expect(try setup.get("/api/status?code=503").status == 503)
        #expect(try setup.get("/elsewhere/secret-path-x?token=abc").status == 404)

        // A request is counted once libmicrohttpd reports it complete, which can come just
        // after the client has read the whole answer.
        let samples = try poll("five requests counted") { () -> [MetricSample]? in
            let samples = try scrapeMetrics(setup.chaperone)
            let counted = samples.filter { $0.name == "chaperone_requests_total" }
                .reduce(0) { $0 + $1.value }
            return counted >= 5 ? samples : nil
        }
        #expect(samples.value("chaperone_requests_total",
                              ["route": "api", "decision": "forwarded", "status": "2xx"]) == 3)
        #expect(samples.value("chaperone_requests_total",
                              ["route": "api", "decision": "forwarded", "status": "5xx"]) == 1)
        #expect(samples.value("chaperone_requests_total",
                              ["route": "", "decision": "no-route", "status": "4xx"]) == 1)
        #expect(samples.value("chaperone_request_duration_seconds_count", ["route": "api"]) == 4)
        #expect(samples.value("chaperone_upstream_duration_seconds_count", ["route": "api"]) == 4)
        #expect(samples.value("chaperone_request_duration_seconds_bucket",
                              ["route": "api", "le": "+Inf"]) == 4)
        #expect((samples.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((samples.value("process_open_fds") ?? 0) > 3)
        #expect(samples.value("chaperone_approvals_pending") == 0)
        #expect(samples.contains { $0.name == "chaperone_event_loop_lag_seconds" })
        #expect(samples.value("chaperone_audit_failures_total") == 0)
        #expect(samples.value("chaperone_audit_queue_depth") != nil)
        // Five requests reached route matching, so five records; the writer may not have
        // committed the latest yet.
        let records = try poll("five audit records") { () -> Double? in
            let value = try scrapeMetrics(setup.chaperone).value("chaperone_audit_records_total")
            return value == 5 ? value : nil
        }
        #expect(records == 5)

        // Label values are configuration names and fixed words only.
        let labelValues = Set(samples.flatMap { $0.labels.values })
        for leaked in ["secret-path-x", "token", "abc", upstreamToken] {
            #expect(!labelValues.contains { $0.contains(leaked) })
        }
    }
}
