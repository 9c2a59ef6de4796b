import CSQLite

/// A second, raw connection to one of Chaperone's SQLite files (the vault, the audit log),
/// for a test to read or change what was written behind the writer's back, as someone with
/// access to the file could.
public final class RawDatabase: @unchecked Sendable {
    private let handle: OpaquePointer

    public init(_ path: String) throws {
        var opened: OpaquePointer?
        guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
              let opened
        else { throw TestFailure("cannot open \(path)") }
        handle = opened
        sqlite3_busy_timeout(handle, 5_000)
    }

    deinit { sqlite3_close_v2(handle) }

    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw TestFailure("\(sql): \(message.map { String(cString: $0) } ?? "?")")
        }
    }

    /// Every row of a query, each column as text (blobs in hex, NULL as "NULL").
    public func rows(_ sql: String) throws -> [[String]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw TestFailure("\(sql): \(String(cString: sqlite3_errmsg(handle)))")
        }
        defer { sqlite3_finalize(statement) }
        var rows: [[String]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            rows.append((0..<sqlite3_column_count(statement)).map { column in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_NULL: return "NULL"
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    let bytes = sqlite3_column_blob(statement, column)
                    return UnsafeRawBufferPointer(start: bytes, count: count)
                        .map { String(format: "%02x", $0) }.joined()
                default: return String(cString: sqlite3_column_text(statement, column))
                }
            })
        }
        return rows
    }
}
