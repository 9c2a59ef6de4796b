import ChaperoneTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct LifecycleTests {
    @Test func reloadKeepsTheOldRoutesWhenTheNewFileIsBroken() throws {
        let setup = try Setup()
        #expect(try setup.get("/api/x").status == 200)

        try setup.chaperone.reload(config: "version: 1\nroutes:\n  - name: [broken\n")
        #expect(setup.chaperone.log.contains("reload refused"))
        #expect(try setup.get("/api/x").status == 200)

        let renamed = config(upstream: setup.upstream.url)
            .replacingOccurrences(of: "path: /api/**", with: "path: /v2/**")
            .replacingOccurrences(of: "strip_prefix: /api", with: "strip_prefix: /v2")
        try setup.chaperone.reload(config: renamed)
        #expect(try setup.get("/v2/x").status == 200)
        #expect(try setup.get("/api/x").status == 404)
    }

    @Test func sigtermLetsTheRequestInFlightFinish() throws {
        let setup = try Setup()
        let result = RequestInBackground {
            try HTTPClient.request(setup.chaperone.url("/api/slow?ms=1500"))
        }
        try setup.upstream.waitForRequest()
        setup.chaperone.process.signal(SIGTERM)
        usleep(300_000)
        // Draining: no new connections are accepted.
        #expect(throws: TestFailure.self) {
            try HTTPClient.request(setup.chaperone.url("/api/late"), timeout: 2)
        }
        let response = try result.wait()
        #expect(response.status == 200)
        #expect(response.text.contains("slow"))
        #expect(setup.chaperone.process.waitForExit() == 0)
        #expect(setup.chaperone.log.contains(#""msg":"stopped""#))
    }

    @Test func requestsOutlastingTheDrainTimeoutAreAnswered503() throws {
        let setup = try Setup(top: "limits: {drain_timeout: 1s}")
        let result = RequestInBackground {
            try HTTPClient.request(setup.chaperone.url("/api/slow?ms=6000"))
        }
        try setup.upstream.waitForRequest()
        let started = Date()
        setup.chaperone.process.signal(SIGTERM)
        let response = try result.wait()
        expectProblem(response, status: 503, type: "unavailable")
        #expect(response.header("Retry-After") == "1")
        #expect(setup.chaperone.process.waitForExit(timeout: 5) == 0)
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test func adminListenerReportsHealthAndReadiness() throws {
        let setup = try Setup(admin: true)
        let health = try HTTPClient.request(setup.chaperone.adminURL("/healthz"))
        #expect(health.status == 200)
        let ready = try HTTPClient.request(setup.chaperone.adminURL("/readyz"))
        #expect(ready.status == 200)
        #expect(ready.text.contains("ready"))
        #expect(try HTTPClient.request(setup.chaperone.adminURL("/other")).status == 404)
        // The admin listener is not the proxy: its paths are not routes.
        #expect(try setup.get("/healthz").status == 404)
    }

    @Test func staticCredentialNeverReachesTheLog() throws {
        let setup = try Setup()
        _ = try setup.get("/api/ok?token=\(upstreamToken)")
        _ = try setup.get("/nowhere", headers: ["Authorization: Bearer \(upstreamToken)"])
        _ = try setup.get("/api/%2F")
        _ = try HTTPClient.request(setup.chaperone.url("/api/status?code=500"), method: "POST",
                                   body: Array(upstreamToken.utf8))
        try setup.chaperone.reload(config: config(upstream: setup.upstream.url))
        setup.chaperone.process.signal(SIGTERM)
        _ = setup.chaperone.process.waitForExit()
        let log = setup.chaperone.log
        #expect(log.contains(#""msg":"request""#))
        #expect(!log.contains(upstreamToken))
        #expect(!log.contains("sk-test"))
        // Query values are dropped from logged paths, keys kept.
        #expect(log.contains(#""path":"/api/ok?token=""#))
    }

    @Test func processIsNotDumpable() throws {
        // Control: an ordinary process in the same conditions leaves a core file, so the
        // check below can fail. Skipped where cores go elsewhere (a pipe in core_pattern).
        let pattern = (try? String(contentsOfFile: "/proc/sys/kernel/core_pattern",
                                   encoding: .utf8)) ?? ""
        try #require(!pattern.hasPrefix("|"), "core_pattern pipes cores elsewhere")
        let control = try TemporaryDirectory()
        let sleeper = try TestProcess("/bin/sleep", ["30"], directory: control, name: "sleep",
                                      coreLimitUnlimited: true)
        usleep(200_000)
        sleeper.signal(SIGSEGV)
        _ = sleeper.waitForExit()
        let controlCores = try FileManager.default.contentsOfDirectory(atPath: control.root)
            .filter { $0.hasPrefix("core") }
        try #require(!controlCores.isEmpty, "this machine writes no core files at all")

        let upstream = try RecordingUpstream()
        let chaperone = try ChaperoneProcess(config: config(upstream: upstream.url),
                                             environment: tokenEnvironment,
                                             coreLimitUnlimited: true)
        _ = try HTTPClient.request(chaperone.url("/api/x"))
        chaperone.process.signal(SIGSEGV)
        #expect(chaperone.process.waitForExit() != nil)
        #expect(chaperone.process.terminationReason == .uncaughtSignal)
        let cores = try FileManager.default.contentsOfDirectory(atPath: chaperone.directory.root)
            .filter { $0.hasPrefix("core") }
        #expect(cores.isEmpty)
        // No crash report with register contents: one line, and no secret.
        #expect(chaperone.log.contains("fatal signal"))
        #expect(!chaperone.log.contains("rip 0x"))
        #expect(!chaperone.log.contains(upstreamToken))
    }
}

@Suite struct CommandLineTests {
    func run(_ arguments: [String], environment: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let directory = try TemporaryDirectory()
        let process = try TestProcess(ChaperoneProcess.binary, arguments, environment: environment,
                                      directory: directory, name: "cli")
        let status = process.waitForExit() ?? -1
        return (status, process.stdout, process.stderr)
    }

    /// The repository's proxy.yaml, checked where it stands before the demo has run (its
    /// state missing: check says to run ./scripts/run) and after (a copy beside the files
    /// the script writes).
    @Test func checkAcceptsTheExampleConfigurationOnceTheDemoIsSetUp() throws {
        let directory = try TemporaryDirectory()
        let example = try String(contentsOfFile: packageRoot + "/proxy.yaml", encoding: .utf8)
        let path = try directory.write("proxy.yaml", example)
        let before = try run(["check", "--config", path])
        #expect(before.status == 1)
        #expect(before.stderr.contains("cannot read \(directory.root)/.chaperone/demo/client-id"))
        #expect(before.stderr.contains("run ./scripts/run"), "\(before.stderr)")

        try FileManager.default.createDirectory(atPath: directory.path(".chaperone/demo"),
                                                withIntermediateDirectories: true)
        // What ./scripts/run writes: the client at the demo's authority, and a vault key.
        try directory.write(".chaperone/demo/client-id", "chaperone\n")
        try directory.write(".chaperone/demo/client-secret", "w0Qk3ZLr8sTq1VbN6yXe2HdJ9fPa4MuC\n")
        try directory.write(".chaperone/vault.key",
                            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
        let after = try run(["check", "--config", path])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("ok, 3 routes"))
        #expect(!after.stderr.contains("scripts/run"))
    }

    /// A file that is not in development mode gets no such hint.
    @Test func checkGivesTheDemoHintOnlyForADevelopmentConfiguration() throws {
        let directory = try TemporaryDirectory()
        let example = try String(contentsOfFile: packageRoot + "/proxy.yaml", encoding: .utf8)
        let path = try directory.write("proxy.yaml", example.replacingOccurrences(
            of: "\ndevelopment: true\n", with: "\n"))
        let result = try run(["check", "--config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot read"))
        #expect(!result.stderr.contains("scripts/run"), "\(result.stderr)")
    }

    @Test func checkReportsEveryProblemWithItsPosition() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.yaml", """
            version: 1
            listen: nowhere
            routes:
              - name: a
                path: /x/**
                upstream: ftp://example.com
                timeout: forever
            """)
        let result = try run(["check", "--config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):2:9: listen: expected IP:PORT"))
        #expect(result.stderr.contains("\(path):6:15: routes[0].upstream: scheme must be http"))
        #expect(result.stderr.contains("\(path):7:14: routes[0].timeout: expected a duration"))
    }

    @Test func serveRefusesAnInvalidConfiguration() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.yaml", "version: 1\nlisten: [1]\n")
        let result = try run(["serve", "--config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("listen: expected a single value"))
    }

    @Test func versionHelpAndUsageErrors() throws {
        #expect(try run(["version"]).stdout.hasPrefix("chaperone "))
        #expect(try run(["--help"]).status == 0)
        for command in ["serve", "check", "version"] {
            let help = try run([command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Usage: chaperone \(command)"))
        }
        #expect(try run([]).status == 64)
        #expect(try run(["fly"]).status == 64)
        #expect(try run(["check", "--config"]).status == 64)
        #expect(try run(["check", "--verbose"]).status == 64)
    }
}

/// Runs a blocking request on another thread so the test can act while it is in flight.
final class RequestInBackground: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<HTTPResponse, Error>?

    init(_ body: @escaping @Sendable () throws -> HTTPResponse) {
        Thread {
            self.result = Result { try body() }
            self.done.signal()
        }.start()
    }

    func wait() throws -> HTTPResponse {
        done.wait()
        return try result!.get()
    }
}

/// `POST /reload` on the admin listener, which answers with what the reload did.
@Suite(.timeLimit(.minutes(2))) struct AdminReloadTests {
    @Test func aValidFileIsServedAndItsDigestReported() throws {
        let setup = try Setup(admin: true)
        let started = try #require(setup.chaperone.logLines.first {
            $0["msg"] as? String == "listening"
        })
        let firstDigest = try #require(started["config_digest"] as? String)
        #expect(firstDigest.count == 16)

        let renamed = config(upstream: setup.upstream.url, admin: true)
            .replacingOccurrences(of: "path: /api/**", with: "path: /v2/**")
            .replacingOccurrences(of: "strip_prefix: /api", with: "strip_prefix: /v2")
        try renamed.write(toFile: setup.chaperone.configPath, atomically: true, encoding: .utf8)
        let answer = try HTTPClient.request(setup.chaperone.adminURL("/reload"), method: "POST")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json["status"] as? String == "reloaded")
        #expect(answer.json["routes"] as? Int == 1)
        let digest = try #require(answer.json["config_digest"] as? String)
        #expect(digest != firstDigest)
        #expect(try setup.get("/v2/ok").status == 200)
        #expect(try setup.get("/api/ok").status == 404)
        // Only the admin listener reloads, and only with POST.
        #expect(try HTTPClient.request(setup.chaperone.adminURL("/reload")).status == 405)
        #expect(try setup.get("/reload").status == 404)
    }

    @Test func aBrokenFileIsRefusedWithItsProblemsAndChangesNothing() throws {
        let setup = try Setup(admin: true)
        try "version: 1\nroutes:\n  - name: a\n    path: nope\n".write(
            toFile: setup.chaperone.configPath, atomically: true, encoding: .utf8)
        let answer = try HTTPClient.request(setup.chaperone.adminURL("/reload"), method: "POST")
        #expect(answer.status == 422, "\(answer.text)")
        #expect(answer.json["status"] as? String == "refused")
        let problems = answer.json["problems"] as? [String] ?? []
        #expect(problems.contains { $0.contains("routes[0].path: must start with '/'") },
                "\(problems)")
        #expect(try setup.get("/api/ok").status == 200)
    }
}

@Suite(.timeLimit(.minutes(3))) struct LogLevelTests {
    @Test func logLevelWarningKeepsRequestLinesOutAndAReloadBringsThemBack() throws {
        let setup = try Setup(top: "log: {level: warning}", logLevel: nil)
        #expect(try setup.get("/api/ok").status == 200)
        #expect(setup.chaperone.requestLines.isEmpty)
        try setup.chaperone.reload(config: config(upstream: setup.upstream.url,
                                                  top: "log: {level: info}"))
        #expect(try setup.get("/api/ok").status == 200)
        _ = try poll("a request line") { setup.chaperone.requestLines.isEmpty ? nil : true }
    }

    /// The start-up and reload lines say which file is live: written at every level.
    @Test func theStartAndReloadLinesAreWrittenAtEveryLevel() throws {
        let setup = try Setup(top: "log: {level: error}", logLevel: nil)
        try setup.chaperone.reload(config: config(upstream: setup.upstream.url,
                                                  top: "log: {level: error}"))
        let lines = setup.chaperone.logLines.compactMap { $0["msg"] as? String }
        #expect(lines.contains("listening"))
        #expect(lines.contains("reloaded"))
        #expect(try setup.get("/api/ok").status == 200)
        #expect(setup.chaperone.requestLines.isEmpty)
    }

    /// Denied and held requests are routine: their lines are debug, out of an info log.
    @Test func aDeniedRequestIsADebugLine() throws {
        let setup = try Setup(logLevel: nil)
        #expect(try setup.get("/nowhere").status == 404)
        #expect(try setup.get("/api/ok").status == 200)
        let forwarded = try poll("the forwarded request's line") {
            setup.chaperone.requestLines.first { $0["path"] as? String == "/api/ok" }
        }
        #expect(forwarded["level"] as? String == "info")
        #expect(!setup.chaperone.requestLines.contains { $0["path"] as? String == "/nowhere" })

        try setup.chaperone.reload(config: config(upstream: setup.upstream.url,
                                                  top: "log: {level: debug}"))
        #expect(try setup.get("/nowhere").status == 404)
        let denied = try poll("the denied request's line") {
            setup.chaperone.requestLines.first { $0["path"] as? String == "/nowhere" }
        }
        #expect(denied["level"] as? String == "debug")
        #expect(denied["error"] as? String == "no-route")
    }
}
