import Testing

@testable import ChaperoneAudit

@Suite struct QueryTests {
    /// Six records: alice and bob, two routes, actors agt_a and agt_b, one denial.
    static func store() throws -> AuditFixture {
        let fixture = try AuditFixture()
        let log = try fixture.open()
        let agentA = [AuditActor(subject: "agt_a", profile: "ai_agent")]
        let agentB = [AuditActor(subject: "agt_b"), AuditActor(subject: "agt_a")]
        var drafts = [
            sampleDraft(1, user: "alice", route: "issues", actors: agentA),
            sampleDraft(2, user: "bob", route: "issues", actors: agentB),
            sampleDraft(3, user: "alice", route: "purchase", actors: agentB),
            sampleDraft(4, user: "alice", route: "issues", actors: []),
            sampleDraft(5, user: nil, route: nil, actors: []),
            sampleDraft(6, user: "bob", route: "purchase", actors: agentA),
        ]
        drafts[2].decision = .denied
        drafts[2].reason = "approval-denied"
        for draft in drafts { _ = log.append(draft, committed: nil) }
        log.close()
        return fixture
    }

    @Test(arguments: [
        (AuditQuery(), [1, 2, 3, 4, 5, 6]),
        (AuditQuery(user: "alice"), [1, 3, 4]),
        (AuditQuery(actor: "agt_a"), [1, 2, 3, 6]),
        (AuditQuery(actor: "agt_b"), [2, 3]),
        (AuditQuery(route: "purchase"), [3, 6]),
        (AuditQuery(decision: .denied), [3]),
        (AuditQuery(since: 1_796_292_000_003), [3, 4, 5, 6]),
        (AuditQuery(until: 1_796_292_000_003), [1, 2]),
        (AuditQuery(user: "bob", actor: "agt_a", route: "purchase"), [6]),
        (AuditQuery(user: "carol"), []),
        (AuditQuery(limit: 2), [5, 6]),
    ])
    func conditionsSelectTheRecords(_ query: AuditQuery, _ expected: [UInt64]) throws {
        let fixture = try Self.store()
        let records = try AuditStore(readingAt: fixture.path).records(matching: query)
        #expect(records.map(\.sequence) == expected)
    }

    @Test func tailReadsWhatCameAfter() throws {
        let fixture = try Self.store()
        let store = try AuditStore(readingAt: fixture.path)
        #expect(try store.records(after: 4, limit: 10).map(\.sequence) == [5, 6])
        #expect(try store.records(after: 0, limit: 2).map(\.sequence) == [1, 2])
        #expect(try store.records(after: 6, limit: 10).isEmpty)
    }

    @Test func aMissingStoreIsNamed() throws {
        let fixture = try AuditFixture()
        #expect(throws: AuditFailure.noStore(path: fixture.path)) {
            try AuditStore(readingAt: fixture.path)
        }
    }
}
