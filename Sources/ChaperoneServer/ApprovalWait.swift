import ChaperoneIdentity
import ChaperoneVault

/// One approval under way on a loop: the backchannel request, then polls of the token
/// endpoint on the loop's timers until the user answers or time runs out. A block-mode
/// approval reports to its held request; an interrupt-mode one records its outcome in the
/// registry for the agent's poll, then stays (without polling) until the entry's time is up.
///
/// Confined to its shard's loop.
final class ApprovalWait: TimerOwner {
    unowned let shard: Shard
    let id: String
    private let runtime: ApprovalRuntime
    private var poller: ApprovalPoller
    private var call: AuthorityCall?
    private var authReqID: String?
    /// The held request, in block mode.
    private(set) var request: ProxyRequest?
    private var ended = false

    var deadline: UInt64 = 0
    var timerSlot = -1

    /// An authority that does not answer a call within this long is taken to be down.
    static let callTimeout: UInt64 = 10_000_000_000
    /// How long an ended interrupt-mode approval waits for the agent to collect its outcome.
    static let linger: UInt64 = 60_000_000_000

    private let metrics: RouteMetrics

    init(shard: Shard, id: String, runtime: ApprovalRuntime, timeout: UInt64,
         metrics: RouteMetrics, request: ProxyRequest?)
    {
        self.shard = shard
        self.metrics = metrics
        self.id = id
        self.runtime = runtime
        self.request = request
        poller = ApprovalPoller(startedAt: shard.now, timeout: timeout)
    }

    /// Sends the backchannel request. `form` is wiped here once the call holds its copy.
    func start(form: inout [UInt8]) {
        shard.approvalWaits[id] = self
        send(runtime.backchannelURL, form: form) { wait, result in wait.backchannelEnded(result) }
        form.wipe()
    }

    /// The held request went away (the client hung up), or the loop is shutting down: stop
    /// asking, and forget the approval.
    func cancel() {
        request = nil
        finish()
        shard.approvalRegistry.remove(id)
    }

    /// SIGTERM: a held request is answered 503; an interrupt-mode approval is forgotten.
    func shutDown() {
        guard request != nil, !ended else { return cancel() }
        conclude(.unavailable("Chaperone is shutting down"), token: nil)
    }

    func timerFired(now: UInt64) {
        if ended {
            // An interrupt-mode outcome nobody collected.
            shard.approvalWaits[id] = nil
            shard.approvalRegistry.remove(id)
            return
        }
        if call != nil {
            call?.cancel()
            call = nil
            conclude(now >= poller.deadline ? .expired(poller.expiryReason)
                : .unavailable("the approval authority did not answer within 10 s"), token: nil)
            return
        }
        apply(poller.due(now: now))
    }

    private func backchannelEnded(_ result: AuthorityCall.Result) {
        switch result {
        case .failed(let reason):
            conclude(.unavailable("the backchannel endpoint cannot be reached: \(reason)"),
                     token: nil)
        case .answered(let status, let body):
            let answer = BackchannelResponse.read(status: status, body: body)
            if case .accepted(let id, _, _) = answer { authReqID = id }
            apply(poller.started(answer, now: shard.now))
        }
    }

    private func pollEnded(_ result: AuthorityCall.Result) {
        switch result {
        case .failed(let reason):
            conclude(.unavailable("the token endpoint cannot be reached: \(reason)"), token: nil)
        case .answered(let status, var body):
            let answer = TokenResponse.read(status: status, body: body)
            body.wipe()
            let step = poller.polled(PollAnswer(answer), now: shard.now)
            var token: SecretBytes?
            // Consumed, so the token's bytes have one owner left and are wiped in place.
            if case .issued(var issued) = consume answer {
                token = SecretBytes(copying: issued.accessToken)
                issued.wipe()
            }
            if case .finish(let outcome) = step {
                conclude(outcome, token: token)
            } else {
                apply(step)
            }
        }
    }

    private func apply(_ step: ApprovalPoller.Step) {
        switch step {
        case .poll(let at) where at > shard.now:
            schedule(at)
        case .poll:
            guard let authReqID else { return conclude(.unavailable("no auth_req_id"), token: nil) }
            var form = runtime.pollForm(authReqID: authReqID)
            send(runtime.tokenURL, form: form) { wait, result in wait.pollEnded(result) }
            form.wipe()
        case .finish(let outcome):
            conclude(outcome, token: nil)
        }
    }

    private func send(_ url: String, form: [UInt8],
                      then: @escaping (ApprovalWait, AuthorityCall.Result) -> Void)
    {
        call = AuthorityCall(
            queue: shard.authority, url: url, form: form, headers: runtime.headers,
            caFile: runtime.settings.caFile
        ) { [unowned self] result in
            call = nil
            then(self, result)
        }
        schedule(min(shard.now + Self.callTimeout, max(poller.deadline, shard.now + 1)))
    }

    private func schedule(_ at: UInt64) {
        deadline = at
        shard.timers.schedule(self)
    }

    private func conclude(_ outcome: ApprovalOutcome, token: SecretBytes?) {
        guard !ended else { return }
        metrics.count(outcome)
        if let request {
            finish()
            shard.approvalRegistry.remove(id)
            request.approvalEnded(outcome, token: token)
        } else {
            finish()
            let state: ApprovalRegistry.State = outcome == .approved ? .approved(token)
                : .ended(outcome)
            shard.approvalRegistry.settle(id, state)
            // Kept until the agent collects it or its time is up.
            shard.approvalWaits[id] = self
            schedule(max(poller.deadline, shard.now) + Self.linger)
        }
    }

    private func finish() {
        ended = true
        call?.cancel()
        call = nil
        shard.timers.remove(self)
        shard.approvalWaits[id] = nil
        request = nil
    }
}
