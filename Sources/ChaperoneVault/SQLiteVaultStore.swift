import Synchronization

/// The embedded vault: one SQLite file in WAL mode, created with mode 0600, each refresh
/// token sealed with AES-256-GCM under the vault key.
///
/// Several processes may use one file at once (a running proxy and a `chaperone vault`
/// command): every write takes the write lock at once (`BEGIN IMMEDIATE`), waits up to
/// the busy time-out for another writer, and checks inside its transaction that the vault
/// is still sealed under this store's key, so a store left with an old key after a
/// rotation elsewhere fails with `wrongKey` instead of writing under it. Readers never
/// wait for writers (WAL).
///
/// Within a process the store is shared between threads; calls are serialised on one
/// connection.
///
/// ```swift
/// let store = try SQLiteVaultStore(path: path, key: key, create: false)
/// if let grant = try store.get(user: sub, connection: "github") {
///     // mint with grant.refreshToken; if the provider rotated it:
///     try store.replaceRefreshToken(user: sub, connection: "github", with: rotated)
///     try store.markUsed(user: sub, connection: "github")
/// }
/// ```
public final class SQLiteVaultStore: VaultStore {
    public let path: String
    private let grants: Mutex<SQLiteGrants>

    /// Opens the vault at `path`, creating it when `create` is set and it does not exist.
    /// Throws `wrongKey` when its grants are sealed under another key, `noVault` when it
    /// does not exist and may not be created, `unsafePermissions` when other users can
    /// read or write it.
    public init(path: String, key: VaultKey, create: Bool, clock: VaultClock = .system,
                sealer: any TokenSealer = AESGCMSealer(),
                busyTimeout: Duration = .seconds(5)) throws(VaultError)
    {
        try SQLiteDatabase.prepareFile(path, create: create)
        let (seconds, attoseconds) = busyTimeout.components
        let database = try SQLiteDatabase(
            path: path,
            busyTimeoutMilliseconds: Int32(clamping: seconds * 1_000
                + attoseconds / 1_000_000_000_000_000))
        try Self.configure(database)
        try VaultSchema.prepare(database, key: key)
        let sealedWith = try VaultSchema.keyID(database)
        guard sealedWith == key.id else { throw .wrongKey(sealedWith: sealedWith, given: key.id) }

        self.path = path
        grants = Mutex(SQLiteGrants(database: database, key: key, clock: clock, sealer: sealer))
    }

    /// WAL, so readers and the writer do not block each other; FULL synchronisation, so a
    /// commit (a rotated refresh token) survives a power cut; freed pages zeroed.
    private static func configure(_ database: SQLiteDatabase) throws(VaultError) {
        try database.useWriteAheadLog()
        try database.execute("PRAGMA secure_delete = ON")
    }

    public var keyID: VaultKeyID { grants.withLock { $0.key.id } }

    public func put(user: String, connection: String, refreshToken: SecretBytes,
                    scopes: [String]) throws(VaultError)
    {
        try grants.withLock { (grants) throws(VaultError) in
            try grants.put(user: user, connection: connection, refreshToken: refreshToken,
                           scopes: scopes)
        }
    }

    public func get(user: String, connection: String) throws(VaultError) -> VaultGrant? {
        try grants.withLock { (grants) throws(VaultError) in
            try grants.get(user: user, connection: connection)
        }
    }

    public func list(user: String?, connection: String?) throws(VaultError) -> [GrantRecord] {
        try grants.withLock { (grants) throws(VaultError) in
            try grants.list(user: user, connection: connection)
        }
    }

    @discardableResult
    public func revoke(user: String, connection: String) throws(VaultError) -> Bool {
        try grants.withLock { (grants) throws(VaultError) in
            try grants.revoke(user: user, connection: connection)
        }
    }

    public func markUsed(user: String, connection: String) throws(VaultError) {
        try grants.withLock { (grants) throws(VaultError) in
            try grants.markUsed(user: user, connection: connection)
        }
    }

    public func replaceRefreshToken(user: String, connection: String,
                                    with refreshToken: SecretBytes) throws(VaultError)
    {
        try grants.withLock { (grants) throws(VaultError) in
            try grants.replaceRefreshToken(user: user, connection: connection,
                                           with: refreshToken)
        }
    }

    @discardableResult
    public func rotateKey(to newKey: VaultKey) throws(VaultError) -> Int {
        try grants.withLock { (grants) throws(VaultError) in try grants.rotateKey(to: newKey) }
    }
}
