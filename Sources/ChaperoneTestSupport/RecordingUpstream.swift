import Foundation

/// A real HTTP server (Tests/ChaperoneEndToEndTests/Fixtures/upstream.py, Python's
/// http.server) that records every request it receives, for checking what Chaperone
/// forwarded.
public final class RecordingUpstream: @unchecked Sendable {
    public struct Record: Sendable {
        public var method: String
        public var target: String
        public var headers: [(name: String, value: String)]
        public var bodyLength: Int
        public var bodySHA256: String

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public func hasHeader(_ name: String) -> Bool { header(name) != nil }
    }

    private let server: FixtureServer
    public var port: Int { server.port }
    public let scheme: String

    /// Starts the upstream; with `tls` (certificate and key paths) it speaks HTTPS.
    public init(tls: (certificate: String, key: String)? = nil) throws {
        server = try FixtureServer("upstream.py",
                                   arguments: tls.map { ["--tls", $0.certificate, $0.key] } ?? [])
        scheme = tls == nil ? "http" : "https"
    }

    public var url: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Waits until the upstream has received at least `count` requests.
    public func waitForRequest(count: Int = 1, timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try records().count >= count { return }
            usleep(20_000)
        }
        throw TestFailure("the upstream received fewer than \(count) requests")
    }

    /// What the upstream received so far (HTTP only).
    public func records() throws -> [Record] {
        let response = try HTTPClient.request(url + "/__records", caFile: nil, insecure: true)
        let list = try JSONSerialization.jsonObject(with: Data(response.body)) as! [[String: Any]]
        return list.map { entry in
            Record(
                method: entry["method"] as! String,
                target: entry["target"] as! String,
                headers: (entry["headers"] as! [[String]]).map { ($0[0], $0[1]) },
                bodyLength: entry["body_length"] as! Int,
                bodySHA256: entry["body_sha256"] as! String
            )
        }
    }
}
