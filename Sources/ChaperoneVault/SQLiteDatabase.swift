import CSQLite

/// One SQLite connection. Not for sharing: `SQLiteVaultStore` uses it under its lock.
final class SQLiteDatabase {
    let path: String
    private let handle: OpaquePointer

    /// Opens an existing database file; the caller creates the file, so that it gets the
    /// permissions the caller chose rather than SQLite's default.
    init(path: String, busyTimeoutMilliseconds: Int32) throws(VaultError) {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let reason = opened.map { String(cString: sqlite3_errmsg($0)) }
                ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(opened)
            throw .storage("cannot open \(path): \(reason)")
        }
        self.path = path
        handle = opened
        // Another process (a running proxy, a `vault` command) may hold the write lock for
        // a moment: wait for it rather than fail.
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws(VaultError) {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw failure()
        }
    }

    func prepare(_ sql: String) throws(VaultError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK,
              let statement
        else { throw failure() }
        return SQLiteStatement(statement, database: self)
    }

    /// Runs `body` in a transaction that takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so that what it reads cannot change before it writes; any error rolls it back.
    func writeTransaction<Result>(_ body: () throws(VaultError) -> Result)
        throws(VaultError) -> Result
    {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(handle)) }

    func failure() -> VaultError {
        .storage("\(path): \(String(cString: sqlite3_errmsg(handle)))")
    }
}

/// A prepared statement: bind by position (from 1), step, read columns (from 0).
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let database: SQLiteDatabase

    fileprivate init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, _ text: String?) throws(VaultError) {
        guard var text else { return try check(sqlite3_bind_null(handle, index)) }
        try check(text.withUTF8 { utf8 in
            sqlite3_bind_text(handle, index, utf8.baseAddress, Int32(utf8.count),
                              chaperone_sqlite_transient())
        })
    }

    func bind(_ index: Int32, _ blob: [UInt8]?) throws(VaultError) {
        guard let blob else { return try check(sqlite3_bind_null(handle, index)) }
        try check(blob.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count),
                              chaperone_sqlite_transient())
        })
    }

    func bind(_ index: Int32, _ number: Int64?) throws(VaultError) {
        guard let number else { return try check(sqlite3_bind_null(handle, index)) }
        try check(sqlite3_bind_int64(handle, index, number))
    }

    /// Advances to the next row; false when there are no more.
    func step() throws(VaultError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.failure()
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws(VaultError) {
        while try step() {}
    }

    func text(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: text)
    }

    func blob(_ column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    func int64(_ column: Int32) -> Int64? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        return sqlite3_column_int64(handle, column)
    }

    private func check(_ status: Int32) throws(VaultError) {
        guard status == SQLITE_OK else { throw database.failure() }
    }
}
