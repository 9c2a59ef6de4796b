import ChaperoneVault

/// Where the token vault keeps its grants and the key that seals them.
public struct VaultSettings: Sendable {
    public var store: StateStore
    public var keySource: KeySource
    /// Read and checked while loading when anything needs the vault: a route that takes
    /// its credential from it, a `vault` command, or a `vault` section written out.
    /// Otherwise nil, and the key need not exist.
    public var key: VaultKey?
    /// False when the file has no `vault` section and these are the defaults.
    public var isConfigured: Bool

    static let defaultStore = "sqlite:.chaperone/vault.db"
    static let defaultKeyFile = ".chaperone/vault.key"
}

/// An OAuth client at a provider, through which the vault's refresh tokens are turned
/// into access tokens.
public struct ConnectionSettings: Sendable {
    public enum Kind: Sendable, Equatable {
        /// The `refresh_token` grant at the provider's token endpoint.
        case refreshToken
        /// A token exchange at Auth0's Token Vault for the access token of the named
        /// upstream connection (such as `google-oauth2`).
        case auth0TokenVault(connection: String, subjectToken: SubjectToken)
    }

    /// What Auth0's Token Vault is given as the subject token.
    public enum SubjectToken: String, Sendable {
        /// The user's Auth0 refresh token, kept in Chaperone's vault.
        case vault
        /// The caller's own access token.
        case incoming
    }

    /// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
    public enum ClientAuthentication: String, Sendable {
        /// HTTP Basic with the URL-encoded client id and secret.
        case basic
        /// `client_id` and `client_secret` in the form body.
        case post
    }

    public var name: String
    public var kind: Kind
    public var tokenURL: UpstreamURL
    public var clientID: String
    public var clientSecret: Secret
    public var authentication: ClientAuthentication
    /// Where a user links the account, shown with `consent-required`.
    public var connectURL: String?
    /// Scopes a grant carries when `vault put` names none.
    public var scopes: [String]
    /// The longest an access token minted through this connection is used, whatever its
    /// own lifetime; nil leaves it to the token's `expires_in`.
    public var maxTTL: Duration?
    /// CA bundle for an `https` token endpoint; nil means the system bundle.
    public var caFile: String?
    /// Auth0 Token Vault's `login_hint`, for a user with several accounts at the upstream
    /// connection: `{sub}` stands for the caller's subject.
    public var loginHint: String?

    /// Whether grants for this connection live in Chaperone's vault.
    public var storesGrants: Bool {
        if case .auth0TokenVault(_, .incoming) = kind { return false }
        return true
    }
}

/// A route's credential taken from the vault: the access token minted for the caller
/// through `connection`, sent in `header` with `format`'s `{token}` replaced.
public struct VaultCredential: Sendable, Equatable {
    public var connection: String
    public var header: String
    public var format: String
}
