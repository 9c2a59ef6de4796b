import ChaperoneSQLite

/// Why the audit log could not do something. Messages name files, sequence numbers and
/// key sources, never a credential or a key.
public enum AuditFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store failed: cannot open, busy past the time-out, disk full, and so on.
    case storage(String)
    /// The store file does not exist and may not be created here.
    case noStore(path: String)
    /// The store file can be read or written by users other than its owner.
    case unsafePermissions(path: String, mode: UInt32)
    /// The file the log was writing was removed or replaced while it was open: records
    /// written to it would be lost with it.
    case storeReplaced(path: String)
    /// Written by a later Chaperone whose records this one may misread.
    case newerSchema(path: String, found: Int64, supported: Int64)
    /// A stored record or checkpoint that is not what the log writes.
    case malformed(String)
    /// The signing key cannot be read, generated or used.
    case signingKey(String)
    /// The mirror cannot be opened or written.
    case mirror(String)
    /// The log was closed before this record was given to it.
    case closed

    public var description: String {
        switch self {
        case .storage(let reason): reason
        case .noStore(let path): "no audit store at \(path) (chaperone serve creates it)"
        case .unsafePermissions(let path, let mode):
            "\(path) is open to other users (mode \(String(mode & 0o7777, radix: 8))): it "
                + "must be 0600; check who could read it before fixing it with chmod 600"
        case .storeReplaced(let path):
            "\(path) was removed or replaced while the audit log had it open; no record is "
                + "written until Chaperone is restarted"
        case .newerSchema(let path, let found, let supported):
            "\(path) has schema version \(found); this Chaperone reads up to \(supported)"
        case .malformed(let reason): reason
        case .signingKey(let reason): reason
        case .mirror(let reason): "audit mirror: \(reason)"
        case .closed: "the audit log is closed"
        }
    }
}

extension AuditFailure: SQLiteFailure {
    public static func noDatabase(path: String) -> AuditFailure { .noStore(path: path) }
}

typealias SQLiteDatabase = ChaperoneSQLite.SQLiteDatabase<AuditFailure>
typealias SQLiteStatement = ChaperoneSQLite.SQLiteStatement<AuditFailure>
