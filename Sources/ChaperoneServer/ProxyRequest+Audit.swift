import ChaperoneAudit
import Synchronization

/// Step seven of the request path: one audit record per request that reached route
/// matching, written when its answer is known. With `durability: strict`, or while the
/// log's queue is over its high-water mark, the answer waits (suspended, on no thread) until
/// the record is committed. Known gap: even under `strict` the upstream has been called by
/// then, so a crash between its answer and the commit leaves a call without a record
/// (docs/security.md, "Audit log").
extension ProxyRequest {
    /// Queues the record; true when the answer must wait for its commit. `mayWait` is false
    /// when the client is gone or the request already ended: nothing is then held back.
    @discardableResult
    func recordDecision(mayWait: Bool = true) -> Bool {
        guard routed, !recorded, let audit = shard.audit else { return false }
        recorded = true
        let draft = auditDraft()
        guard mayWait else {
            if case .refused(let failure) = audit.append(draft, committed: nil) {
                Log.event(.error, "audit record refused", ["reason": failure.description])
            }
            return false
        }
        let ticket = AuditTicket(number: shard.nextAuditTicket(), inbox: shard.inbox)
        switch audit.append(draft, committed: ticket.committed) {
        case .queued:
            return false
        case .mustWait:
            guard ticket.wait() else { return false }
            shard.auditWaiters[ticket.number] = self
            awaitingAudit = true
            return true
        case .refused(let failure):
            Log.event(.error, "audit record refused", ["reason": failure.description])
            return false
        }
    }

    /// The record this request waited for is committed: its answer may go.
    func auditCommitted() {
        guard awaitingAudit else { return }
        awaitingAudit = false
        if phase == .responseReady { resume() }
    }

    private func auditDraft() -> AuditRecordDraft {
        let now = MonotonicClock.now()
        let duration = MonotonicClock.elapsed(from: startedAt, to: now)
        let wallNow = AuditClock.system.now()
        var upstreamTime: UInt64?
        if upstreamStartedAt > 0, upstreamHeadAt >= upstreamStartedAt {
            upstreamTime = (upstreamHeadAt - upstreamStartedAt) / 1_000
        }
        var approvalTime: UInt64?
        if approvalStartedAt > 0 {
            approvalTime = MonotonicClock.elapsed(from: approvalStartedAt,
                                                  to: approvalEndedAt > 0 ? approvalEndedAt : now)
                / 1_000
        }
        let (decision, reason) = auditDecision()
        return AuditRecordDraft(
            time: wallNow - Int64(duration / 1_000_000), requestID: requestID,
            user: caller?.subject,
            actors: caller?.actors.map { AuditActor(subject: $0.subject, profile: $0.profile) }
                ?? [],
            route: plan?.route.name, method: method.isEmpty ? "-" : method,
            path: String(decoding: rawTarget, as: UTF8.self), decision: decision,
            reason: reason,
            approval: approvalID.map { AuditApproval(id: $0, outcome: approvalOutcome()) },
            connection: credentialFingerprint == nil ? nil : credentialConnection,
            credential: credentialFingerprint, status: Int(status),
            upstreamStatus: head.map(\.status), durationMicroseconds: duration / 1_000,
            upstreamMicroseconds: upstreamTime, approvalMicroseconds: approvalTime)
    }

    /// What became of the request, and the fixed reason: also the request line's level.
    func auditDecision() -> (decision: AuditDecision, reason: String) {
        if let problem {
            switch problem {
            case .upstreamFailed, .upstreamTimeout, .unavailable: return (.error, problem.code)
            default: return (.denied, problem.code)
            }
        }
        if status == 202, approvalID != nil, !approved { return (.held, "approval-pending") }
        if head != nil { return (.forwarded, "ok") }
        return (.error, "client-gone")
    }

    private func approvalOutcome() -> AuditApproval.Outcome {
        if approved { return .approved }
        switch problem {
        case .approvalDenied?: return .denied
        case .approvalExpired?: return .expired
        case .unavailable?, .forbidden?, .badRequest?: return .failed
        default: return status == 202 ? .pending : .cancelled
        }
    }
}

/// The handshake between a request that may have to wait for its record and the writer
/// thread that commits it: whichever comes second acts, so a commit that lands before the
/// request decided to wait is not lost, and one nobody waits for costs no wake-up.
final class AuditTicket: Sendable {
    let number: UInt64
    private let inbox: ShardInbox
    private let isCommitted = Atomic(false)
    private let isWaited = Atomic(false)

    init(number: UInt64, inbox: ShardInbox) {
        self.number = number
        self.inbox = inbox
    }

    /// For `AuditLog.append`: runs on the writer thread.
    var committed: AuditLog.Committed {
        { [self] result in
            if case .failure(let failure) = result {
                Log.event(.error, "audit record not written", ["reason": failure.description])
            }
            isCommitted.store(true, ordering: .sequentiallyConsistent)
            if isWaited.load(ordering: .sequentiallyConsistent) {
                inbox.post(.auditCommitted(number))
            }
        }
    }

    /// Marks the request as waiting; false when the record is committed already.
    func wait() -> Bool {
        isWaited.store(true, ordering: .sequentiallyConsistent)
        return !isCommitted.load(ordering: .sequentiallyConsistent)
    }
}
