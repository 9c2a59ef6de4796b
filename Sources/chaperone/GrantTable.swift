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
        var widths = [Int](repeating: 0, count: headings.count)
        for row in rows {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column == row.count - 1
                    ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            return line
        }.joined(separator: "\n")
    }

    private static func time(_ seconds: Int64?) -> String {
        seconds.map(Timestamp.iso8601) ?? "never"
    }

    /// Control characters could move the cursor or recolour a terminal; the store refuses
    /// them, but the file may have been edited, so they are shown escaped.
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.flatMap { scalar -> [Character] in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                ? Array(scalar.escaped(asASCII: true)) : [Character(scalar)]
        })
    }
}
