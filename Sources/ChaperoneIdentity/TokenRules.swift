/// What a token must satisfy beyond a valid signature: the `identity` section of the
/// configuration, validated.
public struct TokenRules: Sendable {
    /// The exact `iss` tokens must carry, compared byte for byte.
    public var issuer: String
    /// The audience that `aud` (a string or an array of strings) must contain.
    public var audience: String
    /// The algorithms a token may be signed with.
    public var algorithms: Set<JWSAlgorithm>
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds; negative counts as zero.
    public var leewaySeconds: Int64
    /// When set, the header's `typ` must name this media type. The comparison ignores ASCII
    /// case and, as RFC 7515 §4.1.9 asks, treats a value without a `/` as if it began with
    /// `application/`: `at+jwt` matches `application/at+jwt` and `AT+JWT`.
    public var requiredType: String?
    /// When true, a token without an `act` claim is refused.
    public var actorRequired: Bool
    /// The deepest `act` chain accepted: an `act` inside an `act` has depth 2.
    public var maxActorDepth: Int
    /// The longest token accepted, in bytes, checked before anything is decoded.
    public var maxTokenBytes: Int

    public init(
        issuer: String,
        audience: String,
        algorithms: Set<JWSAlgorithm> = [.rs256, .es256, .edDSA],
        leewaySeconds: Int64 = 30,
        requiredType: String? = nil,
        actorRequired: Bool = false,
        maxActorDepth: Int = 5,
        maxTokenBytes: Int = 16 * 1024
    ) {
        self.issuer = issuer
        self.audience = audience
        self.algorithms = algorithms
        self.leewaySeconds = leewaySeconds
        self.requiredType = requiredType
        self.actorRequired = actorRequired
        self.maxActorDepth = maxActorDepth
        self.maxTokenBytes = maxTokenBytes
    }
}
