import Testing

@testable import ChaperoneAudit

@Suite struct AuditTimeTests {
    /// 2026-12-03T10:00:00Z, in milliseconds.
    static let anchor: Int64 = 1_796_292_000_000

    @Test(arguments: [
        ("2026-12-03T10:00:00Z", anchor),
        ("2026-12-03t10:00:00z", anchor),
        ("2026-12-03T10:00:00.5Z", anchor + 500),
        ("2026-12-03T10:00:00.123456Z", anchor + 123),
        ("2026-12-03T11:30:00+01:30", anchor),
        ("2026-12-03T08:00:00-02:00", anchor),
        ("2026-12-03", anchor - 36_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29", 1_709_164_800_000),
        ("1969-12-31T23:59:59Z", -1_000),
    ])
    func rfc3339TimesAndDates(_ text: String, _ expected: Int64) {
        #expect(AuditTime.parse(text, now: 0) == expected)
    }

    @Test(arguments: [
        ("90s", 90_000), ("15m", 900_000), ("1h30m", 5_400_000), ("2d", 172_800_000),
        ("1w", 604_800_000), ("250ms", 250),
    ] as [(String, Int64)])
    func durationsAgo(_ text: String, _ ago: Int64) {
        #expect(AuditTime.parse(text, now: Self.anchor) == Self.anchor - ago)
    }

    @Test(arguments: [
        "", "yesterday", "1y", "h", "2026-02-30", "2025-02-29", "2026-13-01",
        "2026-12-03T24:00:00Z", "2026-12-03T10:00:00", "2026-12-03T10:00Z",
        "2026-12-03T10:00:00.Z", "2026-12-03T10:00:00+0100", "2026-12-03 10:00:00Z",
        "-1h", "9999999999s",
    ])
    func anythingElseIsRefused(_ text: String) {
        #expect(AuditTime.parse(text, now: Self.anchor) == nil)
    }
}
