import ChaperoneIdentity

/// How an approval ended.
enum ApprovalOutcome: Sendable, Equatable {
    case approved
    /// The user said no.
    case denied
    /// Nobody answered in time, or the authority dropped the request.
    case expired(String)
    /// The authority could not be asked, or answered something unusable.
    case unavailable(String)
    /// The authority refused to ask this user.
    case refused(String)
}

/// One poll's answer from the token endpoint, read for CIBA (OpenID CIBA Core §11).
enum PollAnswer: Sendable, Equatable {
    case issued
    case pending
    case slowDown
    case denied
    case expired(String)
    case failed(String)

    init(_ answer: TokenResponse.Answer) {
        switch answer {
        case .issued: self = .issued
        case .error("authorization_pending", _): self = .pending
        case .error("slow_down", _): self = .slowDown
        case .error("access_denied", _): self = .denied
        case .error("expired_token", _):
            self = .expired("the authority says the approval request expired")
        case .error("invalid_grant", let status):
            // The authority no longer knows the request: Glewlwyd, for one, drops a
            // client's pending request for a user when the client asks that user again.
            self = .expired("the token endpoint answered \(status) (invalid_grant): the "
                + "authority no longer knows the approval request")
        case .error(let code, let status):
            self = .failed("the token endpoint answered \(status) (\(code))")
        case .malformed(let reason, _):
            self = .failed(reason)
        }
    }
}

/// The polling of one CIBA request in poll mode, over time passed in (monotonic
/// nanoseconds), so it is tested without sleeping. It says when to poll next and when it is
/// over; the caller sends and reads.
///
/// The wait ends at the earlier of the route's time-out (counted from the backchannel
/// request) and the authority's `expires_in`. Polls are `interval` apart (5 seconds when the
/// authority does not say, as CIBA Core §7.3 asks), and every `slow_down` adds 5 seconds.
struct ApprovalPoller {
    enum Step: Sendable, Equatable {
        /// Poll the token endpoint at this time.
        case poll(at: UInt64)
        case finish(ApprovalOutcome)
    }

    static let defaultInterval: UInt64 = 5_000_000_000
    static let slowDownIncrement: UInt64 = 5_000_000_000

    let startedAt: UInt64
    private(set) var deadline: UInt64
    private(set) var interval = ApprovalPoller.defaultInterval

    /// `timeout` in nanoseconds, from the backchannel request at `startedAt`.
    init(startedAt: UInt64, timeout: UInt64) {
        self.startedAt = startedAt
        deadline = startedAt + timeout
    }

    /// The backchannel endpoint answered.
    mutating func started(_ answer: BackchannelResponse.Answer, now: UInt64) -> Step {
        switch answer {
        case .accepted(_, let expiresIn, let seconds):
            deadline = min(deadline, startedAt + UInt64(expiresIn) * 1_000_000_000)
            if let seconds, seconds > 0 { interval = UInt64(min(seconds, 3_600)) * 1_000_000_000 }
            return next(after: now)
        case .error("access_denied", _):
            return .finish(.denied)
        case .error(let code, let status) where code == "unknown_user_id":
            return .finish(.refused("the backchannel endpoint answered \(status) (\(code)): "
                + "the authority does not know the user"))
        case .error(let code, 400):
            // Glewlwyd and Keycloak answer an unknown user with invalid_request: asking again
            // would not help, so it is not reported as a passing outage.
            return .finish(.refused("the backchannel endpoint answered 400 (\(code)): the "
                + "authority would not ask this user (unknown to it, or a login_hint it does "
                + "not read)"))
        case .error(let code, let status):
            return .finish(.unavailable("the backchannel endpoint answered \(status) (\(code))"))
        case .malformed(let reason, _):
            return .finish(.unavailable(reason))
        }
    }

    /// The token endpoint answered a poll.
    mutating func polled(_ answer: PollAnswer, now: UInt64) -> Step {
        switch answer {
        case .issued: return .finish(.approved)
        case .pending: return next(after: now)
        case .slowDown:
            interval += Self.slowDownIncrement
            return next(after: now)
        case .denied: return .finish(.denied)
        case .expired(let reason): return .finish(.expired(reason))
        case .failed(let reason): return .finish(.unavailable(reason))
        }
    }

    /// The time set by the last step came: poll now, or give up if the wait is over.
    func due(now: UInt64) -> Step {
        now >= deadline ? .finish(.expired(expiryReason)) : .poll(at: now)
    }

    var expiryReason: String {
        "the user did not answer within \(Self.seconds(deadline - startedAt)) s"
    }

    private func next(after now: UInt64) -> Step {
        guard now < deadline else { return .finish(.expired(expiryReason)) }
        return .poll(at: min(now + interval, deadline))
    }

    private static func seconds(_ nanoseconds: UInt64) -> UInt64 {
        (nanoseconds + 500_000_000) / 1_000_000_000
    }
}
