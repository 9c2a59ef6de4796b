/// The error a store built on `SQLiteDatabase` throws, so that each store keeps its own
/// error type (`VaultError`, `AuditFailure`) while sharing one SQLite wrapper.
public protocol SQLiteFailure: Error {
    /// The database failed: cannot open, busy past the time-out, disk full, and so on.
    static func storage(_ reason: String) -> Self
    /// The file does not exist and the caller did not ask to create it.
    static func noDatabase(path: String) -> Self
    /// The file can be read or written by users other than its owner.
    static func unsafePermissions(path: String, mode: UInt32) -> Self
}
