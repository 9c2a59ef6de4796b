import ChaperoneConfig
import ChaperoneIdentity
#if canImport(Glibc)
import Glibc
#endif

/// Verifies bearer tokens for one event loop: the cache first, then the signature against
/// the shared key set. Confined to its loop.
final class Authenticator {
    enum Outcome {
        case verified(VerifiedToken)
        case rejected(TokenFailure)
        /// The token names a key the set lacks and a fetch is under way: ask again when
        /// the loop hears `keysFetched`.
        case waitForKeys
        case unavailable(String)
    }

    let source: KeySetSource
    private let verifier: TokenVerifier
    private var cache: TokenCache

    init(source: KeySetSource) {
        self.source = source
        let settings = source.settings
        verifier = TokenVerifier(rules: settings.rules)
        cache = TokenCache(capacity: settings.tokenCacheEntries,
                           leewaySeconds: settings.leeway.components.seconds)
    }

    /// - Parameters:
    ///   - token: the text after `Bearer `.
    ///   - mayWait: false when the request already waited for one fetch.
    func authenticate(_ token: UnsafeRawBufferPointer, now: UInt64, mayWait: Bool)
        -> Outcome
    {
        let keys: JSONWebKeySet
        let generation: Int
        switch source.availability(now: now) {
        case .unavailable(let reason):
            _ = source.requestRefresh(now: now)
            return .unavailable(reason)
        case .usable(let set, let current): (keys, generation) = (set, current)
        }
        let wallClock = Int64(time(nil))
        // The length is checked before hashing, so an oversized token costs nothing.
        guard token.count <= source.settings.maxTokenBytes else {
            return verdict(verifier.verify(token, keys: keys, now: wallClock), now: now,
                           mayWait: false)
        }
        let digest = TokenCache.Digest(of: token)
        if let cached = cache.lookup(digest, generation: generation, now: wallClock) {
            return .verified(cached)
        }
        let result = verifier.verify(token, keys: keys, now: wallClock)
        if case .success(let verified) = result {
            cache.insert(verified, for: digest, generation: generation, now: wallClock)
        }
        return verdict(result, now: now, mayWait: mayWait)
    }

    private func verdict(_ result: Result<VerifiedToken, TokenFailure>, now: UInt64,
                         mayWait: Bool) -> Outcome
    {
        switch result {
        case .success(let token):
            return .verified(token)
        case .failure(let failure):
            if failure.isUnknownKey, mayWait, source.requestRefresh(now: now) {
                return .waitForKeys
            }
            return .rejected(failure)
        }
    }
}

extension RoutePolicy {
    /// Why a verified caller may not use the route, or nil when it may. The reason names
    /// the rule; actor subjects come from a verified token and are shown sanitised.
    func refusal(of token: VerifiedToken, route: String) -> Problem? {
        let actor = token.actors.first
        if !actors.isEmpty {
            guard let actor else {
                return Problem(.forbidden, "route '\(route)' is only for named agents, and "
                    + "the token has no actor (act claim)")
            }
            guard actors.contains(actor.subject) else {
                return Problem(.forbidden, "the acting agent '\(Self.printable(actor.subject))' "
                    + "is not among the actors route '\(route)' allows")
            }
        }
        if !actorProfiles.isEmpty {
            guard let profile = actor?.profile, actorProfiles.contains(profile) else {
                return Problem(.forbidden, "route '\(route)' allows actors with sub_profile "
                    + actorProfiles.sorted().joined(separator: " or ") + ", and the acting "
                    + "party's is " + (actor?.profile.map { "'\(Self.printable($0))'" }
                        ?? "not given"))
            }
        }
        if let missing = scopes.first(where: { !token.scopes.contains($0) }) {
            return Problem(.forbidden, "the token lacks scope '\(missing)', which route "
                + "'\(route)' requires",
                challenge: "Bearer error=\"insufficient_scope\", scope=\""
                    + scopes.joined(separator: " ") + "\"")
        }
        return nil
    }

    /// At most 64 visible ASCII characters, for quoting a claim in a detail or log line.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map {
            $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? $0 : "?"
        }))
    }
}
