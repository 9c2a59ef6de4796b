import ChaperoneTestSupport
import Foundation

/// A configuration with one catch-all route `/api/**` to `upstream`, stripped of `/api`,
/// injecting `Bearer $TEST_UPSTREAM_TOKEN`; `extra` is appended to the route (indented
/// four spaces) and `top` to the top level.
func config(upstream: String, extra: String = "", top: String = "", admin: Bool = false,
            workers: Int = 2) -> String
{
    """
    version: 1
    listen: 127.0.0.1:0
    workers: \(workers)
    \(admin ? "admin: {listen: 127.0.0.1:0}" : "")
    \(top)
    routes:
      - name: api
        path: /api/**
        upstream: \(upstream)
        strip_prefix: /api
        credential: {static: {env: TEST_UPSTREAM_TOKEN}}
    \(extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    """
}

/// The secret the tests' routes inject; it must reach the upstream and nothing else.
let upstreamToken = "sk-test-4f9c1e7a2b"
let tokenEnvironment = ["TEST_UPSTREAM_TOKEN": upstreamToken]

/// A Chaperone in front of a fresh recording upstream.
struct Setup {
    let upstream: RecordingUpstream
    let chaperone: ChaperoneProcess

    /// `logLevel`: as for `ChaperoneProcess`, debug unless nil.
    init(extra: String = "", top: String = "", admin: Bool = false, workers: Int = 2,
         logLevel: String? = "debug") throws
    {
        upstream = try RecordingUpstream()
        chaperone = try ChaperoneProcess(
            config: config(upstream: upstream.url, extra: extra, top: top, admin: admin,
                           workers: workers),
            environment: tokenEnvironment, logLevel: logLevel)
    }

    func get(_ path: String, headers: [String] = [], timeout: Double = 20) throws -> HTTPResponse {
        try HTTPClient.request(chaperone.url(path), headers: headers, timeout: timeout)
    }
}

/// SHA-256 of bytes, with the openssl command line, so the check does not share code
/// with anything under test.
func sha256(_ bytes: [UInt8]) throws -> String {
    let directory = try TemporaryDirectory()
    let path = directory.path("data")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let process = try TestProcess("/usr/bin/openssl", ["dgst", "-sha256", "-r", path],
                                  directory: directory, name: "sha")
    _ = process.waitForExit()
    return String(process.stdout.prefix(64))
}

/// Deterministic bytes the upstream fixture also produces for /big.
func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0) }
}

/// Open file descriptors of a process.
func openDescriptors(_ pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
}
