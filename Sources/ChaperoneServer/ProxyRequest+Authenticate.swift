import CMicroHTTPD
import ChaperoneIdentity

/// Step two and three of the request path: who is calling, and may they use this route.
extension ProxyRequest {
    enum AuthenticationStep {
        case passed
        case refused(Problem)
        /// The token's key is being fetched; the request goes on once the fetch ends.
        case waiting
    }

    /// Checks the caller against the route's policy. `mayWait` is false once the request
    /// has waited for a key fetch, so a token can cause at most one.
    func authenticate(_ plan: RoutePlan, mayWait: Bool) -> AuthenticationStep {
        let policy = plan.route.policy
        guard policy.authenticate else { return .passed }
        guard let authenticator = shard.authenticator else {
            return .refused(Problem(.unavailable, "token verification is not running",
                                    retryAfter: 5))
        }
        guard let token = bearerToken() else {
            return .refused(Problem(.invalidToken, "the request has no bearer token: send "
                + "Authorization: Bearer with an on-behalf-of access token",
                challenge: "Bearer"))
        }
        switch authenticator.authenticate(token, now: shard.now, mayWait: mayWait) {
        case .verified(let verified):
            caller = verified
            if let problem = policy.refusal(of: verified, route: plan.route.name) {
                return .refused(problem)
            }
            return .passed
        case .rejected(let failure):
            return .refused(Problem(.invalidToken, failure.detail,
                                    challenge: "Bearer error=\"invalid_token\""))
        case .waitForKeys:
            shard.keyWaiters.append(self)
            return .waiting
        case .unavailable(let reason):
            return .refused(Problem(.unavailable, "tokens cannot be verified: \(reason)",
                                    retryAfter: 5))
        }
    }

    /// The shard heard that a key fetch ended.
    func keysFetched() {
        switch phase {
        case .receiving where awaitingKeys:
            keysArrived = true
        case .authenticating:
            awaitingKeys = false
            guard let plan else { return }
            switch authenticate(plan, mayWait: false) {
            case .passed:
                forward()
            case .refused(let problem):
                answerLater(problem)
            case .waiting:
                answerLater(Problem(.unavailable, "the issuer's keys are still being fetched",
                                    retryAfter: 1))
            }
        default:
            break
        }
    }

    /// The token after `Bearer ` (the scheme is case-insensitive, RFC 9110 §11.1).
    private func bearerToken() -> UnsafeRawBufferPointer? {
        guard let value = headerValue("Authorization"), value.count > 7 else { return nil }
        let scheme = UnsafeRawBufferPointer(rebasing: value[0..<7])
        guard HeaderFilter.equalsIgnoringCase(scheme, Self.bearerScheme) else { return nil }
        var start = 7
        while start < value.count, value[start] == 0x20 { start += 1 }
        guard start < value.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: value[start...])
    }

    private static let bearerScheme = Array("bearer ".utf8)
}
