import ChaperoneTestSupport
import Foundation

/// The demo exactly as `scripts/run` brings it up (Glewlwyd, the sample API, Chaperone with
/// the repository's proxy.yaml), on free ports, with its configuration and state in a
/// folder of the test's (`--home`), never the repository's `.chaperone/`. It runs the built
/// binary (`--no-build`) and reports on its `READY` line. Stopped like Ctrl-C stops it, when
/// released; if the test runner dies first, a watchdog kills the script's process group.
final class DemoLoop: @unchecked Sendable {
    let home: TemporaryDirectory
    let process: TestProcess
    /// The `READY` line's fields: URLs, the configuration, alice's password and subject, pids.
    let ready: [String: String]
    private let output: TemporaryDirectory
    private let watchdog: ProcessWatchdog

    static let script = packageRoot + "/scripts/run"

    /// Starts the demo in `home` (a new folder by default) on `ports` (proxy, API, admin,
    /// Glewlwyd; free ones by default).
    init(home: TemporaryDirectory? = nil, ports: [Int]? = nil) throws {
        let home = try home ?? TemporaryDirectory()
        self.home = home
        (output, process, watchdog, ready) = try Self.start(home: home, ports: ports)
    }

    deinit { _ = stop() }

    /// A port chosen free but taken by someone else before the demo binds it fails the
    /// start at once; then other ports are tried.
    private static func start(home: TemporaryDirectory, ports: [Int]?) throws
        -> (TemporaryDirectory, TestProcess, ProcessWatchdog, [String: String])
    {
        var failures: [String] = []
        for _ in 0..<(ports == nil ? 3 : 1) {
            let output = try TemporaryDirectory()
            let process = try TestProcess(
                python, ["-c", withDefaultSignals, "/bin/bash", script, "--no-build",
                         "--ready-line", "--home", home.root],
                environment: environment(ports: ports ?? freePorts()),
                directory: output, name: "demo")
            let watchdog = try ProcessWatchdog(child: process.pid, directory: output,
                                               processGroup: true)
            do {
                let text = try process.waitForOutput(timeout: 120, stream: \.stdout) {
                    $0.contains("READY ")
                }
                return (output, process, watchdog, try fields(text))
            } catch {
                let exited = !process.process.isRunning
                kill(-process.pid, SIGTERM)
                if process.waitForExit(timeout: 30) == nil { kill(-process.pid, SIGKILL) }
                failures.append("\(error)\n\(process.stderr)")
                // A port taken meanwhile fails at once; anything slower is not worth a retry.
                if !exited { break }
            }
        }
        throw TestFailure("the demo did not start:\n" + failures.joined(separator: "\n---\n"))
    }

    static let python = "/usr/bin/python3"
    /// Runs a program (argv[1:]) with no signal blocked and SIGINT, SIGTERM, SIGPIPE and
    /// SIGXFSZ at their defaults, as from a terminal. A child of a test thread inherits its
    /// mask, with SIGINT and SIGTERM blocked: the script's trap and the sample API would
    /// never see them. (Python ignores SIGPIPE and SIGXFSZ itself; exec would keep that.)
    static let withDefaultSignals = """
        import os, signal, sys
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.execv(sys.argv[1], sys.argv[1:])
        """

    /// Four ports nobody listens on, below the kernel's range for outgoing connections
    /// (32768 and up): ports from that range can be taken as the source port of one of the
    /// demo's own connections before the server meant for them binds.
    static func freePorts() throws -> [Int] {
        var ports: [Int] = []
        for _ in 0..<1000 where ports.count < 4 {
            let port = Int.random(in: 20000..<32000)
            if !ports.contains(port), canBind(port) { ports.append(port) }
        }
        guard ports.count == 4 else { throw TestFailure("no four free ports under 32000") }
        return ports
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// The ports (proxy, API, admin, Glewlwyd), and the binary built beside the tests.
    private static func environment(ports: [Int]) -> [String: String] {
        [
            "DEMO_PROXY_PORT": "\(ports[0])", "DEMO_API_PORT": "\(ports[1])",
            "DEMO_ADMIN_PORT": "\(ports[2])", "DEMO_GLEWLWYD_PORT": "\(ports[3])",
            "CHAPERONE_BINARY": ChaperoneProcess.binary,
        ]
    }

    private static func fields(_ stdout: String) throws -> [String: String] {
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }),
              let fields = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))
                as? [String: String]
        else { throw TestFailure("no READY line with JSON fields in:\n\(stdout)") }
        return fields
    }

    /// Stops the demo as Ctrl-C at a terminal does: SIGINT to the script's process group.
    /// Returns the script's exit status, nil if it still ran after 30 seconds.
    @discardableResult
    func stop() -> Int32? {
        guard process.process.isRunning else { return process.process.terminationStatus }
        kill(-process.pid, SIGINT)
        let status = process.waitForExit(timeout: 30)
        if status == nil { kill(-process.pid, SIGKILL) }
        watchdog.stop()
        return status
    }

    subscript(_ field: String) -> String { ready[field] ?? "" }

    var config: String { self["config"] }
    var issuer: String { self["issuer"] }
    var userSub: String { self["user_sub"] }
    /// Proxy, API, admin and Glewlwyd, as the READY line's URLs say.
    var ports: [Int] {
        ["proxy", "api", "admin", "authority"].compactMap {
            self[$0].split(separator: ":").last.flatMap { Int($0) }
        }
    }

    var pids: [Int32] {
        ["glewlwyd_pid", "api_pid", "chaperone_pid"].compactMap { Int32(self[$0]) }
    }

    /// What the script, Chaperone among its children, wrote to standard error.
    var log: String { process.stderr }

    /// `chaperone ARGUMENTS... --config` the demo's configuration; standard output.
    func chaperone(_ arguments: [String]) throws -> String {
        let directory = try TemporaryDirectory()
        let run = try TestProcess(ChaperoneProcess.binary, arguments + ["--config", config],
                                  directory: directory, name: "chaperone-command")
        return try run.finish()
    }

    /// An on-behalf-of token for alice from the shopping agent, as the walkthrough mints it.
    func agentToken(agent: String = "shopping-agent",
                    scope: String = "messages.read messages.send purchases") throws -> String
    {
        try chaperone(["dev", "token", "--user", "alice", "--agent", agent, "--scope", scope])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A call to the proxy as the agent holding `token`.
    func call(_ path: String, token: String, method: String = "GET", json: String? = nil,
              timeout: Double = 30) throws -> HTTPResponse
    {
        var headers = ["Authorization: Bearer \(token)"]
        if json != nil { headers.append("Content-Type: application/json") }
        return try HTTPClient.request(self["proxy"] + path, method: method, headers: headers,
                                      body: json.map { Array($0.utf8) }, timeout: timeout)
    }

    /// The sample API's own log: one line per request it received.
    var apiLog: String {
        (try? String(contentsOfFile: self["state"] + "/api.log", encoding: .utf8)) ?? ""
    }
}

/// The credential the sample API says reached it (its answer's `credential` member).
struct CredentialSeen {
    let authorization: String?
    let fingerprint: String?
    let claims: [String: Any]

    init(_ response: HTTPResponse) throws {
        guard let credential = response.json["credential"] as? [String: Any] else {
            throw TestFailure("the API's answer names no credential: \(response.text)")
        }
        authorization = credential["authorization"] as? String
        fingerprint = credential["fingerprint"] as? String
        claims = credential["jwt"] as? [String: Any] ?? [:]
    }

    func claim(_ name: String) -> String? { claims[name] as? String }

    var scopes: Set<String> { Set((claim("scope") ?? "").split(separator: " ").map(String.init)) }
}
