import CChaperone
import CMicroHTTPD
import ChaperoneClock
import ChaperoneRouting
import ChaperoneUpstream
#if canImport(Glibc)
import Glibc
#endif

extension Shard {
    /// A request line arrived: creates the request and starts its receive deadline.
    func requestStarted(target: [UInt8], connection: OpaquePointer) -> UnsafeMutableRawPointer {
        let watchEntry = chaperone_mhd_socket_context(connection).map {
            Unmanaged<ConnectionWatch.Entry>.fromOpaque($0).takeUnretainedValue()
        }
        let request = ProxyRequest(shard: self, connection: connection, watch: watchEntry,
                                   rawTarget: target, now: MonotonicClock.now())
        watchEntry?.request = request
        track(request)
        request.deadlineKind = .receive
        request.deadline = request.startedAt + configuration.limits.requestTimeout.nanoseconds
        timers.schedule(request)
        return Unmanaged.passRetained(request).toOpaque()
    }
}

extension ProxyRequest {
    /// One access-handler call; `upload` is nil or empty except for body pieces.
    func handle(method: UnsafePointer<CChar>?, upload: UnsafeRawBufferPointer?) -> MHD_Result {
        switch phase {
        case .receiving:
            if self.method.isEmpty { return begin(method: method) }
            if let upload, upload.count > 0 { return receiveBody(upload) }
            return bodyComplete()
        case .responseReady:
            return queuePendingResponse()
        case .authenticating, .approving, .minting, .recording, .forwarding, .responding,
             .closed:
            return MHD_Result.NO
        }
    }

    /// The headers are in: route, check and prepare the upstream request.
    private func begin(method: UnsafePointer<CChar>?) -> MHD_Result {
        self.method = method.map { String(cString: $0) } ?? "GET"
        isHead = self.method == "HEAD"
        requestID = agentRequestID() ?? shard.requestIDs.next()
        let limits = shard.configuration.limits
        var declaredLength: Int?
        var lengthIsNumber = true
        if let length = headerValue("Content-Length") {
            declaredLength = Int(String(decoding: length, as: UTF8.self))
            lengthIsNumber = declaredLength.map { $0 >= 0 } ?? false
            hasBody = true
        }
        if headerValue("Transfer-Encoding") != nil { hasBody = true }

        if shard.draining {
            return refuse(Problem(.unavailable, "Chaperone is shutting down; retry shortly",
                                  retryAfter: 1))
        }
        let target: RequestTarget
        do {
            target = try rawTarget.withUnsafeBufferPointer { (bytes) throws(PathError) in
                try PathNormalizer.normalize(target: bytes)
            }
        } catch {
            return refuse(Problem(.badRequest, error.reason))
        }
        routed = true
        if let id = ApprovalID.id(in: target.path) {
            switch beginApprovalPoll(id, target: target) {
            case .refused(let problem): return refuse(problem)
            case .started(let plan):
                switch authenticate(plan, mayWait: true) {
                case .passed: break
                case .refused(let problem): return refuse(problem)
                case .waiting: awaitingIdentity = true
                }
                return MHD_Result.YES
            }
        }
        let routes = shard.configuration.routes
        guard let match = routes.match(method: HTTPMethod(token: self.method),
                                       host: routes.hasHostRoutes ? host() : nil,
                                       path: target.path)
        else {
            return refuse(Problem(.noRoute, "no route matches \(self.method) "
                + String(target.path.joined().prefix(200))))
        }
        plan = match.value
        parameters = match.parameters
        self.target = target
        let route = match.value.route
        if target.path.shallowestDepth < route.template.literalPrefixCount {
            return refuse(Problem(.badRequest, PathError.climbsAboveRoutePrefix.reason))
        }
        switch authenticate(match.value, mayWait: true) {
        case .passed: break
        case .refused(let problem): return refuse(problem)
        case .waiting: awaitingIdentity = true
        }
        if !lengthIsNumber {
            return refuse(Problem(.badRequest, "Content-Length is not a number"))
        }
        if let declaredLength {
            if declaredLength > limits.bodyBytes {
                return refuse(Problem(.bodyTooLarge, "the body is \(declaredLength) bytes; "
                    + "this proxy accepts at most \(limits.bodyBytes)"))
            }
            body.reserve(declaredLength)
        }

        prepareTransfer(caFile: route.caFile)
        if headerBytes > limits.headerBytes {
            return refuse(Problem(.headersTooLarge, "the request headers are \(headerBytes) "
                + "bytes; this proxy accepts at most \(limits.headerBytes)"))
        }
        return MHD_Result.YES
    }

    /// Answers with a problem. A request without a body is answered once it is complete,
    /// so the connection stays open; one with a body is answered at once and libmicrohttpd
    /// closes the connection rather than read a body nobody wants.
    private func refuse(_ problem: Problem) -> MHD_Result {
        guard hasBody else {
            refusal = problem
            return MHD_Result.YES
        }
        return respond(problem)
    }

    private func receiveBody(_ piece: UnsafeRawBufferPointer) -> MHD_Result {
        bodyReceived += piece.count
        let limit = shard.configuration.limits.bodyBytes
        if bodyReceived > limit {
            // A chunked body has no length up front: read and drop the rest, then answer
            // 413, unless the client keeps sending far past the limit.
            if !bodyTooLarge { body = ByteBuffer() }
            bodyTooLarge = true
            return bodyReceived > 2 * limit + (1 << 20) ? MHD_Result.NO : MHD_Result.YES
        }
        body.append(piece)
        return MHD_Result.YES
    }

    /// The whole request is in: send it upstream and wait, suspended, for the answer.
    private func bodyComplete() -> MHD_Result {
        shard.timers.remove(self)
        if let refusal { return respond(refusal) }
        let limits = shard.configuration.limits
        if bodyTooLarge {
            return respond(Problem(.bodyTooLarge, "the body is over \(limits.bodyBytes) bytes, "
                + "the most this proxy accepts"))
        }
        if awaitingIdentity {
            guard identityArrived else {
                phase = .authenticating
                suspend()
                return MHD_Result.YES
            }
            switch resolveIdentity(deferredVerdict) {
            case .passed: break
            case .refused(let problem): return respond(problem)
            case .waiting:
                suspend()
                return MHD_Result.YES
            }
        }
        guard transfer != nil || approvalPollID != nil else { return MHD_Result.NO }
        proceedAfterAdmission()
        // Answered without waiting (a refusal, or an interrupt-mode 202): queue it now,
        // unless it waits for its audit record.
        if phase == .responseReady && !awaitingAudit { return queuePendingResponse() }
        suspend()
        return MHD_Result.YES
    }

    /// Sends the complete request upstream, once its `sending` record is committed when the
    /// audit log is strict; the connection stays suspended until the answer comes.
    func forward() {
        switch recordSending() {
        case .queued: phase = .recording
        case .notNeeded: sendUpstream()
        case .refused(let problem): answerLater(problem)
        }
    }

    func sendUpstream() {
        guard let plan, let transfer else { return }
        let url = upstreamURL()
        upstreamStartedAt = MonotonicClock.now()
        lastUpstreamActivity = upstreamStartedAt
        shard.upstream.start(transfer, url: url, method: method,
                             body: hasBody ? body.readable : nil,
                             connectTimeout: plan.connectTimeoutMilliseconds)
        deadlineKind = .upstream
        deadline = upstreamStartedAt + plan.timeoutNanoseconds
        shard.timers.schedule(self)
        phase = .forwarding
    }

    /// Where the request goes: the route's upstream, the path after `strip_prefix`, the
    /// query as sent.
    func upstreamURL() -> String {
        guard let plan, let target else { return "" }
        var url = plan.urlPrefix
        url += target.path.joined(dropping: plan.route.strippedSegments)
        if let query = target.query {
            url += "?"
            url += query
        }
        return url
    }

    // MARK: - Headers

    /// A pooled upstream transfer for this request, with the agent's headers the route
    /// lets through and the proxy's own.
    func prepareTransfer(caFile: String?) {
        let transfer = shard.upstream.makeTransfer(caFile: caFile)
        transfer.delegate = self
        self.transfer = transfer
        collectHeaders(into: transfer)
    }

    /// Copies the agent's headers the route lets through, then adds the proxy's own.
    private func collectHeaders(into transfer: UpstreamTransfer) {
        headerBytes = method.utf8.count + rawTarget.count + 12
        nominated = connectionNominatedHeaders()
        MHD_get_connection_values_n(connection, .HEADER_KIND, headerVisitor,
                                    Unmanaged.passUnretained(self).toOpaque())
        transfer.addHeader("X-Request-Id", requestID)
        if let credential = plan?.route.credential {
            transfer.addHeader(credential.header, credential.value.reveal())
            credentialFingerprint = plan?.staticFingerprint
        }
        // libcurl adds these on its own unless told not to; the upstream should see only
        // what the agent sent.
        if !sawAccept { transfer.addHeader("Accept", nil) }
        if hasBody {
            transfer.addHeader("Expect", nil)
            if !sawContentType { transfer.addHeader("Content-Type", nil) }
        }
    }

    func visitHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        headerBytes += name.count + value.count + 4
        guard let plan, let transfer else { return }
        if plan.headerFilter.strips(name) { return }
        for hopByHop in nominated where HeaderFilter.equalsIgnoringCase(name, hopByHop) {
            return
        }
        if HeaderFilter.equalsIgnoringCase(name, Self.accept) { sawAccept = true }
        if HeaderFilter.equalsIgnoringCase(name, Self.contentType) { sawContentType = true }
        transfer.addHeader(name: name, value: value)
    }

    private static let accept = Array("accept".utf8)
    private static let contentType = Array("content-type".utf8)

    /// Headers the agent named in `Connection` are hop-by-hop too (RFC 9110 §7.6.1).
    private func connectionNominatedHeaders() -> [[UInt8]] {
        guard let value = headerValue("Connection") else { return [] }
        return String(decoding: value, as: UTF8.self).split(separator: ",").compactMap {
            let token = $0.trimmingCharacters(" \t").lowercased()
            return token.isEmpty || token == "keep-alive" || token == "close"
                ? nil : Array(token.utf8)
        }
    }

    func headerValue(_ name: StaticString) -> UnsafeRawBufferPointer? {
        var value: UnsafePointer<CChar>?
        var length = 0
        let found = name.withUTF8Buffer { key in
            key.withMemoryRebound(to: CChar.self) {
                MHD_lookup_connection_value_n(connection, .HEADER_KIND, $0.baseAddress,
                                              $0.count, &value, &length)
            }
        }
        guard found == MHD_Result.YES, let value else { return nil }
        return UnsafeRawBufferPointer(start: value, count: length)
    }

    /// The request's host, lower-case and without port, for routes that name a host.
    private func host() -> String? {
        guard let raw = headerValue("Host") else { return nil }
        var host = String(decoding: raw, as: UTF8.self).lowercased()
        if host.hasPrefix("[") {
            if let end = host.firstIndex(of: "]") { host = String(host[...end]) }
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        return host
    }

    private func agentRequestID() -> String? {
        guard let value = headerValue("X-Request-Id"),
              RequestIDGenerator.isWellFormed(value)
        else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(_ set: String) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result.removeFirst() }
        while let last = result.last, set.contains(last) { result.removeLast() }
        return result
    }
}
