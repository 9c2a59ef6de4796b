/// What a verified token says: its signature checked, its claims validated against the
/// rules. Everything here may be trusted as the issuer's statement.
public struct VerifiedToken: Sendable {
    /// `sub`: the user on whose behalf the call is made.
    public var subject: String
    /// `iss`.
    public var issuer: String
    /// `aud`, as a list even when the token held a single string.
    public var audiences: [String]
    /// `exp` in whole seconds since the epoch (a fractional value is rounded down).
    public var expiresAt: Int64
    /// The union of `scope` (space-separated, RFC 8693 §4.2) and `scp` (an array of
    /// strings, or a space-separated string as some issuers send it). Both are the
    /// issuer's signed statement, so neither outranks the other.
    public var scopes: Set<String>
    /// `client_id` (RFC 9068 §2.2), else `azp`; nil when the token has neither.
    public var clientID: String?
    /// The `act` chain (RFC 8693 §4.1), outermost first: `actors[0]` is the current actor,
    /// later entries acted before it. Empty when the token has no `act`.
    public var actors: [Actor]
    /// The `kid` of the key that verified the token, when that key has one.
    public var keyID: String?
    /// The algorithm the token was signed with.
    public var algorithm: JWSAlgorithm

    /// For callers' tests that need a verified token without minting one.
    public init(subject: String, issuer: String, audiences: [String], expiresAt: Int64,
                scopes: Set<String> = [], clientID: String? = nil, actors: [Actor] = [],
                keyID: String? = nil, algorithm: JWSAlgorithm)
    {
        self.subject = subject
        self.issuer = issuer
        self.audiences = audiences
        self.expiresAt = expiresAt
        self.scopes = scopes
        self.clientID = clientID
        self.actors = actors
        self.keyID = keyID
        self.algorithm = algorithm
    }
}

/// One party in an `act` chain.
public struct Actor: Sendable, Equatable {
    /// The actor's `sub`.
    public var subject: String
    /// The actor's `sub_profile`, such as `ai_agent`, `user` or `service`, kept exactly
    /// as sent, even when it lists several profiles separated by spaces.
    public var profile: String?

    public init(subject: String, profile: String? = nil) {
        self.subject = subject
        self.profile = profile
    }
}
