import CChaperone
import CMicroHTTPD
import ChaperoneAudit
import ChaperoneClock
import ChaperoneConfig
import ChaperoneIdentity
import ChaperoneUpstream
#if canImport(Glibc)
import Glibc
#endif

/// One event loop: a libmicrohttpd daemon on the shared proxy socket and a
/// libcurl multi handle, driven from one thread by one epoll set.
///
/// The epoll set holds libmicrohttpd's own epoll descriptor, the upstream sockets libcurl
/// asks for, every client socket (for hang-ups only) and the inbox's eventfd. Each event's
/// tag says which, in its two low bits.
///
/// A shard is built on the starting thread and from then on touched only by its own loop
/// thread; other threads reach it through `inbox` alone.
final class Shard {
    private enum Tag {
        static let connection: UInt64 = 0
        static let daemon: UInt64 = 2
        static let inbox: UInt64 = 3
    }

    let index: Int
    /// Set once by `attach`, right after the daemon starts (it needs the shard as context).
    private(set) var daemon: OpaquePointer!
    private let epoll: Int32
    let upstream: UpstreamClient
    let inbox = ShardInbox()
    let watch: ConnectionWatch
    var configuration: RuntimeConfiguration {
        didSet { replaceAuthenticatorIfNeeded() }
    }
    /// Verifies tokens with the configuration's key set; nil without identity.
    private(set) var authenticator: Authenticator?
    var timers = TimerHeap()
    var requestIDs = RequestIDGenerator()
    var log = RequestLog()

    /// Requests with news from the upstream, handled after libcurl's callbacks return.
    var ready: [ProxyRequest] = []
    /// Requests whose paused transfer may go on, handled after libmicrohttpd's callbacks.
    var unpause: [ProxyRequest] = []
    /// Requests whose token names a key being fetched.
    var keyWaiters: [ProxyRequest] = []
    /// Requests waiting for the exchange of their subject token, by its digest.
    var exchangeWaiters: [VerifiedTokenCache.Digest: [ProxyRequest]] = [:]
    /// Requests waiting for a credential from the vault.
    var credentialWaiters: [MintKey: [ProxyRequest]] = [:]
    let metrics: Metrics
    /// The audit log every loop writes to; nil only in tests that run without one.
    let audit: AuditLog?
    /// Requests whose answer waits for its audit record, by ticket.
    var auditWaiters: [UInt64: ProxyRequest] = [:]
    private var auditTickets: UInt64 = 0
    /// Approvals under way in every loop (shared), and those this loop polls for.
    let approvalRegistry: ApprovalRegistry
    var approvalWaits: [String: ApprovalWait] = [:]
    /// Calls to the approval authority, a few at a time.
    private(set) lazy var authority = AuthorityQueue(client: upstream)
    /// Credentials this loop used, so a hot one costs no lock shared with other loops.
    var credentials = CredentialCache(capacity: 10_000)
    /// Requests between their request line and their completion; each knows its slot.
    private(set) var live: [ProxyRequest] = []

    /// Monotonic nanoseconds, read once per pass of the loop.
    private(set) var now = MonotonicClock.now()
    private(set) var draining = false
    /// Set when a connection was resumed: the daemon must run before the loop sleeps.
    var daemonNeedsRun = false
    private var drainDeadline: UInt64 = .max
    private var stopped = false
    private var events = [epoll_event](repeating: epoll_event(), count: 256)

    init(index: Int, configuration: RuntimeConfiguration, approvals: ApprovalRegistry,
         metrics: Metrics, audit: AuditLog?)
    {
        self.index = index
        self.audit = audit
        approvalRegistry = approvals
        self.metrics = metrics
        self.configuration = configuration
        authenticator = configuration.identity.map { Authenticator(identity: $0) }
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed")
        upstream = UpstreamClient(epoll: epoll, maxConnections: 256)
        watch = ConnectionWatch(epoll: epoll)
        register(inbox.eventFD, tag: Tag.inbox)
    }

    deinit { close(epoll) }

    func attach(_ daemon: OpaquePointer) {
        self.daemon = daemon
        register(chaperone_mhd_epoll_fd(daemon), tag: Tag.daemon)
    }

    /// Runs until drained; then closes the daemon.
    func run() {
        while !stopped {
            runPass()
        }
        shutDown()
    }

    private func runPass() {
        let count = events.withUnsafeMutableBufferPointer {
            epoll_wait(epoll, $0.baseAddress, Int32($0.count), pollTimeout())
        }
        now = MonotonicClock.now()
        var daemonReady = false
        for event in events.prefix(max(0, Int(count))) {
            let tag = event.data.u64
            switch tag & UpstreamClient.tagMask {
            case UpstreamClient.tag: upstream.socketReady(tag: tag, events: event.events)
            case Tag.daemon: daemonReady = true
            case Tag.inbox: for command in inbox.take() { apply(command) }
            default: ConnectionWatch.entry(tag: tag).request?.clientHungUp()
            }
        }
        upstream.runTimers(now: now)
        upstream.reapFinished()
        let due = timers.expired(at: now)
        if let first = due.first, now > first.deadline {
            metrics.loopLag.raise(index, to: now - first.deadline)
        }
        for owner in due {
            if let request = owner as? ProxyRequest {
                request.deadlinePassed()
            } else {
                (owner as? ApprovalWait)?.timerFired(now: now)
            }
        }

        // Requests the daemon hands over go upstream at once; a fast upstream often answers
        // within the same pass, and a second round sends that answer without another wait.
        for _ in 0..<2 {
            processReady()
            guard daemonReady || daemonNeedsRun || daemonIsDue() else { break }
            daemonReady = false
            daemonNeedsRun = false
            MHD_run(daemon)
            upstream.runTimers(now: MonotonicClock.now())
            upstream.reapFinished()
            if ready.isEmpty { break }
        }
        processUnpause()
        log.flush()

        if draining && (live.isEmpty || now >= drainDeadline) { stopped = true }
    }

    /// Milliseconds the loop may sleep: until the first timer of libmicrohttpd, libcurl or
    /// the requests, and not at all while work is queued.
    private func pollTimeout() -> Int32 {
        if !ready.isEmpty || !unpause.isEmpty || daemonNeedsRun { return 0 }
        var timeout: UInt64 = 1_000
        var daemonTimeout: UInt64 = 0
        if MHD_get_timeout(daemon, &daemonTimeout) == MHD_Result.YES {
            timeout = min(timeout, daemonTimeout)
        }
        let current = MonotonicClock.now()
        for deadline in [timers.nextDeadline, upstream.timerDeadline].compactMap({ $0 }) {
            timeout = min(timeout, deadline > current ? (deadline - current + 999_999) / 1_000_000 : 0)
        }
        return Int32(timeout)
    }

    private func daemonIsDue() -> Bool {
        var timeout: UInt64 = 0
        return MHD_get_timeout(daemon, &timeout) == MHD_Result.YES && timeout == 0
    }

    private func register(_ fd: Int32, tag: UInt64) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = tag
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    private func apply(_ command: ShardCommand) {
        switch command {
        case .reload(let configuration):
            self.configuration = configuration
            // Connections may have changed; the minter's shared cache refills this one.
            credentials.removeAll()
        case .drain(let deadline):
            guard !draining else { return }
            draining = true
            drainDeadline = deadline
            let listener = MHD_quiesce_daemon(daemon)
            if listener >= 0 { close(listener) }
            // Nobody can approve for a process that is going away: held requests are
            // answered now rather than at the drain deadline.
            for wait in Array(approvalWaits.values) { wait.shutDown() }
        case .keysFetched:
            let waiting = keyWaiters
            keyWaiters.removeAll()
            for request in waiting { request.identityWaitEnded(nil) }
        case .exchangeFinished(let digest, let outcome):
            guard let waiting = exchangeWaiters.removeValue(forKey: digest) else { return }
            let verdict = authenticator?.exchanged(outcome, for: digest, now: now)
                ?? .refused(Problem(.unavailable, "token verification is not running",
                                    retryAfter: 5))
            for request in waiting { request.identityWaitEnded(verdict) }
        case .credentialMinted(let key, let outcome):
            guard let waiting = credentialWaiters.removeValue(forKey: key) else { return }
            if case .minted(let credential) = outcome {
                credentials.insert(credential, for: key, now: Int64(time(nil)))
            }
            for request in waiting { request.credentialMinted(outcome) }
        case .auditCommitted(let ticket, let written):
            auditWaiters.removeValue(forKey: ticket)?.auditCommitted(written: written)
        }
    }

    /// A reload keeps the verified-token cache unless the identity settings changed.
    private func replaceAuthenticatorIfNeeded() {
        guard authenticator?.identity !== configuration.identity else { return }
        authenticator = configuration.identity.map { Authenticator(identity: $0) }
    }

    /// Acts on requests whose upstream said something this pass.
    private func processReady() {
        guard !ready.isEmpty else { return }
        let batch = ready
        ready.removeAll(keepingCapacity: true)
        for request in batch {
            request.isQueuedReady = false
            request.upstreamProgressed()
        }
    }

    private func processUnpause() {
        guard !unpause.isEmpty else { return }
        let batch = unpause
        unpause.removeAll(keepingCapacity: true)
        for request in batch {
            request.unpauseQueued = false
            request.lastUpstreamActivity = now
            request.transfer?.resume()
        }
    }

    /// Ends what is still open (only after the drain deadline) and stops the daemon.
    private func shutDown() {
        for request in live { request.abandon() }
        for _ in 0..<3 where !live.isEmpty {
            MHD_run(daemon)
        }
        MHD_stop_daemon(daemon)
        log.flush()
    }
}

extension Shard {
    func nextAuditTicket() -> UInt64 {
        auditTickets += 1
        return auditTickets
    }

    /// Adds a request to `live` in constant time.
    func track(_ request: ProxyRequest) {
        request.liveSlot = live.count
        live.append(request)
    }

    /// Removes a request from `live` in constant time, moving the last one into its slot.
    func untrack(_ request: ProxyRequest) {
        let slot = request.liveSlot
        guard slot >= 0, slot < live.count, live[slot] === request else { return }
        let last = live.removeLast()
        if last !== request {
            live[slot] = last
            last.liveSlot = slot
        }
        request.liveSlot = -1
    }
}
