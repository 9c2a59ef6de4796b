import ChaperoneIdentity
import Testing

@testable import ChaperoneServer

/// The CIBA polling state machine, driven by scripted answers of the backchannel and token
/// endpoints over an injected clock. Glewlwyd, the authority of the end-to-end tests, never
/// sends `slow_down`, so these cases are only covered here.
@Suite struct ApprovalPollerTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 1_000 * second

    static func accepted(expiresIn: Int64 = 120, interval: Int64? = 2)
        -> BackchannelResponse.Answer
    {
        .accepted(authReqID: "req-1", expiresIn: expiresIn, interval: interval)
    }

    static func token(_ status: Int, _ body: String) -> PollAnswer {
        PollAnswer(TokenResponse.read(status: status, body: Array(body.utf8)))
    }

    @Test func pollsAtTheIntervalUntilIssued() {
        var poller = ApprovalPoller(startedAt: Self.start, timeout: 300 * Self.second)
        var now = Self.start + Self.second / 10
        #expect(poller.started(Self.accepted(), now: now) == .poll(at: now + 2 * Self.second))
        now += 2 * Self.second
        #expect(poller.due(now: now) == .poll(at: now))
        let pending = Self.token(400, #"{"error":"authorization_pending"}"#)
        #expect(pending == .pending)
        #expect(poller.polled(pending, now: now) == .poll(at: now + 2 * Self.second))
        let issued = Self.token(200, #"{"access_token":"t","token_type":"Bearer"}"#)
        #expect(poller.polled(issued, now: now + 2 * Self.second) == .finish(.approved))
    }

    @Test func everySlowDownAddsFiveSeconds() {
        var poller = ApprovalPoller(startedAt: Self.start, timeout: 300 * Self.second)
        var now = Self.start
        _ = poller.started(Self.accepted(interval: 1), now: now)
        let slowDown = Self.token(400, #"{"error":"slow_down"}"#)
        #expect(slowDown == .slowDown)
        now += Self.second
        #expect(poller.polled(slowDown, now: now) == .poll(at: now + 6 * Self.second))
        now += 6 * Self.second
        #expect(poller.polled(slowDown, now: now) == .poll(at: now + 11 * Self.second))
        now += 11 * Self.second
        // The interval stays raised for the polls that follow.
        #expect(poller.polled(.pending, now: now) == .poll(at: now + 11 * Self.second))
    }

    @Test func withoutAnIntervalPollsEveryFiveSeconds() {
        var poller = ApprovalPoller(startedAt: Self.start, timeout: 300 * Self.second)
        #expect(poller.started(Self.accepted(interval: nil), now: Self.start)
            == .poll(at: Self.start + 5 * Self.second))
    }

    @Test func theAuthoritysExpiryEndsTheWaitBeforeTheRouteTimeout() {
        var poller = ApprovalPoller(startedAt: Self.start, timeout: 300 * Self.second)
        var now = Self.start
        _ = poller.started(Self.accepted(expiresIn: 5, interval: 2), now: now)
        now += 4 * Self.second
        // The next poll is not scheduled past the expiry.
        #expect(poller.polled(.pending, now: now) == .poll(at: Self.start + 5 * Self.second))
        guard case .finish(.expired) = poller.due(now: Self.start + 5 * Self.second) else {
            Issue.record("expected expiry at expires_in")
            return
        }
    }

    @Test func theRouteTimeoutEndsTheWaitBeforeTheAuthoritysExpiry() {
        var poller = ApprovalPoller(startedAt: Self.start, timeout: 3 * Self.second)
        _ = poller.started(Self.accepted(expiresIn: 600, interval: 2), now: Self.start)
        #expect(poller.polled(.pending, now: Self.start + 2 * Self.second)
            == .poll(at: Self.start + 3 * Self.second))
        #expect(poller.due(now: Self.start + 3 * Self.second)
            == .finish(.expired("the user did not answer within 3 s")))
        #expect(poller.polled(.pending, now: Self.start + 4 * Self.second)
            == .finish(.expired("the user did not answer within 3 s")))
    }

    @Test(arguments: [
        (400, #"{"error":"access_denied"}"#, "denied"),
        (400, #"{"error":"expired_token"}"#, "expired"),
        (400, #"{"error":"invalid_grant"}"#, "expired"),
        (401, #"{"error":"invalid_client"}"#, "unavailable"),
        (500, "<html>", "unavailable"),
        (200, #"{"token_type":"Bearer"}"#, "unavailable"),
    ])
    func pollErrorsEndTheWait(status: Int, body: String, outcome: String) {
        var poller = ApprovalPoller(startedAt: Self.start, timeout: 300 * Self.second)
        _ = poller.started(Self.accepted(), now: Self.start)
        let step = poller.polled(Self.token(status, body), now: Self.start + 2 * Self.second)
        #expect(Self.name(step) == outcome)
    }

    @Test(arguments: [
        (400, #"{"error":"access_denied"}"#, "denied"),
        (400, #"{"error":"unknown_user_id"}"#, "refused"),
        (400, #"{"error":"invalid_request"}"#, "refused"),
        (401, #"{"error":"invalid_client"}"#, "unavailable"),
        (200, #"{"expires_in":60}"#, "unavailable"),
        (200, #"{"auth_req_id":"a b","expires_in":60}"#, "unavailable"),
        (200, #"{"auth_req_id":"abc"}"#, "unavailable"),
        (503, "", "unavailable"),
    ])
    func backchannelRefusalsEndTheWait(status: Int, body: String, outcome: String) {
        var poller = ApprovalPoller(startedAt: Self.start, timeout: 300 * Self.second)
        let answer = BackchannelResponse.read(status: status, body: Array(body.utf8))
        #expect(Self.name(poller.started(answer, now: Self.start)) == outcome)
    }

    @Test func aBackchannelAnswerIsRead() {
        let body = #"{"auth_req_id":"1c266114-a1be","expires_in":120,"interval":5}"#
        #expect(BackchannelResponse.read(status: 200, body: Array(body.utf8))
            == .accepted(authReqID: "1c266114-a1be", expiresIn: 120, interval: 5))
    }

    static func name(_ step: ApprovalPoller.Step) -> String {
        switch step {
        case .poll: "poll"
        case .finish(.approved): "approved"
        case .finish(.denied): "denied"
        case .finish(.expired): "expired"
        case .finish(.unavailable): "unavailable"
        case .finish(.refused): "refused"
        }
    }
}
