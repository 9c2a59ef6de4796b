import CMicroHTTPD
import ChaperoneAudit
import ChaperoneClock
import ChaperoneIdentity
import ChaperoneRouting
import ChaperoneUpstream

/// One request from its request line to the last byte of its response.
///
/// Owned by the shard whose libmicrohttpd daemon accepted it and touched only on that
/// shard's thread. libmicrohttpd holds a retained reference as the request's context from
/// the request line until its completion callback.
final class ProxyRequest: TimerOwner {
    enum Phase {
        /// Reading headers and body from the agent.
        case receiving
        /// Complete, suspended until a key fetch or token exchange ends.
        case authenticating
        /// Admitted, held until the user approves (block mode).
        case approving
        /// Admitted, suspended until the vault's credential is minted.
        case minting
        /// Ready to send, suspended until its `sending` audit record is committed
        /// (`durability: strict`).
        case recording
        /// Sent upstream; the connection is suspended until the response head arrives.
        case forwarding
        /// A response is built; the next access-handler call queues it.
        case responseReady
        /// The response is queued; its body may still be streaming.
        case responding
        /// libmicrohttpd has finished with the request.
        case closed
    }

    /// What the timer is counting down to.
    enum Deadline {
        /// The whole request must arrive by then (`limits.request_timeout`).
        case receive
        /// The upstream must answer, or say more, by then (the route's `timeout`).
        case upstream
        /// The vault's credential must be minted by then (the route's `timeout`).
        case credential
    }

    unowned let shard: Shard
    let connection: OpaquePointer
    let watch: ConnectionWatch.Entry?
    let startedAt: UInt64
    let rawTarget: [UInt8]
    var phase = Phase.receiving
    var method = ""
    var requestID = ""
    var plan: RoutePlan?
    var target: RequestTarget?
    /// Values of the route template's `{name}` segments, in template order.
    var parameters: [String] = []
    var isHead = false
    /// A problem found with the headers, answered once the (bodiless) request is complete.
    var refusal: Problem?

    // The caller, once its token is verified.
    var caller: VerifiedToken?
    /// A key fetch or token exchange is under way; the verdict waits for it.
    var awaitingIdentity = false
    /// It ended while the body was still arriving, with this verdict (nil: look again).
    var identityArrived = false
    var deferredVerdict: IdentityVerdict?

    // Approval.
    /// The approval this request is held for (block mode).
    var approvalWait: ApprovalWait?
    /// The approval this request started or collected, for the log.
    var approvalID: String?
    /// Set for a poll of `/_chaperone/approvals/ID`.
    var approvalPollID: String?
    var approved = false
    var approvalStartedAt: UInt64 = 0
    var approvalEndedAt: UInt64 = 0

    // Audit.
    /// The request reached route matching, so it gets a record.
    var routed = false
    var recorded = false
    /// The `sending` record, written once before the first upstream call under strict
    /// durability, is queued.
    var recordedSending = false
    /// The answer, or under strict durability the upstream call, waits for a record's
    /// commit.
    var awaitingAudit = false
    /// The credential sent upstream, named without being kept.
    var credentialFingerprint: CredentialFingerprint?
    var credentialConnection: String?

    // The credential minted from the vault, kept to drop it if the upstream refuses it.
    var credential: MintedCredential?
    var mintKey: MintKey?
    /// A GET or HEAD is sent again once with a fresh credential after a 401.
    var retriedCredential = false

    // Request body.
    var body = ByteBuffer()
    var hasBody = false
    var bodyReceived = 0
    var bodyTooLarge = false

    // Request headers, while they are read.
    var headerBytes = 0
    var nominated: [[UInt8]] = []
    var sawAccept = false
    var sawContentType = false

    // Upstream.
    var transfer: UpstreamTransfer?
    var head: UpstreamResponseHead?
    var responseBody = ByteBuffer()
    var upstreamFinished = false
    var upstreamFailure: UpstreamFailure?
    var upstreamStartedAt: UInt64 = 0
    var upstreamHeadAt: UInt64 = 0
    var lastUpstreamActivity: UInt64 = 0

    // The libmicrohttpd side.
    var isSuspended = false
    var suspendedInReader = false
    var pendingResponse: (response: OpaquePointer, status: UInt32)?
    var clientGone = false
    var isQueuedReady = false
    var unpauseQueued = false

    /// Index in the shard's `live` list, -1 once completed.
    var liveSlot = -1

    // Timer.
    var deadline: UInt64 = 0
    var timerSlot = -1
    var deadlineKind = Deadline.receive

    // For the log line.
    var status: UInt32 = 0
    var problem: ProblemType?
    var outcome: String?
    var bytesOut = 0

    init(shard: Shard, connection: OpaquePointer, watch: ConnectionWatch.Entry?,
         rawTarget: [UInt8], now: UInt64)
    {
        self.shard = shard
        self.connection = connection
        self.watch = watch
        self.rawTarget = rawTarget
        self.startedAt = now
    }

    deinit {
        if let pending = pendingResponse { MHD_destroy_response(pending.response) }
    }

    /// Puts the request on the shard's list of requests to act on after this pass.
    func markReady() {
        guard !isQueuedReady else { return }
        isQueuedReady = true
        shard.ready.append(self)
    }

    func suspend() {
        guard !isSuspended else { return }
        isSuspended = true
        MHD_suspend_connection(connection)
    }

    /// Resumes the connection; the shard runs the daemon before it next sleeps, as
    /// libmicrohttpd does not wake its own loop for a resumed connection.
    func resume() {
        guard isSuspended else { return }
        isSuspended = false
        suspendedInReader = false
        MHD_resume_connection(connection)
        shard.daemonNeedsRun = true
    }
}

/// Body bytes are buffered up to this much before the upstream transfer is paused.
let responseHighWater = 256 << 10
/// A paused transfer resumes once the buffer drains below this.
let responseLowWater = 64 << 10

extension ProxyRequest: UpstreamTransferDelegate {
    func upstreamDidReceiveHead(_ head: UpstreamResponseHead) {
        self.head = head
        upstreamHeadAt = MonotonicClock.now()
        lastUpstreamActivity = upstreamHeadAt
        if phase == .forwarding { markReady() }
    }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard responseBody.count < responseHighWater else { return false }
        responseBody.append(bytes)
        lastUpstreamActivity = shard.now
        if suspendedInReader { markReady() }
        return true
    }

    func upstreamDidFinish(_ failure: UpstreamFailure?) {
        upstreamFinished = true
        upstreamFailure = failure
        transfer = nil
        shard.timers.remove(self)
        if phase == .forwarding || suspendedInReader { markReady() }
    }
}
