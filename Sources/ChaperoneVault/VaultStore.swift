/// Keeps one refresh token per (user, connection), sealed at rest, for the request path
/// to mint access tokens from. `SQLiteVaultStore` is the embedded implementation; callers
/// depend on this protocol only, so a shared store (PostgreSQL, for a fleet of sidecars)
/// can take its place.
///
/// Every method is synchronous and may block on the database (at most its busy time-out
/// while another process writes): call it off an event loop.
public protocol VaultStore: Sendable {
    /// The id of the key the store seals with.
    var keyID: VaultKeyID { get }

    /// Stores a grant, replacing any earlier one for the same user and connection (a
    /// revoked one included): it becomes active, created now, never used or refreshed.
    func put(user: String, connection: String, refreshToken: SecretBytes,
             scopes: [String]) throws(VaultError)

    /// The active grant with its refresh token unsealed; nil when there is none (never
    /// stored, or revoked). Throws `wrongKey` or `tampered` rather than return garbage.
    func get(user: String, connection: String) throws(VaultError) -> VaultGrant?

    /// Every grant, or those of one user or connection, ordered by user then connection.
    func list(user: String?, connection: String?) throws(VaultError) -> [GrantRecord]

    /// Marks the grant revoked and erases its sealed token. True when it was active,
    /// false when it was already revoked; throws `noGrant` when there is no record.
    @discardableResult
    func revoke(user: String, connection: String) throws(VaultError) -> Bool

    /// Records that the grant was just used to mint an access token.
    func markUsed(user: String, connection: String) throws(VaultError)

    /// Stores the refresh token the provider rotated in, and the time. The new token is
    /// committed durably (fsync) before this returns, so the old one may then be dropped.
    func replaceRefreshToken(user: String, connection: String,
                             with refreshToken: SecretBytes) throws(VaultError)

    /// Re-seals every active grant under `newKey` in one transaction, so the vault is
    /// either all under the old key or all under the new one. Afterwards this store uses
    /// the new key; other stores still holding the old one get `wrongKey` and write
    /// nothing. Returns how many grants were re-sealed.
    @discardableResult
    func rotateKey(to newKey: VaultKey) throws(VaultError) -> Int
}
