/// Verifies JWT access tokens (RFC 9068) signed as a compact JWS (RFC 7515) against an
/// issuer's key set and a set of rules.
///
/// The work is ordered so that a bad token costs as little as possible and nothing is
/// believed before it is signed: the length is checked first, then the header alone is
/// decoded to choose the algorithm and key, then the signature is verified, and only then
/// is the payload decoded and its claims read.
public struct TokenVerifier: Sendable {
    public let rules: TokenRules

    /// `rules.requiredType`, normalized once.
    let requiredType: [UInt8]?

    public init(rules: TokenRules) {
        self.rules = rules
        requiredType = rules.requiredType.map { MediaType.normalized($0.utf8) }
    }

    /// Verifies `token`, the bytes after `Bearer ` with nothing around them.
    ///
    /// - Parameters:
    ///   - keys: the issuer's current key set. On `.unknownKey` the caller may refresh it
    ///     and call again.
    ///   - now: the current time in seconds since the epoch.
    public func verify(_ token: UnsafeRawBufferPointer, keys: JSONWebKeySet, now: Int64)
        -> Result<VerifiedToken, TokenFailure>
    {
        Result { () throws(TokenFailure) in try verified(token, keys: keys, now: now) }
    }

    /// Convenience for tests and tools: verifies a token held as bytes.
    public func verify(_ token: [UInt8], keys: JSONWebKeySet, now: Int64)
        -> Result<VerifiedToken, TokenFailure>
    {
        token.withUnsafeBytes { verify($0, keys: keys, now: now) }
    }

    /// Convenience for tests and tools: verifies a token held as a string.
    public func verify(_ token: String, keys: JSONWebKeySet, now: Int64)
        -> Result<VerifiedToken, TokenFailure>
    {
        var copy = token
        return copy.withUTF8 { verify(UnsafeRawBufferPointer($0), keys: keys, now: now) }
    }

    private func verified(_ token: UnsafeRawBufferPointer, keys: JSONWebKeySet, now: Int64)
        throws(TokenFailure) -> VerifiedToken
    {
        guard token.count <= rules.maxTokenBytes else { throw .tooLarge }
        let parts = try CompactJWS(token)

        let (algorithm, key) = try withDecodedObject(parts.header, part: .header) {
            header throws(TokenFailure) in try selectKey(header: header, keys: keys)
        }

        guard let signature = Base64URL.decode(parts.signature) else {
            throw .invalidEncoding(.signature)
        }
        try key.verify(signature, over: parts.signingInput, algorithm: algorithm)

        return try withDecodedObject(parts.payload, part: .payload) {
            payload throws(TokenFailure) in
            try readClaims(payload, now: now, algorithm: algorithm, key: key)
        }
    }

    /// Decodes one base64url part and lends its JSON object to `body`.
    private func withDecodedObject<Value>(
        _ encoded: UnsafeRawBufferPointer, part: TokenPart,
        _ body: (JSONValue) throws(TokenFailure) -> Value
    ) throws(TokenFailure) -> Value {
        guard let decoded = Base64URL.decode(encoded) else { throw .invalidEncoding(part) }
        // withUnsafeBytes rethrows untyped errors; a Result carries the typed one through.
        return try decoded.withUnsafeBytes { bytes in
            Result { () throws(TokenFailure) in
                try withJSONObject(bytes, mapError: { TokenFailure($0, in: part) }, body)
            }
        }.get()
    }
}

extension TokenFailure {
    init(_ error: JSONParseError, in part: TokenPart) {
        switch error {
        case .malformed: self = .invalidJSON(part)
        case .duplicateMember: self = .duplicateMember(part)
        case .notAnObject: self = .notAnObject(part)
        }
    }
}
