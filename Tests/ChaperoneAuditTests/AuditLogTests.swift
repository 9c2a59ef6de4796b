import ChaperoneTestSupport
import Foundation
import Testing

@testable import ChaperoneAudit

@Suite struct AuditLogTests {
    @Test func aFullBatchCommitsAtOnceAndTheRestWaitsForItsTime() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open {
            $0.flushInterval = .seconds(3_600)
            $0.maxBatch = 10
        }
        for index in 1...25 {
            #expect(log.append(sampleDraft(index), committed: commits.callback) == .queued)
        }
        try commits.wait(for: 20)
        #expect(log.statistics.transactions == 2)
        #expect(log.statistics.queued == 5)
        log.close()
        #expect(commits.sequences == Array(1...25))
        #expect(log.statistics.transactions == 3)
        #expect(log.statistics.committedRecords == 25)
    }

    @Test func aRecordBelowTheBatchSizeIsCommittedByTheFlushTimer() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open { $0.flushInterval = .milliseconds(20) }
        defer { log.close() }
        for index in 1...3 { _ = log.append(sampleDraft(index), committed: commits.callback) }
        try commits.wait(for: 3)
        #expect(commits.sequences == [1, 2, 3])
        #expect(try AuditStore(readingAt: fixture.path).lastSequence() == 3)
    }

    @Test func recordsFromManyThreadsFormOneChain() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open {
            $0.flushInterval = .milliseconds(5)
            $0.maxBatch = 64
        }
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<250 {
                _ = log.append(sampleDraft(thread * 1_000 + index), committed: commits.callback)
            }
        }
        log.close()
        #expect(commits.all.count == 2_000)
        #expect(commits.sequences.sorted() == Array(1...2_000))
        let verification = try fixture.verify()
        #expect(verification.isIntact)
        #expect(verification.records == 2_000)
        #expect(log.statistics.transactions > 1)
    }

    @Test func strictDurabilityMakesEveryCallerWaitUntilTheRecordIsOnDisk() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open {
            $0.durability = .strict
            $0.flushInterval = .seconds(3_600)
        }
        defer { log.close() }
        let path = fixture.path
        let seenOnDisk = CommitLog()
        for index in 1...3 {
            let admission = log.append(sampleDraft(index)) { result in
                // By the time the callback runs, another connection reads the record.
                let stored = (try? AuditStore(readingAt: path).records(after: 0, limit: 10))
                    ?? []
                if case .success(let sequence) = result,
                   stored.contains(where: { $0.sequence == sequence })
                {
                    seenOnDisk.callback(result)
                }
                commits.callback(result)
            }
            #expect(admission == .mustWait)
        }
        try commits.wait(for: 3)
        #expect(seenOnDisk.sequences == [1, 2, 3])
    }

    @Test func aQueueAboveItsHighWaterMarkMakesCallersWaitButKeepsTheRecord() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open {
            $0.flushInterval = .seconds(3_600)
            $0.highWater = 4
        }
        defer { log.close() }
        for index in 1...4 {
            #expect(log.append(sampleDraft(index), committed: commits.callback) == .queued)
        }
        #expect(log.append(sampleDraft(5), committed: commits.callback) == .mustWait)
        // Over the mark the writer starts at once instead of at the flush interval.
        try commits.wait(for: 5)
        #expect(commits.sequences == [1, 2, 3, 4, 5])
    }

    @Test func closeCommitsWhatIsQueuedAndSignsTheEnd() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open { $0.flushInterval = .seconds(3_600) }
        for index in 1...7 { _ = log.append(sampleDraft(index), committed: commits.callback) }
        log.close()
        #expect(commits.sequences == Array(1...7))
        let store = try AuditStore(readingAt: fixture.path)
        #expect(try store.latestCheckpoint()?.sequence == 7)
        #expect(try store.latestCheckpoint()?.isSignatureValid == true)
        #expect(log.append(sampleDraft(8), committed: commits.callback) == .refused(.closed))
        log.close()
        #expect(commits.all.count == 7)
    }

    @Test func aRemovedStoreFileFailsEveryLaterRecordLoudly() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open { $0.flushInterval = .milliseconds(5) }
        defer { log.close() }
        _ = log.append(sampleDraft(1), committed: commits.callback)
        try commits.wait(for: 1)
        for suffix in ["", "-wal", "-shm"] { unlink(fixture.path + suffix) }
        _ = log.append(sampleDraft(2), committed: commits.callback)
        _ = log.append(sampleDraft(3), committed: nil)
        try commits.wait(for: 2)
        #expect(commits.all.count == 2)
        #expect(commits.failures == [.storeReplaced(path: fixture.path)])
        _ = try poll("both failures on the hook") {
            fixture.failures.all.count >= 1 && log.statistics.failedRecords == 2 ? true : nil
        }
        #expect(fixture.failures.all.allSatisfy { $0 == .storeReplaced(path: fixture.path) })
    }

    /// The disk cannot be filled on demand here, so the store is capped at the pages it
    /// has with SQLite's own limit, which fails a write exactly as a full disk does.
    @Test func aFullDiskFailsTheBatchAndTheChainStaysWhole() throws {
        let fixture = try AuditFixture()
        let commits = CommitLog()
        let log = try fixture.open {
            $0.flushInterval = .seconds(3_600)
            $0.maxBatch = 100
            $0.storeSettings = ["PRAGMA max_page_count = 1"]
        }
        for index in 1...100 { _ = log.append(sampleDraft(index), committed: commits.callback) }
        try commits.wait(for: 100)
        log.close()
        #expect(commits.sequences.isEmpty)
        #expect(commits.failures.count == 100)
        #expect(commits.failures.first?.description.contains("full") == true)
        #expect(fixture.failures.all.first == commits.failures.first)
        #expect(try fixture.verify().isIntact)
    }

    @Test func theMirrorGetsEachCommittedRecordAsItsCanonicalLine() throws {
        let fixture = try AuditFixture()
        let mirror = fixture.directory.path("audit.jsonl")
        try fixture.write(4) { $0.mirror = .file(mirror) }
        let lines = try String(contentsOfFile: mirror, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let stored = try RawDatabase(fixture.path)
            .rows("SELECT canonical FROM records ORDER BY seq").map { $0[0] }
        #expect(lines == stored)
        let mode = try FileManager.default.attributesOfItem(atPath: mirror)[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
    }

    @Test func checkpointsComeEveryNRecords() throws {
        let fixture = try AuditFixture()
        try fixture.write(25) {
            $0.checkpointEvery = 10
            $0.maxBatch = 5
            $0.flushInterval = .seconds(3_600)
        }
        let checkpoints = try AuditStore(readingAt: fixture.path).checkpoints()
        #expect(checkpoints.map(\.sequence) == [10, 20, 25])
        #expect(checkpoints.allSatisfy {
            $0.isSignatureValid && $0.publicKey == fixture.key.publicKey
        })
        let verification = try fixture.verify()
        #expect(verification.isIntact)
        #expect(verification.checkpoints == 3)
    }

    @Test func aCheckpointComesAfterTheIntervalWithoutWaitingForClose() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open {
            $0.flushInterval = .milliseconds(5)
            $0.checkpointInterval = .milliseconds(50)
            $0.clock = AuditClock { 1_796_292_000_000 }
        }
        defer { log.close() }
        for index in 1...3 { _ = log.append(sampleDraft(index), committed: nil) }
        let checkpoint = try poll("a checkpoint of record 3") {
            try AuditStore(readingAt: fixture.path).latestCheckpoint().flatMap {
                $0.sequence == 3 ? $0 : nil
            }
        }
        #expect(checkpoint.time == 1_796_292_000_000)
    }

    @Test func aMissingKeyIsGeneratedOwnerOnlyOnceAndNeverReplacedSilently() throws {
        let fixture = try AuditFixture()
        let keyPath = fixture.directory.path(".chaperone/audit.key")
        var options = AuditLogOptions(path: fixture.path,
                                      signingKey: .generatedIfMissing(path: keyPath))
        let first = try AuditLog(options: options, onFailure: fixture.failures.hook)
        _ = first.append(sampleDraft(1), committed: nil)
        first.close()
        let mode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
        // The generated file is a key that openssl reads.
        let text = try TestProcess.run("/usr/bin/openssl", ["pkey", "-in", keyPath, "-noout",
                                                            "-text_pub"],
                                       directory: fixture.directory, name: "openssl")
        #expect(text.contains("ED25519"))

        let second = try AuditLog(options: options, onFailure: fixture.failures.hook)
        #expect(second.publicKey == first.publicKey)
        second.close()

        unlink(keyPath)
        options.path = fixture.path
        #expect(throws: AuditFailure.self) {
            try AuditLog(options: options, onFailure: fixture.failures.hook)
        }
        do {
            _ = try AuditLog(options: options, onFailure: fixture.failures.hook)
        } catch {
            #expect(error.description.contains("restore the key from its backup"))
        }
        #expect(!FileManager.default.fileExists(atPath: keyPath))
    }

    @Test func aCredentialNeverReachesTheStoreOrTheMirror() throws {
        let fixture = try AuditFixture()
        let credential = "gho_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let queryKey = "sk-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let mirror = fixture.directory.path("mirror.jsonl")
        let log = try fixture.open { $0.mirror = .file(mirror) }
        var draft = sampleDraft(1, credential: CredentialFingerprint(credential: credential))
        draft = AuditRecordDraft(
            time: draft.time, requestID: draft.requestID, user: draft.user,
            actors: draft.actors, route: draft.route, method: draft.method,
            path: "/openai/v1/chat?api_key=\(queryKey)", decision: .forwarded, reason: "ok",
            connection: "openai", credential: draft.credential, status: 200,
            durationMicroseconds: 10)
        _ = log.append(draft, committed: nil)
        log.close()

        let fingerprint = CredentialFingerprint(credential: credential).hex
        let stored = fixture.fileBytes()
        let mirrored = Array((try String(contentsOfFile: mirror, encoding: .utf8)).utf8)
        for bytes in [stored, mirrored] {
            #expect(bytes.count > 0)
            #expect(bytes.firstRange(of: Array(credential.utf8)) == nil)
            #expect(bytes.firstRange(of: Array(credential.utf8.dropFirst(4).prefix(12))) == nil)
            #expect(bytes.firstRange(of: Array(queryKey.utf8)) == nil)
            #expect(bytes.firstRange(of: Array(fingerprint.utf8)) != nil)
        }
    }
}
