import CMicroHTTPD
import ChaperoneIdentity

/// Step two and three of the request path: who is calling, and may they use this route.
extension ProxyRequest {
    enum AuthenticationStep {
        case passed
        case refused(Problem)
        /// A key fetch or a token exchange is under way; the request goes on once it ends.
        case waiting
    }

    /// Checks the caller against the route's policy. `mayWait` is false once the request
    /// has waited for a key fetch, so a token can cause at most one.
    func authenticate(_ plan: RoutePlan, mayWait: Bool) -> AuthenticationStep {
        guard plan.route.policy.authenticate else { return .passed }
        guard let authenticator = shard.authenticator else {
            return .refused(Problem(.unavailable, "token verification is not running",
                                    retryAfter: 5))
        }
        guard let token = bearerToken() else {
            return .refused(Problem(.invalidToken, "the request has no bearer token: send "
                + "Authorization: Bearer with an on-behalf-of access token",
                challenge: "Bearer"))
        }
        switch authenticator.authenticate(token, now: shard.now, mayWait: mayWait,
                                          inbox: shard.inbox)
        {
        case .verified(let verified):
            return admit(.verified(verified), plan)
        case .exchanged(let verdict):
            return admit(verdict, plan)
        case .rejected(let failure):
            return .refused(Problem(.invalidToken, failure.detail,
                                    challenge: "Bearer error=\"invalid_token\""))
        case .waitForKeys:
            shard.keyWaiters.append(self)
            return .waiting
        case .waitForExchange(let digest):
            shard.exchangeWaiters[digest, default: []].append(self)
            return .waiting
        case .unavailable(let reason):
            return .refused(Problem(.unavailable, "tokens cannot be verified: \(reason)",
                                    retryAfter: 5))
        }
    }

    /// A key fetch or exchange this request waited for ended: with the verdict of an
    /// exchange, or nil after a key fetch (the token is then verified again).
    func identityWaitEnded(_ verdict: IdentityVerdict?) {
        switch phase {
        case .receiving where awaitingIdentity:
            // The body is still arriving: the verdict waits for it.
            identityArrived = true
            deferredVerdict = verdict
        case .authenticating:
            switch resolveIdentity(verdict) {
            case .passed: proceedAfterAdmission()
            case .refused(let problem): answerLater(problem)
            case .waiting: break
            }
        default:
            break
        }
    }

    /// The step once the wait is over. Waiting again can only follow an exchange whose
    /// issued token names a key being fetched: that is answered 503 rather than held.
    func resolveIdentity(_ verdict: IdentityVerdict?) -> AuthenticationStep {
        awaitingIdentity = false
        guard let plan else { return .refused(Problem(.badRequest, "no route")) }
        if let verdict { return admit(verdict, plan) }
        let step = authenticate(plan, mayWait: false)
        if case .waiting = step {
            awaitingIdentity = true
            phase = .authenticating
        }
        return step
    }

    private func admit(_ verdict: IdentityVerdict, _ plan: RoutePlan) -> AuthenticationStep {
        switch verdict {
        case .refused(let problem):
            return .refused(problem)
        case .verified(let verified):
            caller = verified
            if let problem = plan.route.policy.refusal(of: verified, route: plan.route.name) {
                return .refused(problem)
            }
            return .passed
        }
    }

    /// The token after `Bearer ` (the scheme is case-insensitive, RFC 9110 §11.1).
    func bearerToken() -> UnsafeRawBufferPointer? {
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
