/// The vault's operations on one SQLite connection. Not for sharing: `SQLiteVaultStore`
/// keeps it under a lock and forwards each call.
///
/// Every write runs in a `BEGIN IMMEDIATE` transaction that first checks the vault is
/// still sealed under `key`; another process may have rotated it since this one opened.
struct SQLiteGrants {
    let database: SQLiteDatabase
    private(set) var key: VaultKey
    let clock: VaultClock
    let sealer: any TokenSealer

    init(database: SQLiteDatabase, key: VaultKey, clock: VaultClock, sealer: any TokenSealer) {
        self.database = database
        self.key = key
        self.clock = clock
        self.sealer = sealer
    }

    func put(user: String, connection: String, refreshToken: SecretBytes,
             scopes: [String]) throws(VaultError)
    {
        try GrantFields.check(user: user, connection: connection, scopes: scopes)
        guard !refreshToken.isEmpty else { throw .invalidGrant("the refresh token is empty") }
        let binding = SealBinding(user: user, connection: connection)
        let now = clock.now()
        try database.writeTransaction { () throws(VaultError) in
            try checkSealedUnderKey()
            let sealed = try sealer.seal(refreshToken, binding: binding, key: key)
            let insert = try database.prepare("""
                INSERT INTO grants (user, connection, state, scopes, key_id, nonce,
                                    sealed_token, created, last_used, last_refreshed)
                VALUES (?1, ?2, 'active', ?3, ?4, ?5, ?6, ?7, NULL, NULL)
                ON CONFLICT (user, connection) DO UPDATE SET
                    state = 'active', scopes = excluded.scopes, key_id = excluded.key_id,
                    nonce = excluded.nonce, sealed_token = excluded.sealed_token,
                    created = excluded.created, last_used = NULL, last_refreshed = NULL
                """)
            try insert.bind(1, user)
            try insert.bind(2, connection)
            try insert.bind(3, scopes.joined(separator: " "))
            try insert.bind(4, key.id.hex)
            try insert.bind(5, sealed.nonce)
            try insert.bind(6, sealed.ciphertext)
            try insert.bind(7, now)
            try insert.run()
        }
    }

    func get(user: String, connection: String) throws(VaultError) -> VaultGrant? {
        let query = try selectGrant(user: user, connection: connection)
        guard try query.step() else { return nil }
        let record = try GrantFields.record(query)
        guard record.state == .active else { return nil }
        let sealedWith = try GrantFields.sealedKeyID(record)
        guard sealedWith == key.id else {
            throw .wrongKey(sealedWith: sealedWith, given: key.id)
        }
        let token = try sealer.open(GrantFields.sealedToken(query),
                                    binding: SealBinding(user: user, connection: connection),
                                    key: key)
        return VaultGrant(record: record, refreshToken: token)
    }

    func list(user: String?, connection: String?) throws(VaultError) -> [GrantRecord] {
        let query = try database.prepare("""
            SELECT \(GrantFields.columns) FROM grants
            WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR connection = ?2)
            ORDER BY user, connection
            """)
        try query.bind(1, user)
        try query.bind(2, connection)
        var records: [GrantRecord] = []
        while try query.step() { records.append(try GrantFields.record(query)) }
        return records
    }

    func revoke(user: String, connection: String) throws(VaultError) -> Bool {
        try database.writeTransaction { () throws(VaultError) -> Bool in
            guard let current = try state(user: user, connection: connection) else {
                throw .noGrant(user: user, connection: connection)
            }
            guard current == .active else { return false }
            let update = try database.prepare("""
                UPDATE grants SET state = 'revoked', key_id = NULL, nonce = NULL,
                                  sealed_token = NULL
                WHERE user = ?1 AND connection = ?2
                """)
            try update.bind(1, user)
            try update.bind(2, connection)
            try update.run()
            return true
        }
    }

    func markUsed(user: String, connection: String) throws(VaultError) {
        let now = clock.now()
        try database.writeTransaction { () throws(VaultError) in
            let update = try database.prepare("""
                UPDATE grants SET last_used = ?3
                WHERE user = ?1 AND connection = ?2 AND state = 'active'
                """)
            try update.bind(1, user)
            try update.bind(2, connection)
            try update.bind(3, now)
            try update.run()
            guard database.changes == 1 else { throw .noGrant(user: user, connection: connection) }
        }
    }

    func replaceRefreshToken(user: String, connection: String,
                             with refreshToken: SecretBytes) throws(VaultError)
    {
        guard !refreshToken.isEmpty else { throw .invalidGrant("the refresh token is empty") }
        let binding = SealBinding(user: user, connection: connection)
        let now = clock.now()
        try database.writeTransaction { () throws(VaultError) in
            try checkSealedUnderKey()
            guard try state(user: user, connection: connection) == .active else {
                throw .noGrant(user: user, connection: connection)
            }
            let sealed = try sealer.seal(refreshToken, binding: binding, key: key)
            try store(sealed, binding: binding, key: key, refreshedAt: now)
        }
    }

    /// Opens every active grant under the current key and seals it under `newKey`, then
    /// records `newKey` as the vault's key, all in one transaction: any failure (a record
    /// that does not open, a seal that fails, the disk) rolls every change back.
    mutating func rotateKey(to newKey: VaultKey) throws(VaultError) -> Int {
        let oldKey = key
        guard newKey.id != oldKey.id else { throw .sameKey(oldKey.id) }
        let count = try database.writeTransaction { () throws(VaultError) -> Int in
            try checkSealedUnderKey()
            let grants = try activeGrants()
            for (binding, sealed) in grants {
                let token = try sealer.open(sealed, binding: binding, key: oldKey)
                let resealed = try sealer.seal(token, binding: binding, key: newKey)
                try store(resealed, binding: binding, key: newKey, refreshedAt: nil)
            }
            let update = try database.prepare("UPDATE vault_key SET id = ?1")
            try update.bind(1, newKey.id.hex)
            try update.run()
            return grants.count
        }
        key = newKey
        return count
    }

    // MARK: - Rows

    private func checkSealedUnderKey() throws(VaultError) {
        let sealedWith = try VaultSchema.keyID(database)
        guard sealedWith == key.id else { throw .wrongKey(sealedWith: sealedWith, given: key.id) }
    }

    private func selectGrant(user: String, connection: String) throws(VaultError)
        -> SQLiteStatement
    {
        let query = try database.prepare(
            "SELECT \(GrantFields.columns) FROM grants WHERE user = ?1 AND connection = ?2")
        try query.bind(1, user)
        try query.bind(2, connection)
        return query
    }

    private func state(user: String, connection: String) throws(VaultError) -> GrantState? {
        let query = try selectGrant(user: user, connection: connection)
        guard try query.step() else { return nil }
        return try GrantFields.record(query).state
    }

    /// Every active grant with its sealed token, each checked to be under the current key.
    private func activeGrants() throws(VaultError) -> [(SealBinding, SealedToken)] {
        let query = try database.prepare(
            "SELECT \(GrantFields.columns) FROM grants WHERE state = 'active'")
        var grants: [(SealBinding, SealedToken)] = []
        while try query.step() {
            let record = try GrantFields.record(query)
            let sealedWith = try GrantFields.sealedKeyID(record)
            guard sealedWith == key.id else {
                throw .wrongKey(sealedWith: sealedWith, given: key.id)
            }
            grants.append((SealBinding(user: record.user, connection: record.connection),
                           GrantFields.sealedToken(query)))
        }
        return grants
    }

    /// Writes a sealed token into an active grant; `refreshedAt` nil keeps the time of the
    /// last refresh, since a key rotation is not one.
    private func store(_ sealed: SealedToken, binding: SealBinding, key: VaultKey,
                       refreshedAt: Int64?) throws(VaultError)
    {
        let update = try database.prepare("""
            UPDATE grants SET key_id = ?3, nonce = ?4, sealed_token = ?5,
                              last_refreshed = coalesce(?6, last_refreshed)
            WHERE user = ?1 AND connection = ?2 AND state = 'active'
            """)
        try update.bind(1, binding.user)
        try update.bind(2, binding.connection)
        try update.bind(3, key.id.hex)
        try update.bind(4, sealed.nonce)
        try update.bind(5, sealed.ciphertext)
        try update.bind(6, refreshedAt)
        try update.run()
        guard database.changes == 1 else {
            throw .noGrant(user: binding.user, connection: binding.connection)
        }
    }
}
