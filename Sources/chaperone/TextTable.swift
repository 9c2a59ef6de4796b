/// Tables for a person at a terminal (`vault list`, `audit query`): columns padded to line
/// up, stored text made harmless to print.
enum TextTable {
    /// The rows, the first of them the headings, each column as wide as its widest cell.
    static func align(_ rows: [[String]]) -> String {
        var widths: [Int] = []
        for row in rows {
            for (column, cell) in row.enumerated() {
                if column == widths.count { widths.append(0) }
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

    /// Control characters could move the cursor or recolour a terminal. The stores refuse
    /// them, but a file may have been edited, so they are shown escaped.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.flatMap { scalar -> [Character] in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                ? Array(scalar.escaped(asASCII: true)) : [Character(scalar)]
        })
    }
}
