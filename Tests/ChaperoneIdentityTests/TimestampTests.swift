import Foundation
import Testing

@testable import ChaperoneIdentity

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (1_796_292_000, "2026-12-03T10:00:00Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
        (-62_135_596_800, "0001-01-01T00:00:00Z"),
    ])
    func formatsKnownInstants(seconds: Int64, expected: String) {
        #expect(Timestamp.iso8601(seconds) == expected)
    }

    @Test func agreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // Years 1600 to 9999: Foundation's calendar is not proleptic before 1582.
            let seconds = Int64.random(in: -11_676_096_000...253_402_300_799, using: &generator)
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(Timestamp.iso8601(seconds) == expected, "\(seconds)")
        }
    }

    @Test func extremesDoNotTrap() {
        #expect(Timestamp.iso8601(.max).hasSuffix("Z"))
        #expect(Timestamp.iso8601(.min).hasSuffix("Z"))
    }
}
