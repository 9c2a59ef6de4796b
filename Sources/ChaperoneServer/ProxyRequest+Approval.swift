import CMicroHTTPD
import ChaperoneAudit
import COpenSSL
import ChaperoneClock
import ChaperoneConfig
import ChaperoneIdentity
import ChaperoneRouting
import ChaperoneUpstream
import ChaperoneVault
#if canImport(Glibc)
import Glibc
#endif

/// Step four of the request path: a route with `approval` holds the request until the user
/// approves it on their own device (OpenID CIBA, poll mode).
extension ProxyRequest {
    /// The caller is admitted: the request is held for approval, an agent collects an
    /// interrupt-mode approval, or the request goes on to its credential.
    func proceedAfterAdmission() {
        if let id = approvalPollID { return collectApproval(id) }
        if let approval = plan?.approval, !approved { return holdForApproval(approval) }
        proceedToCredential()
    }

    private func holdForApproval(_ approval: RouteApproval) {
        guard let plan, let caller, let runtime = shard.configuration.approval else {
            return answerLater(Problem(.unavailable, "approvals are not configured",
                                       retryAfter: 5))
        }
        let route = plan.route.name
        let settings = runtime.settings
        let rendered = approval.bindingMessage.render(
            characters: settings.bindingCharacters, length: settings.bindingLength,
            value: bindingValue)
        let message: String
        switch rendered {
        case .success(let text): message = text
        case .failure(let problem):
            return answerLater(Problem(.badRequest, "route '\(route)' asks the user with a "
                + "message built from the request, but \(problem)"))
        }

        let body = hasBody ? self.body.readable : UnsafeRawBufferPointer(start: nil, count: 0)
        let question = ApprovalRuntime.Question(
            scopes: approval.scopes, loginHint: runtime.loginHint(for: caller),
            bindingMessage: message, audience: approval.audience,
            requestedExpiry: Int(max(1, approval.timeout.milliseconds / 1_000)),
            authorizationDetails: runtime.authorizationDetails(
                method: method, url: upstreamURL(), route: route, body: body))
        var form = runtime.backchannelForm(question)
        let id = ApprovalID.random()
        let interrupt = approval.mode == .interrupt
        var entry = ApprovalRegistry.Entry(
            id: id, user: caller.subject, actor: caller.actors.first?.subject, route: route,
            bindingMessage: message, startedAt: Int64(time(nil)), mode: approval.mode)
        if interrupt, let target {
            entry.held = HeldRequest(plan: plan, target: target, method: method,
                                     body: hasBody ? Array(body) : nil,
                                     headerLines: transfer?.headerLines ?? [], caller: caller)
        }
        shard.approvalRegistry.insert(entry)
        approvalID = id
        approvalStartedAt = shard.now
        let wait = ApprovalWait(shard: shard, id: id, runtime: runtime,
                                timeout: approval.timeout.nanoseconds, metrics: plan.metrics,
                                request: interrupt ? nil : self)
        // A held request keeps no libcurl handle: thousands may wait at once. Its headers
        // stay readable in libmicrohttpd's connection, so the transfer is prepared again
        // once the request is approved.
        discardTransfer()
        if interrupt {
            answerPending(id)
        } else {
            approvalWait = wait
            phase = .approving
        }
        wait.start(form: &form)
    }

    /// The value a binding message's placeholder stands for in this request.
    private func bindingValue(_ piece: BindingTemplate.Piece) -> String? {
        switch piece {
        case .literal(let text): return text
        case .path(let index, _):
            guard parameters.indices.contains(index) else { return nil }
            return PercentDecoding.decoded(Substring(parameters[index]))
        case .query(let name):
            guard let query = target?.query else { return nil }
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1,
                                       omittingEmptySubsequences: false)
                if PercentDecoding.decoded(parts[0], plusIsSpace: true) == name {
                    guard parts.count > 1 else { return "" }
                    return PercentDecoding.decoded(parts[1], plusIsSpace: true)
                }
            }
            return nil
        case .body(let path):
            guard hasBody else { return nil }
            return JSONBodyField.text(at: path, in: body.readable)
        }
    }

    /// The approval this request waited for ended.
    func approvalEnded(_ outcome: ApprovalOutcome, token: SecretBytes?) {
        approvalWait = nil
        approvalEndedAt = MonotonicClock.now()
        guard phase == .approving else { return }
        proceedAfterApproval(outcome, token: token)
    }

    private func proceedAfterApproval(_ outcome: ApprovalOutcome, token: SecretBytes?) {
        guard case .approved = outcome else { return answerLater(problem(for: outcome)) }
        approved = true
        // What the user approved is sent once: no second try after an upstream 401.
        retriedCredential = true
        if transfer == nil, let plan { prepareTransfer(caFile: plan.route.caFile) }
        if let injection = plan?.approvalInjection {
            guard let token, let transfer else {
                return answerLater(Problem(.unavailable, "the approval returned no token to "
                    + "forward", retryAfter: 5))
            }
            injection.add(token, to: transfer)
            credentialFingerprint = token.withUnsafeBytes {
                CredentialFingerprint(credential: $0)
            }
            credentialConnection = nil
        }
        proceedToCredential()
    }

    private func problem(for outcome: ApprovalOutcome) -> Problem {
        let route = plan?.route.name ?? "?"
        outcome.reason.map { self.outcome = $0 }
        switch outcome {
        case .approved:
            return Problem(.badRequest, "approved")
        case .denied:
            return Problem(.approvalDenied, "the user denied the request to route '\(route)'")
        case .expired(let reason):
            return Problem(.approvalExpired, "the request to route '\(route)' was not approved: "
                + reason)
        case .unavailable(let reason):
            return Problem(.unavailable, "the approval for route '\(route)' could not be "
                + "obtained: \(reason)", retryAfter: 5)
        case .refused(let reason):
            return Problem(.forbidden, "the approval for route '\(route)' was refused: \(reason)")
        }
    }

    // MARK: - Interrupt mode

    /// The 202 that tells the agent where to poll.
    private func answerPending(_ id: String) {
        let location = ApprovalID.statusPath(id)
        var json = JSONText(capacity: 192)
        json.beginObject()
        json.field("status", "pending")
        json.field("approval_id", id)
        json.field("location", location)
        json.field("request_id", requestID)
        json.endObject()
        var bytes = json.bytes
        let response = bytes.withUnsafeMutableBytes {
            MHD_create_response_from_buffer($0.count, $0.baseAddress, .RESPMEM_MUST_COPY)!
        }
        bytesOut = bytes.count
        MHD_add_response_header(response, "Content-Type", "application/json")
        MHD_add_response_header(response, "Location", location)
        MHD_add_response_header(response, "Retry-After",
                                String(ApprovalPoller.defaultInterval / 1_000_000_000))
        requestID.withCString { _ = MHD_add_response_header(response, "X-Request-Id", $0) }
        status = 202
        outcome = "held for approval \(id)"
        pendingResponse = (response, 202)
        phase = .responseReady
        if !recordDecision() { resume() }
    }

    /// A request for `/_chaperone/approvals/ID`: checked like a request to the held route,
    /// then answered by `collectApproval` once complete.
    func beginApprovalPoll(_ id: String, target: RequestTarget) -> ApprovalPollStart {
        guard method == "GET" || method == "HEAD", !hasBody else {
            return .refused(Problem(.badRequest, "an approval's status is read with GET"))
        }
        guard let plan = shard.approvalRegistry.plan(for: id) else {
            return .refused(Self.unknownApproval)
        }
        self.plan = plan
        self.target = target
        approvalPollID = id
        approvalID = id
        return .started(plan)
    }

    enum ApprovalPollStart {
        case started(RoutePlan)
        case refused(Problem)
    }

    private static let unknownApproval = Problem(
        .noRoute, "no approval with this id is waiting for this caller: it was collected, "
            + "it expired, or it never existed")

    private func collectApproval(_ id: String) {
        guard let caller else { return answerLater(Self.unknownApproval) }
        switch shard.approvalRegistry.collect(id, by: caller) {
        case .unknown:
            answerLater(Self.unknownApproval)
        case .pending:
            answerPending(id)
        case .ended(let outcome):
            answerLater(problem(for: outcome))
        case .approved(let held, let token):
            adopt(held)
            approvalPollID = nil
            proceedAfterApproval(.approved, token: token)
        }
    }

    /// Takes over the approved request, to forward it as it was held.
    private func adopt(_ held: HeldRequest) {
        plan = held.plan
        target = held.target
        method = held.method
        isHead = held.method == "HEAD"
        hasBody = held.body != nil
        body = ByteBuffer()
        if let bytes = held.body { bytes.withUnsafeBytes { body.append($0) } }
        caller = held.caller
        let transfer = shard.upstream.makeTransfer(caFile: held.plan.route.caFile)
        transfer.delegate = self
        for line in held.headerLines { transfer.addHeaderLine(line) }
        self.transfer = transfer
    }
}

extension ApprovalOutcome {
    var reason: String? {
        switch self {
        case .approved: nil
        case .denied: "denied by the user"
        case .expired(let reason), .unavailable(let reason), .refused(let reason): reason
        }
    }
}

/// Approval ids: 128 random bits, so that a status URL cannot be guessed.
enum ApprovalID {
    static let prefix = "/_chaperone/approvals/"

    static func random() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        precondition(RAND_bytes(&bytes, 16) == 1, "RAND_bytes failed")
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] },
                      as: UTF8.self)
    }

    static func statusPath(_ id: String) -> String { prefix + id }

    /// The id in `/_chaperone/approvals/ID`, when that is the path.
    static func id(in path: NormalizedPath) -> String? {
        let segments = path.segments
        guard segments.count == 3, segments[0] == "_chaperone", segments[1] == "approvals",
              segments[2].utf8.count == 32,
              segments[2].utf8.allSatisfy({ hexDigit($0) })
        else { return nil }
        return segments[2]
    }

    private static func hexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }
}
