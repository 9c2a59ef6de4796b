import ChaperoneAudit
import ChaperoneTestSupport
import Foundation
import Testing

/// A directory with a configuration whose audit section names a signing key made by the
/// openssl command line, and a store written by the audit log, for running the built
/// binary's `audit` commands against.
final class AuditWorkspace {
    let directory: TemporaryDirectory
    let configPath: String
    let storePath: String
    let key: AuditSigningKey

    init(records: Int = 20) throws {
        directory = try TemporaryDirectory()
        configPath = try directory.write("proxy.yaml", """
            version: 1
            audit:
              signing_key: {file: keys/audit.pem}
              checkpoint_every: 5

            """)
        storePath = directory.path(".chaperone/audit.db")
        try FileManager.default.createDirectory(atPath: directory.path("keys"),
                                                withIntermediateDirectories: false)
        try TestProcess.run("/usr/bin/openssl", ["genpkey", "-algorithm", "ed25519", "-out",
                                                 directory.path("keys/audit.pem")],
                            directory: directory, name: "openssl")
        key = try AuditSigningKey(pem: Array(try Data(
            contentsOf: URL(fileURLWithPath: directory.path("keys/audit.pem")))))
        if records > 0 { try append(1...records) }
    }

    /// Appends records through the audit log, five to a transaction, so that its
    /// checkpoints fall on multiples of five.
    func append(_ indices: ClosedRange<Int>) throws {
        var options = AuditLogOptions(path: storePath, signingKey: .key(key))
        options.maxBatch = 5
        options.checkpointEvery = 5
        options.flushInterval = .milliseconds(5)
        let log = try AuditLog(options: options, onFailure: { _ in })
        for index in indices { _ = log.append(Self.draft(index), committed: nil) }
        log.close()
    }

    static func draft(_ index: Int) -> AuditRecordDraft {
        AuditRecordDraft(
            time: 1_796_292_000_000 + Int64(index) * 1_000, requestID: "req-\(index)",
            user: index % 2 == 0 ? "alice" : "bob",
            actors: [AuditActor(subject: index % 3 == 0 ? "agt_b" : "agt_a",
                                profile: "ai_agent")],
            route: index % 4 == 0 ? "purchase" : "issues", method: "GET",
            path: "/github/issues?page=\(index)", decision: index == 7 ? .denied : .forwarded,
            reason: index == 7 ? "approval-denied" : "ok", connection: "github",
            credential: CredentialFingerprint(credential: "token-\(index)"),
            status: index == 7 ? 403 : 200, upstreamStatus: index == 7 ? nil : 200,
            durationMicroseconds: 12_345)
    }

    /// Runs `chaperone audit ARGUMENTS --config ...`.
    @discardableResult
    func audit(_ arguments: [String], config: Bool = true) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = try TestProcess(
            ChaperoneProcess.binary,
            ["audit"] + arguments + (config ? ["--config", configPath] : []),
            directory: directory, name: "audit")
        let status = process.waitForExit() ?? -1
        return (status, process.stdout, process.stderr)
    }

    /// Changes the store with the sqlite3 command line, behind the log's back.
    func sql(_ statements: String) throws {
        try TestProcess.run("/usr/bin/sqlite3", [storePath, statements],
                            directory: directory, name: "sqlite3")
    }
}

@Suite struct AuditVerifyCommandTests {
    @Test func anIntactStoreVerifies() throws {
        let workspace = try AuditWorkspace()
        let verify = try workspace.audit(["verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout == "\(workspace.storePath): intact: 20 records (1 to 20), 4 "
            + "checkpoints verified\n")
    }

    @Test(arguments: [
        ("UPDATE records SET canonical = replace(canonical, '\"status\":200', "
            + "'\"status\":202') WHERE seq = 12",
         12, "record 12 was changed: its content no longer matches its hash"),
        ("DELETE FROM records WHERE seq = 9", 9,
         "record 9 was removed: the store goes from record 8 to record 10"),
        ("UPDATE records SET seq = -1 WHERE seq = 3; UPDATE records SET seq = 3 WHERE seq = 4; "
            + "UPDATE records SET seq = 4 WHERE seq = -1",
         3, "records 3 and 4 were swapped"),
        ("UPDATE records SET seq = -seq WHERE seq >= 6; "
            + "UPDATE records SET seq = -seq + 1 WHERE seq < 0; "
            + "INSERT INTO records SELECT 6, time, user, route, decision, "
            + "replace(canonical, 'req-5', 'req-x'), hash FROM records WHERE seq = 5",
         6, "a record was inserted before record 6"),
        ("UPDATE records SET user = 'mallory' WHERE seq = 15", 15,
         "record 15: the user column no longer agrees with the record's text"),
        ("UPDATE checkpoints SET seq = 11 WHERE seq = 10", 11,
         "the checkpoint stored for record 11 has a signature that does not verify"),
    ])
    func aChangedStoreFailsAndNamesTheRecord(_ change: String, _ sequence: Int,
                                             _ phrase: String) throws
    {
        let workspace = try AuditWorkspace()
        try workspace.sql(change)
        let verify = try workspace.audit(["verify"])
        #expect(verify.status == 1)
        let lines = verify.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("\(workspace.storePath): NOT intact: ") == true)
        #expect(lines.first?.hasSuffix("the first is at record \(sequence)") == true)
        #expect(lines.dropFirst().first?.hasPrefix(phrase) == true)
    }

    @Test func aTruncatedTailIsFoundWithTheExportedCheckpoint() throws {
        let workspace = try AuditWorkspace()
        let exported = try workspace.audit(["checkpoint"])
        #expect(exported.status == 0)
        let line = exported.stdout.trimmingCharacters(in: .newlines)
        #expect(line.hasPrefix(#"{"seq":20,"hash":""#))
        #expect(line.contains(#""public_key":"\#(workspace.key.publicKey.hex)""#))
        // An older export kept in the same file is checked too.
        let file = try workspace.directory.write("kept.jsonl", line + "\n\n")

        try workspace.sql("DELETE FROM records WHERE seq > 16; DELETE FROM checkpoints "
            + "WHERE seq > 16")
        #expect(try workspace.audit(["verify"]).status == 0)
        let verify = try workspace.audit(["verify", "--checkpoint", file])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("the first is at record 17\nrecords 17 to 20 are "
            + "missing from the end: the store ends at record 16, but the exported "
            + "checkpoint covers up to record 20"))

        let intact = try AuditWorkspace()
        let kept = try intact.directory.write("kept.jsonl",
                                              try intact.audit(["checkpoint"]).stdout)
        #expect(try intact.audit(["verify", "--checkpoint", kept]).status == 0)
    }

    @Test func aForeignOrBrokenExportIsRefused() throws {
        let workspace = try AuditWorkspace()
        let other = try AuditWorkspace()
        let foreign = try workspace.directory.write(
            "foreign.jsonl", try other.audit(["checkpoint"]).stdout)
        let verify = try workspace.audit(["verify", "--checkpoint", foreign])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("the exported checkpoint for record 20 was signed by "
            + "key \(other.key.publicKey), not by the configured signing key "
            + "\(workspace.key.publicKey)"))

        let broken = try workspace.directory.write("broken.jsonl", "{\"seq\":1}\n")
        let refused = try workspace.audit(["verify", "--checkpoint", broken])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("broken.jsonl:1: not an exported checkpoint"))
    }

    @Test func withoutAStoreThereIsNothingToCallIntact() throws {
        let workspace = try AuditWorkspace(records: 0)
        let verify = try workspace.audit(["verify"])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("no audit store at \(workspace.storePath)"))
        let checkpoint = try workspace.audit(["checkpoint"])
        #expect(checkpoint.status == 1)
    }
}

@Suite struct AuditQueryCommandTests {
    @Test func conditionsSelectRecordsForATable() throws {
        let workspace = try AuditWorkspace()
        let query = try workspace.audit(["query", "--user", "alice", "--route", "purchase"])
        #expect(query.status == 0)
        let lines = query.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("SEQ  TIME") == true)
        #expect(lines.dropFirst().map { $0.split(separator: " ").first! } == ["4", "8", "12",
                                                                              "16", "20"])
        #expect(lines[1].contains("2026-12-03T10:00:04.000Z"))
        #expect(lines[1].contains("/github/issues?page="))
        #expect(lines[1].contains("12.3ms"))

        let denied = try workspace.audit(["query", "--decision", "denied", "--actor", "agt_a"])
        #expect(denied.stdout.split(separator: "\n").count == 2)
        #expect(denied.stdout.contains("approval-denied"))
    }

    @Test func jsonLinesAreTheStoredCanonicalTexts() throws {
        let workspace = try AuditWorkspace()
        let query = try workspace.audit(["query", "--json", "--since", "2026-12-03T10:00:18Z",
                                         "--until", "2026-12-03T11:00:19+01:00"])
        #expect(query.status == 0)
        let stored = try TestProcess.run(
            "/usr/bin/sqlite3", [workspace.storePath,
                                 "SELECT canonical FROM records WHERE seq = 18"],
            directory: workspace.directory, name: "sqlite3")
        #expect(query.stdout == stored)

        let recent = try workspace.audit(["query", "--json", "--since", "1h"])
        #expect(recent.stdout.isEmpty)
        let limited = try workspace.audit(["query", "--json", "--limit", "3"])
        let sequences = limited.stdout.split(separator: "\n").map {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.map { $0??["seq"] as? Int }
        #expect(sequences == [18, 19, 20])
    }

    @Test(arguments: [
        ["query", "--decision", "maybe"],
        ["query", "--since", "yesterday"],
        ["query", "--until", "2026-02-30"],
        ["query", "--json=yes"],
        ["query", "--limit", "0"],
        ["query", "--user"],
        ["verify", "--json"],
        ["tail", "--lines", "x"],
        ["rewrite"],
        [],
    ])
    func usageErrorsExit64(_ arguments: [String]) throws {
        let workspace = try AuditWorkspace(records: 0)
        let result = try workspace.audit(arguments, config: false)
        #expect(result.status == 64)
        #expect(result.stderr.contains("Usage: chaperone audit"))
    }

    @Test func aMissingStoreIsAnEmptyAnswer() throws {
        let workspace = try AuditWorkspace(records: 0)
        let query = try workspace.audit(["query"])
        #expect(query.status == 0)
        #expect(query.stdout.hasPrefix("SEQ"))
        #expect(query.stderr.contains("no audit store at"))
    }
}

@Suite struct AuditTailCommandTests {
    @Test func tailPrintsTheLatestThenFollowsTheWriter() throws {
        let workspace = try AuditWorkspace(records: 6)
        let tail = try TestProcess(ChaperoneProcess.binary,
                                   ["audit", "tail", "--json", "--lines", "2", "--config",
                                    workspace.configPath],
                                   directory: workspace.directory, name: "tail")
        defer { tail.signal(SIGTERM) }
        try tail.waitForOutput(stream: \.stdout) { $0.split(separator: "\n").count == 2 }
        #expect(tail.stdout.contains(#""seq":5,"#))
        #expect(tail.stdout.contains(#""seq":6,"#))

        // A writer that stays open, as chaperone serve does, with records still coming.
        var options = AuditLogOptions(path: workspace.storePath, signingKey: .key(workspace.key))
        options.flushInterval = .milliseconds(5)
        let log = try AuditLog(options: options, onFailure: { _ in })
        defer { log.close() }
        for index in 7...9 { _ = log.append(AuditWorkspace.draft(index), committed: nil) }
        let output = try tail.waitForOutput(stream: \.stdout) {
            $0.split(separator: "\n").count == 5
        }
        #expect(output.split(separator: "\n").last?.hasPrefix(#"{"v":1,"seq":9,"#) == true)
    }
}
