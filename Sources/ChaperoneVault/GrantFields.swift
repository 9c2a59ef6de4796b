/// How a grant's fields are checked on the way in and read back from a row.
enum GrantFields {
    /// The columns every query selects, in this order.
    static let columns = """
        user, connection, state, scopes, key_id, created, last_used, last_refreshed, nonce, \
        sealed_token
        """

    /// Longest user or connection name the store takes, in UTF-8 bytes.
    static let maxNameBytes = 1024

    /// Users and connections are non-empty single-line text; scopes are non-empty and
    /// free of white space, since they are stored space-separated.
    static func check(user: String, connection: String, scopes: [String]) throws(VaultError) {
        for (field, value) in [("user", user), ("connection", connection)] {
            guard !value.isEmpty, value.utf8.count <= maxNameBytes,
                  !value.utf8.contains(where: isControl)
            else {
                throw .invalidGrant("the \(field) must be 1 to \(maxNameBytes) bytes without "
                                        + "control characters")
            }
        }
        for scope in scopes where scope.isEmpty || scope.utf8.contains(where: {
            $0 == 0x20 || isControl($0)
        }) {
            throw .invalidGrant("a scope must be non-empty, without spaces or control "
                                    + "characters")
        }
    }

    /// The record in the current row of a query that selected `columns`.
    static func record(_ row: SQLiteStatement) throws(VaultError) -> GrantRecord {
        let user = row.text(0) ?? ""
        let connection = row.text(1) ?? ""
        guard let state = row.text(2).flatMap(GrantState.init(rawValue:)) else {
            throw .corrupt("the grant of user '\(user)' for '\(connection)' has no known state")
        }
        var keyID: VaultKeyID?
        if let text = row.text(4) {
            guard let id = VaultKeyID(hex: text) else {
                throw .corrupt("the grant of user '\(user)' for '\(connection)' has a "
                                   + "malformed key id")
            }
            keyID = id
        }
        guard state == .revoked || keyID != nil else {
            throw .corrupt("the active grant of user '\(user)' for '\(connection)' has no key id")
        }
        let scopes = (row.text(3) ?? "").split(separator: " ").map(String.init)
        return GrantRecord(user: user, connection: connection, scopes: scopes, state: state,
                           keyID: keyID, created: row.int64(5) ?? 0, lastUsed: row.int64(6),
                           lastRefreshed: row.int64(7))
    }

    /// The sealed token in the current row; empty columns make a token that fails to open.
    static func sealedToken(_ row: SQLiteStatement) -> SealedToken {
        SealedToken(nonce: row.blob(8) ?? [], ciphertext: row.blob(9) ?? [])
    }

    /// The key id of an active record, which `record` guarantees is there.
    static func sealedKeyID(_ record: GrantRecord) throws(VaultError) -> VaultKeyID {
        guard let id = record.keyID else {
            throw .corrupt("the grant of user '\(record.user)' has no key id")
        }
        return id
    }

    private static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
}
