import Foundation

/// The built `chaperone` binary serving a configuration written for one test.
public final class ChaperoneProcess: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let process: TestProcess
    public let configPath: String
    /// The bound proxy and admin ports, read from the start-up log line.
    public let port: Int
    public let adminPort: Int?

    /// The `chaperone` executable built beside the test runner.
    public static let binary: String = {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: runner).deletingLastPathComponent()
            .appendingPathComponent("chaperone").path
    }()

    /// Starts `chaperone serve` with `config` (YAML; use `127.0.0.1:0` to get a free port)
    /// and waits until it listens. `logLevel` goes to `CHAPERONE_LOG_LEVEL`: debug unless
    /// said otherwise, so that every line there is (denied requests' among them) reaches
    /// the checks that nothing secret is logged; nil leaves the level to `config`.
    public init(config: String, environment: [String: String] = [:],
                logLevel: String? = "debug", coreLimitUnlimited: Bool = false) throws
    {
        directory = try TemporaryDirectory()
        configPath = try directory.write("proxy.yaml", config)
        var environment = environment
        if let logLevel, environment["CHAPERONE_LOG_LEVEL"] == nil {
            environment["CHAPERONE_LOG_LEVEL"] = logLevel
        }
        process = try TestProcess(Self.binary, ["serve", "--config", configPath],
                                  environment: environment, directory: directory,
                                  name: "chaperone", coreLimitUnlimited: coreLimitUnlimited)
        let log = try process.waitForOutput { $0.contains(#""msg":"listening""#) }
        let line = log.split(separator: "\n").first { $0.contains(#""msg":"listening""#) }!
        let fields = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        port = Self.port(of: fields["proxy"] as? String)!
        adminPort = Self.port(of: fields["admin"] as? String)
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    public func adminURL(_ path: String) -> String { "http://127.0.0.1:\(adminPort!)\(path)" }

    public var log: String { process.stderr }

    /// Log lines as JSON objects.
    public var logLines: [[String: Any]] {
        log.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The request log lines, in order.
    public var requestLines: [[String: Any]] {
        logLines.filter { $0["msg"] as? String == "request" }
    }

    /// Writes a new configuration and sends SIGHUP; waits for the outcome line.
    public func reload(config: String) throws {
        let before = log.components(separatedBy: "\n").count
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process.signal(SIGHUP)
        try process.waitForOutput { text in
            let lines = text.components(separatedBy: "\n").dropFirst(before - 1)
            return lines.contains { $0.contains(#""msg":"reloaded""#) || $0.contains("reload refused") }
        }
    }

    private static func port(of address: String?) -> Int? {
        guard let address, let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }
}
