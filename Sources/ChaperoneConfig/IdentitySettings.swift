import ChaperoneIdentity

/// How callers prove who they are: the issuer whose on-behalf-of tokens the proxy accepts,
/// where its keys are published and what a token must say.
public struct IdentitySettings: Sendable, Equatable {
    public var issuer: String
    public var jwksURL: UpstreamURL
    public var audience: String
    public var algorithms: Set<JWSAlgorithm>
    public var leeway: Duration
    /// The header `typ` every token must carry, such as `at+jwt`; nil accepts any.
    public var requiredType: String?
    /// How long a fetched key set is used before it is fetched again.
    public var jwksCacheLifetime: Duration
    /// How long past its lifetime a key set keeps working while it cannot be fetched.
    public var jwksMaxStale: Duration
    /// CA bundle for the JWKS endpoint; nil means the system bundle.
    public var caFile: String?
    /// Longer bearer tokens are refused before any decoding.
    public var maxTokenBytes: Int
    /// Verified tokens remembered per worker, so a repeated token costs a lookup.
    public var tokenCacheEntries: Int
    public var actorRequired: Bool
    public var maxActorDepth: Int
    /// When set, the agent presents the user's token and Chaperone exchanges it.
    public var exchange: ExchangeSettings?

    public static let defaultAlgorithms: Set<JWSAlgorithm> = [.rs256, .es256, .edDSA]

    /// The verification rules these settings make.
    public var rules: TokenRules {
        TokenRules(issuer: issuer, audience: audience, algorithms: algorithms,
                   leewaySeconds: leeway.components.seconds, requiredType: requiredType,
                   actorRequired: actorRequired, maxActorDepth: maxActorDepth,
                   maxTokenBytes: maxTokenBytes)
    }
}

/// RFC 8693 token exchange: the agent presents the user's access token (the subject
/// token) and Chaperone trades it at the issuer's token endpoint, with its own client
/// credentials, for the on-behalf-of token it then verifies like any other.
public struct ExchangeSettings: Sendable, Equatable {
    public enum ClientAuthentication: String, Sendable {
        /// HTTP Basic with the URL-encoded client id and secret (RFC 6749 §2.3.1).
        case basic = "client_secret_basic"
        /// `client_id` and `client_secret` in the form body.
        case post = "client_secret_post"
    }

    /// Where the actor token comes from: re-read on every exchange, since the agent's
    /// platform rotates the file.
    public enum ActorTokenSource: Sendable, Equatable {
        case environment(String)
        case file(String)
    }

    public var tokenURL: UpstreamURL
    public var clientID: String
    public var clientSecret: Secret
    public var authentication: ClientAuthentication
    /// The `audience` asked for; the issued token must carry `identity.audience`.
    public var audience: String
    public var scope: String?
    public var actorToken: ActorTokenSource?
    public var actorTokenType: String
    public var timeout: Duration
    public var caFile: String?
}

/// Who may call a route, checked after the token itself is verified.
public struct RoutePolicy: Sendable, Equatable {
    /// False only for a route marked `authenticate: false`, or with no identity section.
    public var authenticate: Bool
    /// Allowed subjects of the current actor (the outermost `act`); empty allows any.
    public var actors: Set<String>
    /// Allowed `sub_profile` values of the current actor; empty allows any.
    public var actorProfiles: Set<String>
    /// Scopes the token must carry, all of them.
    public var scopes: [String]

    public static let open = RoutePolicy(authenticate: false, actors: [], actorProfiles: [],
                                         scopes: [])
}
