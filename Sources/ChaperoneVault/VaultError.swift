/// Why a vault operation failed. Messages name users, connections, key ids and files,
/// never a token or a key.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The records were sealed under another key than the one given.
    case wrongKey(sealedWith: VaultKeyID, given: VaultKeyID)
    /// A record failed authentication: its sealed token, nonce, user or connection was
    /// changed after it was written.
    case tampered(user: String, connection: String)
    /// No active grant for this user and connection.
    case noGrant(user: String, connection: String)
    /// A rotation to the key already in use.
    case sameKey(VaultKeyID)
    /// The database does not exist and the caller did not ask to create it.
    case noVault(path: String)
    /// The database file can be read or written by users other than its owner.
    case unsafePermissions(path: String, mode: UInt32)
    /// Written by a later Chaperone whose records this one may misread.
    case newerSchema(path: String, found: Int64, supported: Int64)
    /// A value in the database that this code never writes.
    case corrupt(String)
    /// A grant that cannot be stored: an empty user, connection or token.
    case invalidGrant(String)
    /// The database failed: cannot open, busy past the time-out, disk full, and so on.
    case storage(String)
    /// libcrypto failed to seal, or had no random bytes.
    case crypto(String)

    public var description: String {
        switch self {
        case .wrongKey(let sealed, let given):
            "the vault is sealed with key \(sealed), but the key given is \(given)"
        case .tampered(let user, let connection):
            "the grant of user '\(user)' for connection '\(connection)' failed "
                + "authentication: its sealed token, nonce, user or connection was changed "
                + "in the database, so it is refused"
        case .noGrant(let user, let connection):
            "no active grant for user '\(user)' and connection '\(connection)'"
        case .sameKey(let id):
            "the new key is the key already in use (\(id))"
        case .noVault(let path):
            "no vault at \(path) (the first put creates it)"
        case .unsafePermissions(let path, let mode):
            "\(path) is open to other users (mode \(Self.octal(mode))): it must be 0600; "
                + "check who could read it before fixing it with chmod 600"
        case .newerSchema(let path, let found, let supported):
            "\(path) has schema version \(found); this Chaperone reads up to \(supported)"
        case .corrupt(let what):
            "the vault holds data this Chaperone never writes: \(what)"
        case .invalidGrant(let reason):
            reason
        case .storage(let reason):
            reason
        case .crypto(let reason):
            "libcrypto failed: \(reason)"
        }
    }

    private static func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
