extension TokenVerifier {
    /// Validates the claims of a payload whose signature has already been verified, and
    /// copies out what the caller needs.
    func readClaims(_ payload: JSONValue, now: Int64, algorithm: JWSAlgorithm,
                    key: JSONWebKey) throws(TokenFailure) -> VerifiedToken
    {
        guard let issuer = payload[member: Claim.issuer.rawValue] else {
            throw .missingClaim(.issuer)
        }
        guard issuer.stringBytes != nil else { throw .invalidClaim(.issuer) }
        guard issuer.isString(rules.issuer) else { throw .issuerMismatch }

        let audiences = try audiences(in: payload)

        guard let expiresAt = try numericDate(.expiration, in: payload) else {
            throw .missingClaim(.expiration)
        }
        let leeway = max(0, rules.leewaySeconds)
        let (earliest, late) = now.subtractingReportingOverflow(leeway)
        let (latest, early) = now.addingReportingOverflow(leeway)
        guard expiresAt > (late ? .min : earliest) else { throw .expired(at: expiresAt) }
        if let notBefore = try numericDate(.notBefore, in: payload),
           notBefore > (early ? .max : latest)
        {
            throw .notYetValid(until: notBefore)
        }
        if let issuedAt = try numericDate(.issuedAt, in: payload),
           issuedAt > (early ? .max : latest)
        {
            throw .issuedInFuture(at: issuedAt)
        }

        guard let subjectValue = payload[member: Claim.subject.rawValue] else {
            throw .missingClaim(.subject)
        }
        guard let subject = subjectValue.string, !subject.isEmpty else {
            throw .invalidClaim(.subject)
        }

        let actors = try actors(in: payload)
        guard !actors.isEmpty || !rules.actorRequired else { throw .actorRequired }

        let scopes = try scopes(in: payload)
        let clientID = try optionalString(.clientID, in: payload)
        let authorizedParty = try optionalString(.authorizedParty, in: payload)

        return VerifiedToken(
            subject: subject,
            issuer: rules.issuer,
            audiences: audiences,
            expiresAt: expiresAt,
            scopes: scopes,
            clientID: clientID ?? authorizedParty,
            actors: actors,
            keyID: key.keyID,
            algorithm: algorithm)
    }

    /// `aud`: a string or an array of strings, one of which must be the configured
    /// audience.
    private func audiences(in payload: JSONValue) throws(TokenFailure) -> [String] {
        guard let audience = payload[member: Claim.audience.rawValue] else {
            throw .missingClaim(.audience)
        }
        let values = audience.elements ?? [audience]
        var audiences: [String] = []
        audiences.reserveCapacity(values.count)
        var matched = false
        for value in values {
            guard let text = value.string else { throw .invalidClaim(.audience) }
            matched = matched || value.isString(rules.audience)
            audiences.append(text)
        }
        guard matched else { throw .audienceMismatch }
        return audiences
    }

    /// A NumericDate claim (RFC 7519 §2) in whole seconds, or nil when absent. A fractional
    /// value is rounded down; a value outside the 64-bit range is invalid.
    private func numericDate(_ claim: Claim, in payload: JSONValue) throws(TokenFailure)
        -> Int64?
    {
        guard let value = payload[member: claim.rawValue] else { return nil }
        switch value.number {
        case .integer(let seconds):
            return seconds
        case .real(let seconds):
            guard let whole = Int64(exactly: seconds.rounded(.down)) else {
                throw .invalidClaim(claim)
            }
            return whole
        case nil:
            throw .invalidClaim(claim)
        }
    }

    /// The `act` chain, outermost first. Each level must be an object with a non-empty
    /// string `sub` and, optionally, a string `sub_profile`.
    private func actors(in payload: JSONValue) throws(TokenFailure) -> [Actor] {
        var actors: [Actor] = []
        var next = payload[member: Claim.actor.rawValue]
        while let actor = next {
            guard actors.count < rules.maxActorDepth else {
                throw .actorChainTooDeep(limit: rules.maxActorDepth)
            }
            guard actor.isObject, let subject = actor[member: "sub"]?.string, !subject.isEmpty
            else { throw .invalidClaim(.actor) }
            var profile: String?
            if let value = actor[member: "sub_profile"] {
                guard let text = value.string else { throw .invalidClaim(.actor) }
                profile = text
            }
            actors.append(Actor(subject: subject, profile: profile))
            next = actor[member: Claim.actor.rawValue]
        }
        return actors
    }

    /// The union of `scope` (a space-separated string) and `scp` (an array of strings, or
    /// a space-separated string).
    private func scopes(in payload: JSONValue) throws(TokenFailure) -> Set<String> {
        var scopes = Set<String>()
        if let scope = payload[member: Claim.scope.rawValue] {
            guard let text = scope.stringBytes else { throw .invalidClaim(.scope) }
            insertScopes(separatedBySpaces: text, into: &scopes)
        }
        if let scp = payload[member: Claim.scopes.rawValue] {
            if let text = scp.stringBytes {
                insertScopes(separatedBySpaces: text, into: &scopes)
            } else if let list = scp.elements {
                for element in list {
                    guard let scope = element.string else { throw .invalidClaim(.scopes) }
                    if !scope.isEmpty { scopes.insert(scope) }
                }
            } else {
                throw .invalidClaim(.scopes)
            }
        }
        return scopes
    }

    private func insertScopes(separatedBySpaces text: UnsafeRawBufferPointer,
                              into scopes: inout Set<String>)
    {
        for scope in text.split(separator: UInt8(ascii: " ")) {
            scopes.insert(String(decoding: scope, as: UTF8.self))
        }
    }

    /// A claim that may be absent but, when present, must be a string.
    private func optionalString(_ claim: Claim, in payload: JSONValue) throws(TokenFailure)
        -> String?
    {
        guard let value = payload[member: claim.rawValue] else { return nil }
        guard let text = value.string else { throw .invalidClaim(claim) }
        return text
    }
}
