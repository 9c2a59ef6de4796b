import ChaperoneTestSupport
import Foundation
import Testing

@testable import ChaperoneAudit

/// Each test writes 20 records (checkpoints at 5, 10, 15 and 20), changes the file as
/// someone with access to it could, and expects `verify` to name the first record
/// that differs from what the log wrote.
@Suite struct TamperTests {
    static func store() throws -> AuditFixture {
        let fixture = try AuditFixture()
        try fixture.write(20) {
            $0.checkpointEvery = 5
            $0.maxBatch = 5
            $0.flushInterval = .seconds(3_600)
        }
        return fixture
    }

    func firstProblem(_ fixture: AuditFixture, exported: [AuditCheckpoint] = []) throws
        -> AuditProblem?
    {
        try fixture.verify(exported: exported).problems.first
    }

    @Test func anIntactStoreVerifies() throws {
        let fixture = try Self.store()
        let verification = try fixture.verify()
        #expect(verification.isIntact)
        #expect(verification.records == 20)
        #expect(verification.lastSequence == 20)
        #expect(verification.checkpoints == 4)
    }

    @Test func anEditedFieldIsNamed() throws {
        let fixture = try Self.store()
        try RawDatabase(fixture.path).execute("""
            UPDATE records SET canonical = replace(canonical, '"status":200', '"status":201')
            WHERE seq = 7
            """)
        let problem = try #require(try firstProblem(fixture))
        #expect(problem.sequence == 7)
        #expect(problem.kind == .changed)
        #expect(problem.detail.hasPrefix("record 7 was changed"))
        #expect(try fixture.verify().problems.count == 1)
    }

    @Test func anEditedQueryColumnIsNamed() throws {
        let fixture = try Self.store()
        let raw = try RawDatabase(fixture.path)
        try raw.execute("UPDATE records SET user = 'mallory' WHERE seq = 4")
        try raw.execute("UPDATE record_actors SET sub = 'someone' WHERE seq = 9")
        let problems = try fixture.verify().problems
        #expect(problems.map(\.sequence) == [4, 9])
        #expect(problems.allSatisfy { $0.kind == .indexChanged })
        #expect(problems[0].detail.contains("the user column no longer agrees"))
        #expect(problems[1].detail.contains("the actors column"))
    }

    @Test func aRemovedRecordIsNamed() throws {
        let fixture = try Self.store()
        try RawDatabase(fixture.path).execute("DELETE FROM records WHERE seq = 7")
        let problem = try #require(try firstProblem(fixture))
        #expect(problem.sequence == 7)
        #expect(problem.kind == .removed)
        #expect(problem.detail == "record 7 was removed: the store goes from record 6 to "
            + "record 8")
        #expect(try fixture.verify().problems.count == 1)
    }

    @Test func severalRemovedRecordsAreNamedFromTheFirst() throws {
        let fixture = try Self.store()
        try RawDatabase(fixture.path).execute("DELETE FROM records WHERE seq BETWEEN 3 AND 5")
        let problems = try fixture.verify().problems
        #expect(problems.first?.sequence == 3)
        #expect(problems.first?.detail == "records 3 to 5 were removed: the store goes from "
            + "record 2 to record 6")
    }

    @Test func twoSwappedRecordsAreNamed() throws {
        let fixture = try Self.store()
        try RawDatabase(fixture.path).execute("""
            UPDATE records SET seq = -1 WHERE seq = 7;
            UPDATE records SET seq = 7 WHERE seq = 8;
            UPDATE records SET seq = 8 WHERE seq = -1;
            """)
        let problems = try fixture.verify().problems
        #expect(problems.count == 1)
        #expect(problems.first?.sequence == 7)
        #expect(problems.first?.kind == .reordered)
        #expect(problems.first?.detail == "records 7 and 8 were swapped: each is intact, in "
            + "the other's place")
    }

    /// Renumbers the records from 7 on and puts a forged record at 7, its hash either
    /// junk or correctly chained from record 6 by a forger who knows the format.
    @Test(arguments: [false, true])
    func anInsertedRecordIsNamed(chainedByTheForger: Bool) throws {
        let fixture = try Self.store()
        let raw = try RawDatabase(fixture.path)
        let forged = AuditRecord(sequence: 7, content: sampleDraft(99, user: "mallory"))
        let text = forged.canonicalText
        let hash = chainedByTheForger
            ? AuditHash(hex: try raw.hash(6).lowercased())!.chained(text).hex
            : String(repeating: "ab", count: 32)
        try raw.execute("""
            UPDATE records SET seq = -seq WHERE seq >= 7;
            UPDATE records SET seq = -seq + 1 WHERE seq < 0;
            INSERT INTO records (seq, time, user, route, decision, canonical, hash)
            VALUES (7, \(forged.time), 'mallory', 'list-issues', 'forwarded',
                    '\(text.replacing("'", with: "''"))', X'\(hash)');
            """)
        let problems = try fixture.verify().problems
        let problem = try #require(problems.first)
        #expect(problem.sequence == 7)
        #expect(problem.kind == .inserted)
        #expect(problem.detail.contains("renumbered"))
        #expect(problems.filter { $0.kind != .indexChanged }.count == 1)
    }

    @Test func aTruncatedTailIsFoundOnlyWithAnExportedCheckpoint() throws {
        let fixture = try Self.store()
        let exported = try #require(try AuditStore(readingAt: fixture.path).latestCheckpoint())
        #expect(exported.sequence == 20)
        try RawDatabase(fixture.path).execute("""
            DELETE FROM records WHERE seq > 15;
            DELETE FROM checkpoints WHERE seq > 15;
            """)
        // What is left is a consistent chain with consistent checkpoints.
        #expect(try fixture.verify().isIntact)

        let line = try AuditCheckpoint(exportedLine: exported.exportedLine)
        let problems = try fixture.verify(exported: [line]).problems
        #expect(problems.count == 1)
        #expect(problems.first?.sequence == 16)
        #expect(problems.first?.kind == .truncated)
        #expect(problems.first?.detail == "records 16 to 20 are missing from the end: the "
            + "store ends at record 15, but the exported checkpoint covers up to record 20")
    }

    @Test func aTailRewrittenUnderAnotherKeyDiffersFromTheExportedCheckpoint() throws {
        let fixture = try Self.store()
        let exported = try #require(try AuditStore(readingAt: fixture.path).latestCheckpoint())
        try RawDatabase(fixture.path).execute("""
            DELETE FROM records WHERE seq > 15;
            DELETE FROM checkpoints WHERE seq > 15;
            """)
        // The forger writes five records of their own with a key of their own.
        let forger = try AuditLog(options: AuditLogOptions(
            path: fixture.path, signingKey: .key(try AuditSigningKey.generate())),
                                  onFailure: { _ in })
        for index in 16...20 { _ = forger.append(sampleDraft(index, user: "x"), committed: nil) }
        forger.close()

        let problems = try fixture.verify(exported: [exported]).problems
        #expect(problems.map(\.sequence) == [20, 20])
        #expect(problems.map(\.kind) == [.checkpoint, .changed])
        #expect(problems[0].detail.contains("not by the configured signing key"))
        #expect(problems[1].detail == "record 20 is not the record the exported checkpoint "
            + "for record 20 signed: the records up to it were rewritten, hashes included")
    }

    @Test func aChangedStoredCheckpointIsNamed() throws {
        let fixture = try Self.store()
        try RawDatabase(fixture.path).execute(
            "UPDATE checkpoints SET time = time + 1 WHERE seq = 10")
        let problems = try fixture.verify().problems
        #expect(problems.count == 1)
        #expect(problems.first?.sequence == 10)
        #expect(problems.first?.kind == .checkpoint)
        #expect(problems.first?.detail.contains("signature that does not verify") == true)
    }

    @Test func aRecordRewrittenWithItsHashIsCaughtByTheNextLinkAndTheCheckpoint() throws {
        let fixture = try Self.store()
        let raw = try RawDatabase(fixture.path)
        let text = try raw.canonical(10).replacing("alice", with: "bobby")
        let hash = AuditHash(hex: try raw.hash(9).lowercased())!.chained(text)
        try raw.execute("""
            UPDATE records SET canonical = '\(text)', user = 'bobby', hash = X'\(hash.hex)'
            WHERE seq = 10
            """)
        let problems = try fixture.verify().problems
        #expect(problems.map(\.sequence) == [10, 11])
        #expect(problems[0].detail.contains("checkpoint stored for record 10"))
        #expect(problems[1].detail.hasPrefix("record 11 was changed"))
        #expect(problems[1].detail.contains("or the hash of record 10 was rewritten"))
    }
}
