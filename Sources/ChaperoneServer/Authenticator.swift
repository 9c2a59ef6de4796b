import ChaperoneConfig
import ChaperoneIdentity
#if canImport(Glibc)
import Glibc
#endif

/// Who a request is for, once known.
enum IdentityVerdict {
    case verified(VerifiedToken)
    case refused(Problem)
}

/// Verifies bearer tokens for one event loop: the cache first, then the signature against
/// the shared key set, or in exchange mode the exchange of the user's token. Confined to
/// its loop.
final class Authenticator {
    enum Outcome {
        case verified(VerifiedToken)
        case rejected(TokenFailure)
        /// The token names a key the set lacks and a fetch is under way: ask again when
        /// the loop hears `keysFetched`.
        case waitForKeys
        /// The token is being exchanged; the loop hears `exchangeFinished` for the digest.
        case waitForExchange(VerifiedTokenCache.Digest)
        /// What an earlier exchange of the token gave.
        case exchanged(IdentityVerdict)
        case unavailable(String)
    }

    /// An exchanged token is used until this many seconds before it expires.
    static let exchangeSkewSeconds: Int64 = 30

    let identity: IdentityRuntime
    private let verifier: TokenVerifier
    private var cache: VerifiedTokenCache

    init(identity: IdentityRuntime) {
        self.identity = identity
        let settings = identity.settings
        verifier = TokenVerifier(rules: settings.rules)
        cache = VerifiedTokenCache(capacity: settings.tokenCacheEntries,
                                   leewaySeconds: settings.leeway.components.seconds)
    }

    /// - Parameters:
    ///   - token: the text after `Bearer `.
    ///   - mayWait: false when the request already waited for one fetch.
    ///   - inbox: where the loop hears about an exchange this call starts.
    func authenticate(_ token: UnsafeRawBufferPointer, now: UInt64, mayWait: Bool,
                      inbox: ShardInbox) -> Outcome
    {
        let keys: JSONWebKeySet
        let generation: Int
        switch identity.keys.availability(now: now) {
        case .unavailable(let reason):
            _ = identity.keys.requestRefresh(now: now)
            return .unavailable(reason)
        case .usable(let set, let current): (keys, generation) = (set, current)
        }
        let wallClock = Int64(time(nil))
        // The length is checked before hashing, so an oversized token costs nothing.
        guard token.count <= identity.settings.maxTokenBytes else {
            return verdict(.failure(.tooLarge), now: now, mayWait: false)
        }
        let digest = VerifiedTokenCache.Digest(of: token)
        if let cached = cache.lookup(digest, generation: generation, now: wallClock) {
            return .verified(cached)
        }
        if let exchanger = identity.exchanger {
            switch exchanger.join(digest, subjectToken: token, inbox: inbox, now: wallClock) {
            case .issued(let issued):
                return .exchanged(exchanged(.issued(issued), for: digest, now: now))
            case .waiting: return .waitForExchange(digest)
            case .busy: return .unavailable("too many token exchanges are under way")
            }
        }
        let result = verifier.verify(token, keys: keys, now: wallClock)
        if case .success(let verified) = result {
            cache.insert(verified, for: digest, generation: generation, now: wallClock)
        }
        return verdict(result, now: now, mayWait: mayWait)
    }

    /// Verifies what an exchange for the subject token `digest` produced and, when good,
    /// remembers it under that digest until shortly before it expires.
    func exchanged(_ outcome: TokenExchange.Outcome, for digest: VerifiedTokenCache.Digest,
                   now: UInt64) -> IdentityVerdict
    {
        switch outcome {
        case .refused(let reason):
            return .refused(Problem(.invalidToken, reason,
                                    challenge: "Bearer error=\"invalid_token\""))
        case .failed(let reason):
            return .refused(Problem(.unavailable, reason, retryAfter: 5))
        case .issued(let token):
            guard case .usable(let keys, let generation) = identity.keys.availability(now: now)
            else {
                return .refused(Problem(.unavailable, "the issuer's keys are not available",
                                        retryAfter: 5))
            }
            let wallClock = Int64(time(nil))
            switch verifier.verify(token, keys: keys, now: wallClock) {
            case .success(let verified):
                let goodUntil = verified.expiresAt - Self.exchangeSkewSeconds
                cache.insert(verified, for: digest, generation: generation, now: wallClock,
                             goodUntil: goodUntil)
                identity.exchanger?.remember(token, for: digest, goodUntil: goodUntil,
                                             now: wallClock)
                return .verified(verified)
            case .failure(let failure):
                if failure.isUnknownKey { _ = identity.keys.requestRefresh(now: now) }
                return .refused(Problem(.unavailable, "the token the exchange issued does "
                    + "not verify: \(failure.detail)", retryAfter: 5))
            }
        }
    }

    private func verdict(_ result: Result<VerifiedToken, TokenFailure>, now: UInt64,
                         mayWait: Bool) -> Outcome
    {
        switch result {
        case .success(let token):
            return .verified(token)
        case .failure(let failure):
            if failure.isUnknownKey, mayWait, identity.keys.requestRefresh(now: now) {
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
