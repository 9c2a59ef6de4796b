import CChaperone
import CMicroHTTPD
import ChaperoneClock
import ChaperoneUpstream
#if canImport(Glibc)
import Glibc
#endif

/// libmicrohttpd asks a streaming response for at most this much at a time; it allocates a
/// buffer of this size per response.
private let streamBlockSize = 16 << 10

extension ProxyRequest {
    /// Answers at once with a problem, from inside the access handler.
    func respond(_ problem: Problem) -> MHD_Result {
        discardTransfer()
        let response = problemResponse(problem)
        if recordDecision() {
            // Strict audit: the answer waits, suspended, for its record.
            pendingResponse = (response, problem.type.status)
            phase = .responseReady
            suspend()
            return MHD_Result.YES
        }
        let result = MHD_queue_response(connection, problem.type.status, response)
        MHD_destroy_response(response)
        phase = .responding
        return result
    }

    /// Answers with a problem from outside the access handler, while suspended: the
    /// connection resumes and the next handler call queues it.
    func answerLater(_ problem: Problem) {
        pendingResponse = (problemResponse(problem), problem.type.status)
        phase = .responseReady
        if !recordDecision() { resume() }
    }

    /// Queues the response prepared while the connection was suspended.
    func queuePendingResponse() -> MHD_Result {
        guard let pending = pendingResponse else { return MHD_Result.NO }
        pendingResponse = nil
        let result = MHD_queue_response(connection, pending.status, pending.response)
        MHD_destroy_response(pending.response)
        phase = .responding
        return result
    }

    /// The upstream answered, sent more, finished or failed: move the client side along.
    func upstreamProgressed() {
        switch phase {
        case .forwarding:
            if let head, head.status == 401, credential != nil, retryAfterRefusedCredential() {
                return
            }
            if let head {
                pendingResponse = (upstreamResponse(head), UInt32(head.status))
                status = UInt32(head.status)
            } else {
                let problem = problem(for: upstreamFailure)
                pendingResponse = (problemResponse(problem), problem.type.status)
            }
            phase = .responseReady
            if !recordDecision() { resume() }
        case .responding where suspendedInReader:
            resume()
        default:
            break
        }
    }

    /// Copies buffered body bytes for libmicrohttpd; suspends the connection while the
    /// upstream has nothing new.
    func readResponse(into buffer: UnsafeMutableRawPointer, max: Int) -> Int {
        if !responseBody.isEmpty {
            let count = responseBody.read(into: buffer, limit: max)
            bytesOut += count
            if responseBody.count < responseLowWater { scheduleUnpause() }
            return count
        }
        if upstreamFinished {
            return upstreamFailure == nil
                ? CHAPERONE_MHD_READER_END_OF_STREAM : CHAPERONE_MHD_READER_END_WITH_ERROR
        }
        if clientGone || transfer == nil { return CHAPERONE_MHD_READER_END_WITH_ERROR }
        scheduleUnpause()
        suspend()
        suspendedInReader = true
        return 0
    }

    private func scheduleUnpause() {
        guard let transfer, transfer.isPaused, !unpauseQueued else { return }
        unpauseQueued = true
        shard.unpause.append(self)
    }

    // MARK: - Building responses

    private func upstreamResponse(_ head: UpstreamResponseHead) -> OpaquePointer {
        let response: OpaquePointer
        if !isHead && upstreamFinished && upstreamFailure == nil {
            // The whole body is here: hand the buffer over, so headers and body can leave
            // in one write.
            let (pointer, count) = responseBody.detach()
            bytesOut = count
            if let pointer {
                response = MHD_create_response_from_buffer_with_free_callback(count, pointer, free)
            } else {
                response = MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)
            }
        } else {
            let size = head.contentLength ?? CHAPERONE_MHD_SIZE_UNKNOWN
            response = MHD_create_response_from_callback(
                size, streamBlockSize, responseReader,
                Unmanaged.passRetained(self).toOpaque(), responseReaderDone)
        }
        head.forEachField { name, value in _ = MHD_add_response_header(response, name, value) }
        addProxyHeaders(response)
        return response
    }

    private func problemResponse(_ problem: Problem) -> OpaquePointer {
        self.problem = problem.type
        if outcome == nil { outcome = problem.detail }
        status = problem.type.status
        var body = problem.body(requestID: requestID)
        let response = body.withUnsafeMutableBytes {
            MHD_create_response_from_buffer($0.count, $0.baseAddress, .RESPMEM_MUST_COPY)!
        }
        bytesOut = body.count
        MHD_add_response_header(response, "Content-Type", "application/problem+json")
        if let retryAfter = problem.retryAfter {
            MHD_add_response_header(response, "Retry-After", String(retryAfter))
        }
        if let challenge = problem.challenge {
            MHD_add_response_header(response, "WWW-Authenticate", challenge)
        }
        addProxyHeaders(response)
        return response
    }

    private func addProxyHeaders(_ response: OpaquePointer) {
        requestID.withCString { _ = MHD_add_response_header(response, "X-Request-Id", $0) }
        if shard.draining { MHD_add_response_header(response, "Connection", "close") }
    }

    private func problem(for failure: UpstreamFailure?) -> Problem {
        let name = plan?.route.name ?? "?"
        guard let failure else {
            return Problem(.upstreamFailed, "the upstream for route '\(name)' sent no response")
        }
        outcome = failure.message
        switch failure.kind {
        case .timedOut:
            let limit = plan.map { "\($0.route.timeout)" } ?? "its time-out"
            return Problem(.upstreamTimeout,
                           "the upstream for route '\(name)' did not answer within \(limit)")
        case .connect:
            return Problem(.upstreamFailed, "could not connect to the upstream for route '\(name)'")
        case .tls:
            return Problem(.upstreamFailed,
                           "TLS with the upstream for route '\(name)' failed (certificate or "
                               + "handshake)")
        case .broken, .cancelled:
            return Problem(.upstreamFailed,
                           "the upstream for route '\(name)' closed the connection or answered "
                               + "with something that is not HTTP")
        }
    }

    // MARK: - Time-outs, hang-ups, completion

    func deadlinePassed() {
        let now = shard.now
        switch deadlineKind {
        case .receive:
            guard phase == .receiving, let watch else { return }
            // libmicrohttpd has no call to close a connection it is reading; shutting the
            // socket down makes its next read fail and it cleans up as for any error.
            outcome = "the request did not arrive within limits.request_timeout"
            status = 408
            shutdown(watch.fd, Int32(SHUT_RDWR))
        case .credential:
            credentialTimedOut()
        case .upstream:
            guard let transfer, let plan, !upstreamFinished else { return }
            if head != nil && (transfer.isPaused
                || MonotonicClock.elapsed(from: lastUpstreamActivity, to: now) < plan.timeoutNanoseconds)
            {
                deadline = (transfer.isPaused ? now : lastUpstreamActivity)
                    + plan.timeoutNanoseconds
                shard.timers.schedule(self)
                return
            }
            discardTransfer()
            upstreamFinished = true
            upstreamFailure = UpstreamFailure(kind: .timedOut, message: "no data from the "
                + "upstream within \(plan.route.timeout)")
            if head != nil { outcome = upstreamFailure?.message }
            if phase == .forwarding || suspendedInReader { markReady() }
        }
    }

    /// The agent closed its connection while the request was held: stop the upstream call
    /// and let libmicrohttpd see the closed socket.
    func clientHungUp() {
        guard isSuspended else { return }
        // An empty answer: it fails to send to a closed socket, and libmicrohttpd then
        // closes the connection without treating it as an application error.
        giveUp(reason: "the client closed the connection") {
            (MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)!, 499)
        }
    }

    /// Cut off by shutdown after the drain deadline.
    func abandon() {
        let problem = Problem(.unavailable, "Chaperone is shutting down; retry shortly",
                              retryAfter: 1)
        giveUp(reason: "cut off at shutdown after limits.drain_timeout") {
            (problemResponse(problem), problem.type.status)
        }
    }

    /// Stops the upstream call and ends the exchange: a connection still waiting for its
    /// response gets `answer`; a streaming response ends with an error.
    private func giveUp(reason: String, answer: () -> (OpaquePointer, UInt32)) {
        clientGone = true
        discardTransfer()
        approvalWait?.cancel()
        approvalWait = nil
        awaitingAudit = false
        switch phase {
        case .authenticating, .approving, .minting, .recording, .forwarding:
            let (response, status) = answer()
            if let pending = pendingResponse { MHD_destroy_response(pending.response) }
            pendingResponse = (response, status)
            self.status = status
            phase = .responseReady
        case .receiving, .responseReady, .responding, .closed:
            break
        }
        outcome = reason
        recordDecision(mayWait: false)
        resume()
    }

    /// libmicrohttpd is done with the request: release everything and log it.
    func completed(_ code: MHD_RequestTerminationCode) {
        phase = .closed
        discardTransfer()
        approvalWait?.cancel()
        approvalWait = nil
        shard.timers.remove(self)
        shard.untrack(self)
        if watch?.request === self { watch?.request = nil }
        if code != .REQUEST_TERMINATED_COMPLETED_OK {
            if status == 0 || outcome == nil { outcome = outcome ?? Self.describe(code) }
            if status == 0 { status = 499 }
        }
        if method.isEmpty { method = "-" }
        if requestID.isEmpty { requestID = shard.requestIDs.next() }
        recordDecision(mayWait: false)
        let now = MonotonicClock.now()
        countInMetrics(now: now)
        shard.log.record(self, now: now)
    }

    private func countInMetrics(now: UInt64) {
        let route = plan?.metrics ?? shard.metrics.unrouted
        let decision: Int
        if let problem {
            decision = 3 + problem.metricIndex
        } else if answeredPending {
            decision = 1
        } else if status == 499 || status == 0 {
            decision = 2
        } else {
            decision = 0
        }
        route.count(decision: decision, status: status)
        route.duration.observe(nanoseconds: MonotonicClock.elapsed(from: startedAt, to: now))
        if upstreamStartedAt > 0, upstreamHeadAt >= upstreamStartedAt {
            route.upstream.observe(nanoseconds: upstreamHeadAt - upstreamStartedAt)
        }
    }

    /// Stops and recycles the upstream transfer, started or not.
    func discardTransfer() {
        guard let transfer else { return }
        self.transfer = nil
        shard.upstream.cancel(transfer)
    }

    private static func describe(_ code: MHD_RequestTerminationCode) -> String {
        switch code {
        case .REQUEST_TERMINATED_TIMEOUT_REACHED: "the client connection was idle too long"
        case .REQUEST_TERMINATED_CLIENT_ABORT: "the client closed the connection"
        case .REQUEST_TERMINATED_DAEMON_SHUTDOWN: "shutdown"
        case .REQUEST_TERMINATED_READ_ERROR: "the request could not be read"
        default: "the connection failed"
        }
    }
}
