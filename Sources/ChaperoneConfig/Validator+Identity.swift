import ChaperoneIdentity

/// The `identity` section and the per-route policy that builds on it.
extension Validator {
    mutating func identity(_ wire: WireIdentity) -> IdentitySettings? {
        let errorsBefore = diagnostics.problems.count
        let issuer = required(wire.issuer, wire, "issuer")
        let audience = required(wire.audience, wire, "audience")
        let jwksURL = jwksURL(wire)
        let algorithms = algorithms(wire.algorithms)
        let leeway = duration(wire.leeway, in: .zero...(.seconds(300))) ?? .seconds(30)
        let requiredType = wire.requireTyp.flatMap { nonEmpty($0) }
        let cache = duration(wire.jwksCache, in: .seconds(1)...(.seconds(86_400)))
            ?? .seconds(600)
        let maxStale = duration(wire.jwksMaxStale, in: .zero...(.seconds(7 * 86_400)))
            ?? .seconds(3_600)
        let caFile = wire.caFile.flatMap { readableFile($0) }
        let maxTokenBytes = bytes(wire.maxTokenBytes, in: 1 << 10...1 << 20) ?? 16 << 10
        let tokenCache = integer(wire.tokenCache, in: 0...1_000_000) ?? 10_000
        let actorRequired = boolean(wire.actorRequired) ?? false
        let maxDepth = integer(wire.actorMaxDepth, in: 1...32) ?? 5
        let exchange = wire.exchange.flatMap { self.exchange($0, audience: audience ?? "") }
        guard !hasNewErrors(since: errorsBefore), let issuer, let audience, let jwksURL else {
            return nil
        }
        if jwksURL.scheme == "http", !jwksURL.isLoopback, let at = wire.jwksURL {
            diagnostics.warning(at.location, at.path,
                                "keys fetched over plain http can be replaced on the way: "
                                    + "use https")
        }
        return IdentitySettings(
            issuer: issuer, jwksURL: jwksURL, audience: audience, algorithms: algorithms,
            leeway: leeway, requiredType: requiredType, jwksCacheLifetime: cache,
            jwksMaxStale: maxStale, caFile: caFile, maxTokenBytes: maxTokenBytes,
            tokenCacheEntries: tokenCache, actorRequired: actorRequired,
            maxActorDepth: maxDepth, exchange: exchange)
    }

    private mutating func exchange(_ wire: WireExchange, audience: String) -> ExchangeSettings? {
        let errorsBefore = diagnostics.problems.count
        let tokenURL = url(wire.tokenURL, in: wire, "token_url")
        let clientID = wire.clientID.flatMap { nonEmpty($0) }
        if wire.clientID == nil {
            diagnostics.error(wire.location, wire.path + ".client_id", "is required")
        }
        let secret = wire.clientSecret.flatMap { resolve($0) }
        if wire.clientSecret == nil {
            diagnostics.error(wire.location, wire.path + ".client_secret", "is required")
        }
        var authentication = ExchangeSettings.ClientAuthentication.basic
        if let method = wire.authMethod {
            if let known = ExchangeSettings.ClientAuthentication(rawValue: method.value) {
                authentication = known
            } else {
                diagnostics.error(method.location, method.path,
                                  "expected client_secret_basic or client_secret_post")
            }
        }
        // Checked now so a missing file is a load error, read again on every exchange.
        let actorToken = wire.actorToken.flatMap { actor -> ExchangeSettings.ActorTokenSource? in
            guard resolve(actor) != nil else { return nil }
            switch actor.source {
            case .environment(let name): return .environment(name)
            case .file(let path): return .file(FileSystem.resolve(path, relativeTo: baseDirectory))
            }
        }
        let timeout = duration(wire.timeout, in: .milliseconds(100)...(.seconds(120)))
            ?? .seconds(10)
        let caFile = wire.caFile.flatMap { readableFile($0) }
        guard !hasNewErrors(since: errorsBefore), let tokenURL, let clientID, let secret else {
            return nil
        }
        if tokenURL.scheme == "http", !tokenURL.isLoopback, let at = wire.tokenURL {
            diagnostics.warning(at.location, at.path,
                                "user tokens and the client secret would cross the network "
                                    + "in clear text: use https")
        }
        return ExchangeSettings(
            tokenURL: tokenURL, clientID: clientID, clientSecret: secret,
            authentication: authentication,
            audience: wire.audience.flatMap { nonEmpty($0) } ?? audience,
            scope: wire.scope.flatMap { nonEmpty($0) }, actorToken: actorToken,
            actorTokenType: wire.actorTokenType.flatMap { nonEmpty($0) }
                ?? "urn:ietf:params:oauth:token-type:jwt",
            timeout: timeout, caFile: caFile)
    }

    private mutating func required(_ value: Located<String>?, _ wire: WireIdentity,
                                   _ key: String) -> String?
    {
        guard let value else {
            diagnostics.error(wire.location, wire.path + "." + key, "is required")
            return nil
        }
        return nonEmpty(value)
    }

    mutating func nonEmpty(_ value: Located<String>) -> String? {
        guard !value.value.isEmpty else {
            diagnostics.error(value.location, value.path, "must not be empty")
            return nil
        }
        return value.value
    }

    private mutating func url(_ value: Located<String>?, in wire: WireExchange, _ key: String)
        -> UpstreamURL?
    {
        guard let value else {
            diagnostics.error(wire.location, wire.path + "." + key, "is required")
            return nil
        }
        return url(value)
    }

    private mutating func jwksURL(_ wire: WireIdentity) -> UpstreamURL? {
        guard let value = wire.jwksURL else {
            diagnostics.error(wire.location, wire.path + ".jwks_url", "is required")
            return nil
        }
        return url(value)
    }

    mutating func url(_ value: Located<String>) -> UpstreamURL? {
        do {
            return try UpstreamURL(parsing: value.value)
        } catch {
            diagnostics.error(value.location, value.path, error.description)
            return nil
        }
    }

    private mutating func algorithms(_ wire: Located<[Located<String>]>?) -> Set<JWSAlgorithm> {
        guard let wire else { return IdentitySettings.defaultAlgorithms }
        if wire.value.isEmpty {
            diagnostics.error(wire.location, wire.path, "must name at least one algorithm")
        }
        var algorithms: Set<JWSAlgorithm> = []
        for name in wire.value {
            guard let algorithm = JWSAlgorithm(rawValue: name.value) else {
                let known = JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
                diagnostics.error(name.location, name.path,
                                  "unsupported algorithm '\(name.value)' (supported: \(known); "
                                      + "'none' and HMAC never are)")
                continue
            }
            algorithms.insert(algorithm)
        }
        return algorithms
    }

    mutating func boolean(_ wire: Located<String>?) -> Bool? {
        guard let wire else { return nil }
        switch wire.value {
        case "true": return true
        case "false": return false
        default:
            diagnostics.error(wire.location, wire.path, "expected true or false")
            return nil
        }
    }

    /// The route's caller policy. Without an identity section nobody is authenticated, so
    /// a route that names actors or scopes could never be enforced: that is an error.
    mutating func policy(_ wire: WireRoute, identity: Bool) -> RoutePolicy {
        let authenticate = boolean(wire.authenticate) ?? identity
        let actors = names(wire.actors)
        let profiles = names(wire.actorProfiles)
        let scopes = names(wire.scopes)
        let restricting = [wire.actors, wire.actorProfiles, wire.scopes].compactMap { $0 }
        if let first = restricting.first, !authenticate {
            let reason = identity
                ? "the route says authenticate: false, so there is no caller to check"
                : "there is no identity section, so callers are not authenticated"
            diagnostics.error(first.location, first.path, "cannot be enforced: \(reason)")
        }
        if let at = wire.authenticate, authenticate, !identity {
            diagnostics.error(at.location, at.path,
                              "authenticate: true needs an identity section")
        }
        return RoutePolicy(authenticate: authenticate && identity, actors: Set(actors),
                           actorProfiles: Set(profiles), scopes: scopes)
    }

    mutating func names(_ wire: Located<[Located<String>]>?) -> [String] {
        guard let wire else { return [] }
        if wire.value.isEmpty {
            diagnostics.error(wire.location, wire.path,
                              "must not be empty (leave the key out to allow any)")
        }
        return wire.value.compactMap { value in
            // Visible ASCII without quote or backslash: what RFC 6749 allows in a scope,
            // and what may be quoted in a WWW-Authenticate challenge.
            let valid = !value.value.isEmpty && value.value.utf8.allSatisfy {
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
            }
            guard valid else {
                diagnostics.error(value.location, value.path,
                                  "must be visible ASCII without spaces, quotes or backslashes")
                return nil
            }
            return value.value
        }
    }
}
