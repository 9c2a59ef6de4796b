import CSQLite

/// One SQLite connection, throwing the error type of the store that uses it. Not for
/// sharing between threads: each store keeps its connection under a lock or on one thread.
public final class SQLiteDatabase<Failure: SQLiteFailure> {
    public let path: String
    private let handle: OpaquePointer

    /// Opens an existing database file; the caller creates the file (`prepareFile`), so
    /// that it gets the permissions the caller chose rather than SQLite's default.
    public init(path: String, busyTimeoutMilliseconds: Int32) throws(Failure) {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let reason = opened.map { String(cString: sqlite3_errmsg($0)) }
                ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(opened)
            throw Failure.storage("cannot open \(path): \(reason)")
        }
        self.path = path
        handle = opened
        // Another process (a running proxy, a command) may hold the write lock for a
        // moment: wait for it rather than fail.
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Switches to write-ahead logging, so that readers and the writer do not block each
    /// other, with FULL synchronisation, so that a commit survives a power cut.
    public func useWriteAheadLog() throws(Failure) {
        let mode = try prepare("PRAGMA journal_mode = WAL")
        guard try mode.step(), mode.text(0) == "wal" else {
            throw Failure.storage("\(path): cannot switch to write-ahead logging")
        }
        try execute("PRAGMA synchronous = FULL")
    }

    /// Runs statements that return no rows.
    public func execute(_ sql: String) throws(Failure) {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw failure()
        }
    }

    public func prepare(_ sql: String) throws(Failure) -> SQLiteStatement<Failure> {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK,
              let statement
        else { throw failure() }
        return SQLiteStatement(statement, database: self)
    }

    /// Runs `body` in a transaction that takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so that what it reads cannot change before it writes; any error rolls it back.
    public func writeTransaction<Result>(_ body: () throws(Failure) -> Result)
        throws(Failure) -> Result
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
    public var changes: Int { Int(sqlite3_changes(handle)) }

    public func failure() -> Failure {
        Failure.storage("\(path): \(String(cString: sqlite3_errmsg(handle)))")
    }
}

/// A prepared statement: bind by position (from 1), step, read columns (from 0).
public final class SQLiteStatement<Failure: SQLiteFailure> {
    private let handle: OpaquePointer
    private let database: SQLiteDatabase<Failure>

    fileprivate init(_ handle: OpaquePointer, database: SQLiteDatabase<Failure>) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    public func bind(_ index: Int32, _ text: String?) throws(Failure) {
        guard var text else { return try check(sqlite3_bind_null(handle, index)) }
        try check(text.withUTF8 { utf8 in
            sqlite3_bind_text(handle, index, utf8.baseAddress, Int32(utf8.count),
                              chaperone_sqlite_transient())
        })
    }

    public func bind(_ index: Int32, _ blob: [UInt8]?) throws(Failure) {
        guard let blob else { return try check(sqlite3_bind_null(handle, index)) }
        try check(blob.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count),
                              chaperone_sqlite_transient())
        })
    }

    public func bind(_ index: Int32, _ number: Int64?) throws(Failure) {
        guard let number else { return try check(sqlite3_bind_null(handle, index)) }
        try check(sqlite3_bind_int64(handle, index, number))
    }

    /// Advances to the next row; false when there are no more.
    public func step() throws(Failure) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.failure()
        }
    }

    /// Runs a statement that returns no rows.
    public func run() throws(Failure) {
        while try step() {}
    }

    /// Makes the statement ready to bind and run again, its bindings cleared.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func text(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: text)
    }

    public func blob(_ column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    public func int64(_ column: Int32) -> Int64? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        return sqlite3_column_int64(handle, column)
    }

    private func check(_ status: Int32) throws(Failure) {
        guard status == SQLITE_OK else { throw database.failure() }
    }
}
