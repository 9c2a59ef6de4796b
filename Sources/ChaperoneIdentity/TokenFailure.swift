/// Why a bearer token was refused: one case per reason, so a caller can count and log
/// failures by `code` and show a person the `detail`.
///
/// Every case carries only values chosen by the verifier (a part, a claim name, an
/// algorithm, a limit) or a date, never text from the token, so neither `code` nor
/// `detail` can echo what an attacker sent.
public enum TokenFailure: Error, Sendable, Equatable {
    /// Longer than `TokenRules.maxTokenBytes`; nothing was decoded.
    case tooLarge
    /// Not three dot-separated parts.
    case notCompact
    /// Five parts: an encrypted token (JWE), which is never accepted.
    case encrypted
    /// A part is not canonical unpadded base64url.
    case invalidEncoding(TokenPart)
    /// A part decodes to something that is not JSON.
    case invalidJSON(TokenPart)
    /// A part is JSON but not an object.
    case notAnObject(TokenPart)
    /// A part names the same member twice.
    case duplicateMember(TokenPart)
    /// `alg` is missing, or names `none`, an HMAC or any algorithm this library does not
    /// verify.
    case unsupportedAlgorithm
    /// `alg` is one this library verifies but the rules do not allow.
    case algorithmNotAllowed(JWSAlgorithm)
    /// The header has `crit`: no JWS extension is understood, so none may be required.
    case criticalExtension
    /// The header's `typ` is missing or differs from `TokenRules.requiredType`.
    case typeMismatch
    /// The header's `kid` is not a string.
    case invalidKeyID
    /// The header names a `kid` that the key set does not hold. The set may be stale: see
    /// `isUnknownKey`.
    case unknownKey
    /// The header has no `kid` and no key in the set can verify its algorithm.
    case noMatchingKey
    /// More than one key could verify the token and nothing says which.
    case ambiguousKey
    /// The key named by `kid` cannot verify the header's algorithm (type, curve or the
    /// key's own `alg` differ).
    case keyMismatch
    /// The signature has the wrong length for the key, or an ECDSA scalar is zero or not
    /// below the curve's order.
    case malformedSignature
    /// The signature does not verify.
    case signatureMismatch
    /// A required claim is absent.
    case missingClaim(Claim)
    /// A claim has the wrong JSON type or an impossible value.
    case invalidClaim(Claim)
    /// `iss` is not the configured issuer.
    case issuerMismatch
    /// `aud` does not contain the configured audience.
    case audienceMismatch
    /// `exp` (seconds since the epoch) has passed, leeway included.
    case expired(at: Int64)
    /// `nbf` (seconds since the epoch) has not come yet, leeway included.
    case notYetValid(until: Int64)
    /// `iat` (seconds since the epoch) lies in the future beyond the leeway.
    case issuedInFuture(at: Int64)
    /// The rules require an actor and the token has no `act` claim.
    case actorRequired
    /// The `act` chain is deeper than `TokenRules.maxActorDepth`, which it carries.
    case actorChainTooDeep(limit: Int)

    /// True when the token names a `kid` that the key set does not hold: the issuer may
    /// have rotated its keys, so the caller should refresh the JWKS and try again.
    public var isUnknownKey: Bool { self == .unknownKey }

    /// A stable, short, kebab-case code for logs, metrics and audit records, such as
    /// `expired` or `invalid-claim:aud`.
    public var code: String {
        switch self {
        case .tooLarge: "too-large"
        case .notCompact: "not-compact"
        case .encrypted: "encrypted"
        case .invalidEncoding(let part): "invalid-encoding:\(part.rawValue)"
        case .invalidJSON(let part): "invalid-json:\(part.rawValue)"
        case .notAnObject(let part): "not-an-object:\(part.rawValue)"
        case .duplicateMember(let part): "duplicate-member:\(part.rawValue)"
        case .unsupportedAlgorithm: "unsupported-algorithm"
        case .algorithmNotAllowed: "algorithm-not-allowed"
        case .criticalExtension: "critical-extension"
        case .typeMismatch: "type-mismatch"
        case .invalidKeyID: "invalid-key-id"
        case .unknownKey: "unknown-key"
        case .noMatchingKey: "no-matching-key"
        case .ambiguousKey: "ambiguous-key"
        case .keyMismatch: "key-mismatch"
        case .malformedSignature: "malformed-signature"
        case .signatureMismatch: "signature-mismatch"
        case .missingClaim(let claim): "missing-claim:\(claim.rawValue)"
        case .invalidClaim(let claim): "invalid-claim:\(claim.rawValue)"
        case .issuerMismatch: "issuer-mismatch"
        case .audienceMismatch: "audience-mismatch"
        case .expired: "expired"
        case .notYetValid: "not-yet-valid"
        case .issuedInFuture: "issued-in-future"
        case .actorRequired: "actor-required"
        case .actorChainTooDeep: "actor-chain-too-deep"
        }
    }

    /// One sentence a person can act on, for a problem document's `detail`.
    public var detail: String {
        switch self {
        case .tooLarge: "the token is longer than this server accepts"
        case .notCompact: "the token is not a JWS in compact form (three parts separated by dots)"
        case .encrypted: "the token is encrypted (JWE); only signed tokens are accepted"
        case .invalidEncoding(let part): "the token's \(part) is not unpadded base64url"
        case .invalidJSON(let part): "the token's \(part) is not valid JSON"
        case .notAnObject(let part): "the token's \(part) is not a JSON object"
        case .duplicateMember(let part): "the token's \(part) names the same member twice"
        case .unsupportedAlgorithm:
            "the token's header does not name a supported signature algorithm"
        case .algorithmNotAllowed(let algorithm):
            "the token is signed with \(algorithm.rawValue), which this server does not allow"
        case .criticalExtension:
            "the token's header requires extensions (crit) that are not supported"
        case .typeMismatch: "the token's header typ is not the required token type"
        case .invalidKeyID: "the token's header kid is not a string"
        case .unknownKey: "the token is signed with a key the issuer does not publish"
        case .noMatchingKey:
            "the token names no key (kid) and the issuer publishes no key for its algorithm"
        case .ambiguousKey:
            "the token does not say which of the issuer's keys signed it (kid)"
        case .keyMismatch: "the token's algorithm does not fit the key it names"
        case .malformedSignature: "the token's signature is malformed"
        case .signatureMismatch: "the token's signature does not verify"
        case .missingClaim(let claim): "the token has no \"\(claim.rawValue)\" claim"
        case .invalidClaim(let claim): "the token's \"\(claim.rawValue)\" claim is not valid"
        case .issuerMismatch: "the token was not issued by the expected issuer"
        case .audienceMismatch: "the token is not meant for this audience"
        case .expired(let time): "the token expired at \(Timestamp.iso8601(time))"
        case .notYetValid(let time): "the token is not valid before \(Timestamp.iso8601(time))"
        case .issuedInFuture(let time):
            "the token claims to be issued at \(Timestamp.iso8601(time)), in the future"
        case .actorRequired: "the token names no actor (act) acting for its subject"
        case .actorChainTooDeep(let limit):
            "the token's actor chain (act) is deeper than the allowed \(limit)"
        }
    }
}

/// A part of a compact JWS.
public enum TokenPart: String, Sendable, CustomStringConvertible {
    case header
    case payload
    case signature

    public var description: String { rawValue }
}

/// The claims the verifier reads.
public enum Claim: String, Sendable {
    case issuer = "iss"
    case subject = "sub"
    case audience = "aud"
    case expiration = "exp"
    case notBefore = "nbf"
    case issuedAt = "iat"
    case scope = "scope"
    case scopes = "scp"
    case clientID = "client_id"
    case authorizedParty = "azp"
    case actor = "act"
}
