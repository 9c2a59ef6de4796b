import ChaperoneIdentity
import ChaperoneVault

/// `vault list` output: one line per grant, columns padded to line up. Holds nothing
/// secret: the store's records carry no token.
enum GrantTable {
    static let headings = [
        "USER", "CONNECTION", "SCOPES", "STATE", "CREATED", "LAST USED", "LAST REFRESHED",
        "KEY ID",
    ]

    static func render(_ records: [GrantRecord]) -> String {
        let rows = [headings] + records.map { record in
            [
                printable(record.user), printable(record.connection),
                record.scopes.isEmpty ? "-" : printable(record.scopes.joined(separator: ",")),
                record.state.rawValue, time(record.created), time(record.lastUsed),
                time(record.lastRefreshed), record.keyID?.hex ?? "-",
            ]
        }
        return TextTable.align(rows)
    }

    private static func time(_ seconds: Int64?) -> String {
        seconds.map(Timestamp.iso8601) ?? "never"
    }

    private static func printable(_ text: String) -> String { TextTable.printable(text) }
}
