import ChaperoneTestSupport
import Foundation
import Synchronization
import Testing

/// A Chaperone whose audit store and signing key live in a directory of the test's own, so
/// that the store outlives one process and the `chaperone audit` commands can read it.
final class AuditedProxy {
    let directory: TemporaryDirectory
    let issuer: TestIssuer
    let upstream: RecordingUpstream
    let config: String
    let configPath: String
    private(set) var chaperone: ChaperoneProcess

    init(durability: String = "batch", flushInterval: String = "50ms") throws {
        directory = try TemporaryDirectory()
        issuer = try TestIssuer()
        upstream = try RecordingUpstream()
        try TestProcess.run("/usr/bin/openssl", ["genpkey", "-algorithm", "ed25519", "-out",
                                                 directory.path("audit.pem")],
                            directory: directory, name: "openssl")
        config = """
            version: 1
            listen: 127.0.0.1:0
            workers: 2
            admin: {listen: 127.0.0.1:0}
            \(issuer.identitySection())
            audit:
              store: sqlite:\(directory.path("audit.db"))
              signing_key: {file: \(directory.path("audit.pem"))}
              durability: \(durability)
              flush_interval: \(flushInterval)
              checkpoint_every: 10
            routes:
              - name: api
                path: /api/**
                upstream: \(upstream.url)
                strip_prefix: /api
                actors: [agent-1]
                credential: {static: {env: TEST_UPSTREAM_TOKEN}}
            """
        // The audit commands read the same file: the store and key paths are absolute.
        configPath = try directory.write("proxy.yaml", config)
        chaperone = try Self.start(config)
    }

    private static func start(_ config: String) throws -> ChaperoneProcess {
        let chaperone = try ChaperoneProcess(config: config, environment: tokenEnvironment)
        try waitUntilReady(chaperone)
        return chaperone
    }

    func restart() throws { chaperone = try Self.start(config) }

    func get(_ path: String, token: String?) throws -> HTTPResponse {
        try HTTPClient.request(chaperone.url(path),
                               headers: token.map { ["Authorization: Bearer \($0)"] } ?? [])
    }

    /// `chaperone audit ARGUMENTS --config proxy.yaml`.
    func audit(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = try TestProcess(ChaperoneProcess.binary,
                                      ["audit"] + arguments + ["--config", configPath],
                                      environment: tokenEnvironment, directory: directory,
                                      name: "audit")
        let status = process.waitForExit() ?? -1
        return (status, process.stdout + process.stderr)
    }

    /// Every record, as `audit query --json` prints it.
    func records() throws -> [[String: Any]] {
        let query = try audit(["query", "--json"])
        return try query.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    func storeContains(_ text: String) throws -> Bool {
        try ["audit.db", "audit.db-wal"].contains { name in
            let path = directory.path(name)
            guard FileManager.default.fileExists(atPath: path) else { return false }
            return try Data(contentsOf: URL(fileURLWithPath: path)).range(of: Data(text.utf8))
                != nil
        }
    }

    func sql(_ statements: String) throws {
        try TestProcess.run("/usr/bin/sqlite3", [directory.path("audit.db"), statements],
                            directory: directory, name: "sqlite3")
    }
}

@Suite(.timeLimit(.minutes(2))) struct AuditTrailTests {
    @Test func mixedTrafficIsRecordedOncePerRequestAndVerifies() throws {
        let proxy = try AuditedProxy()
        let agent = try proxy.issuer.token(user: "alice", agent: "agent-1")
        let other = try proxy.issuer.token(user: "bob", agent: "agent-9")
        var answers: [HTTPResponse] = []
        answers.append(try proxy.get("/api/items?secret=hunter2", token: agent))
        answers.append(try proxy.get("/api/status?code=503", token: agent))
        answers.append(try proxy.get("/api/items", token: other))
        answers.append(try proxy.get("/api/items", token: "not-a-jwt"))
        answers.append(try proxy.get("/nowhere", token: agent))
        #expect(answers.map(\.status) == [200, 503, 403, 401, 404])

        proxy.chaperone.process.signal(SIGTERM)
        #expect(proxy.chaperone.process.waitForExit() == 0)
        let verify = try proxy.audit(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("intact: 5 records"))

        let records = try proxy.records()
        try #require(records.count == 5)
        #expect(records.map { $0["request_id"] as? String }
            == answers.map { $0.header("X-Request-Id") })
        #expect(records.map { $0["decision"] as? String }
            == ["forwarded", "forwarded", "denied", "denied", "denied"])
        #expect(records.map { $0["reason"] as? String }
            == ["ok", "ok", "forbidden", "invalid-token", "no-route"])
        #expect(records[0]["user"] as? String == "alice")
        let actors = records[0]["actors"] as? [[String: Any]] ?? []
        #expect(actors.first?["sub"] as? String == "agent-1")
        #expect(actors.first?["profile"] as? String == "ai_agent")
        #expect(records[0]["path"] as? String == "/api/items?secret=")
        #expect(records[0]["upstream_status"] as? Int == 200)
        #expect(records[1]["upstream_status"] as? Int == 503)
        #expect(records[0]["credential"] as? String != nil)
        #expect(records[4]["route"] is NSNull)

        for secret in [upstreamToken, agent, other, "hunter2"] {
            #expect(try !proxy.storeContains(secret))
        }

        try proxy.sql("DELETE FROM records WHERE seq = 3")
        let tampered = try proxy.audit(["verify"])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("record 3 was removed"), "\(tampered.stdout)")
    }

    /// Under strict durability the upstream is called only once a `sending` record is
    /// committed. Another connection holds the store's write lock, so the commit waits:
    /// the upstream sees nothing until the lock is let go, then the store has that record
    /// while the upstream still holds the request.
    @Test func strictDurabilityCommitsASendingRecordBeforeTheUpstreamIsCalled() throws {
        let proxy = try AuditedProxy(durability: "strict")
        let agent = try proxy.issuer.token(user: "alice", agent: "agent-1")
        let lock = try RawDatabase(proxy.directory.path("audit.db"))
        try lock.execute("BEGIN IMMEDIATE")
        let status = Mutex<Int?>(nil)
        let url = proxy.chaperone.url("/api/slow?ms=1500")
        let caller = Thread {
            let response = try? HTTPClient.request(
                url, headers: ["Authorization: Bearer \(agent)", "X-Request-Id: slow-1"])
            status.withLock { $0 = response.map { Int($0.status) } ?? -1 }
        }
        caller.start()
        Thread.sleep(forTimeInterval: 1)
        #expect(try proxy.upstream.records().isEmpty)
        try lock.execute("COMMIT")

        try proxy.upstream.waitForRequest()
        let during = try proxy.records()
        #expect(during.map { $0["decision"] as? String } == ["sending"])
        #expect(during.first?["request_id"] as? String == "slow-1")
        #expect(during.first?["reason"] as? String == "upstream-call")
        #expect(during.first?["status"] as? Int == 0)
        #expect(during.first?["upstream_status"] is NSNull)
        #expect(during.first?["credential"] as? String != nil)

        #expect(try poll("the slow answer", timeout: 10) { status.withLock { $0 } } == 200)
        let after = try poll("the answer's record", timeout: 10) {
            let records = try proxy.records()
            return records.count == 2 ? records : nil
        }
        #expect(after.map { $0["decision"] as? String } == ["sending", "forwarded"])
        #expect(after.map { $0["request_id"] as? String } == ["slow-1", "slow-1"])
        #expect(after.last?["upstream_status"] as? Int == 200)
        #expect(after.first?["credential"] as? String == after.last?["credential"] as? String)
        #expect(try proxy.audit(["verify"]).status == 0)
    }

    /// Under strict durability a request whose `sending` record cannot be written is not
    /// sent: the store's files are removed, which fails every later transaction.
    @Test func strictDurabilitySendsNothingItCannotRecord() throws {
        let proxy = try AuditedProxy(durability: "strict")
        let agent = try proxy.issuer.token(user: "alice", agent: "agent-1")
        #expect(try proxy.get("/api/items", token: agent).status == 200)
        for suffix in ["", "-wal", "-shm"] { unlink(proxy.directory.path("audit.db") + suffix) }

        let refused = try proxy.get("/api/purchase", token: agent)
        #expect(refused.status == 503)
        #expect(refused.text.contains("could not be written"))
        #expect(try proxy.upstream.records().map(\.target) == ["/items"])
    }

    /// Batch durability writes one record per request, after the answer.
    @Test func batchDurabilityWritesNoSendingRecord() throws {
        let proxy = try AuditedProxy()
        let agent = try proxy.issuer.token(user: "alice", agent: "agent-1")
        #expect(try proxy.get("/api/items", token: agent).status == 200)
        let records = try poll("the record", timeout: 10) {
            let records = try proxy.records()
            return records.isEmpty ? nil : records
        }
        #expect(records.map { $0["decision"] as? String } == ["forwarded"])
    }

    @Test func strictDurabilityKeepsARecordForEveryAnswerThroughKill9() throws {
        let proxy = try AuditedProxy(durability: "strict")
        let (answered, recorded) = try killedUnderTraffic(proxy)
        let missing = answered.filter { !recorded.contains($0) }
        #expect(missing.isEmpty, "answered but not recorded: \(missing.prefix(5))")

        // Every call the upstream received has a record too, answered or not.
        let called = try proxy.upstream.records().compactMap { $0.header("X-Request-Id") }
        let unrecorded = called.filter { !recorded.contains($0) }
        #expect(called.count >= answered.count)
        #expect(unrecorded.isEmpty, "called but not recorded: \(unrecorded.prefix(5))")
    }

    /// The contrast that shows the test above can fail: in batch mode records wait up to
    /// `flush_interval` (or a full batch), and a kill -9 loses those, though their answers
    /// went out. The chain still verifies: a lost tail is not a broken chain.
    @Test func batchDurabilityLosesAtMostTheQueuedTailThroughKill9() throws {
        let (answered, recorded) = try killedUnderTraffic(
            try AuditedProxy(durability: "batch", flushInterval: "10s"))
        let missing = answered.filter { !recorded.contains($0) }
        #expect(!missing.isEmpty)
        #expect(missing.count <= 10_000)
    }

    /// Drives four agents until 200 answers, kills Chaperone with SIGKILL, restarts it on
    /// the same store and checks the chain: the ids answered 200, and those recorded.
    private func killedUnderTraffic(_ proxy: AuditedProxy) throws
        -> (answered: [String], recorded: Set<String>)
    {
        let agent = try proxy.issuer.token(user: "alice", agent: "agent-1")
        let answered = Mutex<[String]>([])
        let stop = Atomic(false)
        let url = proxy.chaperone.url("/api/items")
        let threads = (0..<4).map { _ in
            Thread {
                while !stop.load(ordering: .relaxed) {
                    guard let response = try? HTTPClient.request(
                        url, headers: ["Authorization: Bearer \(agent)"], timeout: 5),
                        response.status == 200, let id = response.header("X-Request-Id")
                    else { continue }
                    answered.withLock { $0.append(id) }
                }
            }
        }
        for thread in threads { thread.start() }
        _ = try poll("answered requests", timeout: 20) {
            answered.withLock { $0.count } >= 200 ? true : nil
        }
        proxy.chaperone.process.signal(SIGKILL)
        _ = proxy.chaperone.process.waitForExit()
        stop.store(true, ordering: .relaxed)
        Thread.sleep(forTimeInterval: 0.5)

        try proxy.restart()
        #expect(try proxy.get("/api/after", token: agent).status == 200)
        let verify = try proxy.audit(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)")
        let recorded = Set(try proxy.records().compactMap { $0["request_id"] as? String })
        return (answered.withLock { $0 }, recorded)
    }
}
