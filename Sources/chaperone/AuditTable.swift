import ChaperoneAudit
import ChaperoneIdentity

/// `audit query` and `audit tail` output for people: one line per record. The JSON form
/// (`--json`) is each record's canonical text instead.
enum AuditTable {
    static let headings = [
        "SEQ", "TIME", "USER", "ACTORS", "ROUTE", "METHOD", "PATH", "DECISION", "REASON",
        "STATUS", "UPSTREAM", "DURATION",
    ]

    /// The records as a table, columns padded to line up.
    static func render(_ records: [AuditRecord]) -> String {
        TextTable.align([headings] + records.map(cells))
    }

    static func cells(_ record: AuditRecord) -> [String] {
        [
            String(record.sequence), time(record.time), printable(record.user ?? "-"),
            record.actors.isEmpty
                ? "-" : printable(record.actors.map(\.subject).joined(separator: ",")),
            printable(record.route ?? "-"), printable(record.method), printable(record.path),
            record.decision.rawValue, printable(record.reason), String(record.status),
            record.upstreamStatus.map(String.init) ?? "-",
            milliseconds(record.durationMicroseconds),
        ]
    }

    /// RFC 3339 in UTC with milliseconds.
    static func time(_ milliseconds: Int64) -> String {
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1_000)
        let (whole, part) = fraction < 0 ? (seconds - 1, fraction + 1_000) : (seconds, fraction)
        let padded = String("00\(part)".suffix(3))
        return String(Timestamp.iso8601(whole).dropLast()) + ".\(padded)Z"
    }

    private static func milliseconds(_ microseconds: UInt64) -> String {
        "\(microseconds / 1_000).\(microseconds % 1_000 / 100)ms"
    }

    private static func printable(_ text: String) -> String { TextTable.printable(text) }
}
