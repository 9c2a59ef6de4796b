/// Whether a grant can still be used. A revoked grant keeps its record, for the listing,
/// but its sealed token is erased, so no change to the database can bring it back.
public enum GrantState: String, Sendable {
    case active, revoked
}

/// What the vault knows about one grant, without any secret material: what `list` shows.
public struct GrantRecord: Sendable, Equatable {
    /// The user the grant is for: the `sub` of their tokens.
    public var user: String
    public var connection: String
    /// The scopes the user granted, in the order given.
    public var scopes: [String]
    public var state: GrantState
    /// The key the refresh token is sealed under; nil once revoked.
    public var keyID: VaultKeyID?
    /// Seconds since the epoch, as the store's clock read them.
    public var created: Int64
    public var lastUsed: Int64?
    public var lastRefreshed: Int64?

    public init(user: String, connection: String, scopes: [String], state: GrantState,
                keyID: VaultKeyID?, created: Int64, lastUsed: Int64?, lastRefreshed: Int64?)
    {
        self.user = user
        self.connection = connection
        self.scopes = scopes
        self.state = state
        self.keyID = keyID
        self.created = created
        self.lastUsed = lastUsed
        self.lastRefreshed = lastRefreshed
    }
}

/// An active grant with its refresh token unsealed: what `get` returns.
public struct VaultGrant: Sendable {
    public var record: GrantRecord
    public var refreshToken: SecretBytes
}
