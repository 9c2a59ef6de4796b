import ChaperoneAudit
import ChaperoneClock
import Synchronization

/// Step seven of the request path: one audit record per request that reached route
/// matching, written when its answer is known. With `durability: strict`, or while the
/// log's queue is over its high-water mark, the answer waits (suspended, on no thread) until
/// the record is committed. Under `strict` a request that goes upstream has a `sending`
/// record before that, committed before the upstream is called: a crash then cannot leave
/// an upstream call without a record.
extension ProxyRequest {
    enum SendingRecord {
        /// Queued: the upstream call waits for its commit.
        case queued
        /// None is due (batch durability, no audit log, or written before a retry).
        case notNeeded
        /// The log refused it: nothing may be sent.
        case refused(Problem)
    }

    /// Queues the record; true when the answer must wait for its commit. `mayWait` is false
    /// when the client is gone or the request already ended: nothing is then held back.
    @discardableResult
    func recordDecision(mayWait: Bool = true) -> Bool {
        guard routed, !recorded, let audit = shard.audit else { return false }
        recorded = true
        let draft = auditDraft(auditDecision())
        guard mayWait else {
            if case .refused(let failure) = audit.append(draft, committed: nil) {
                Log.event(.error, "audit record refused", ["reason": failure.description])
            }
            return false
        }
        switch append(draft, to: audit) {
        case .waiting: return true
        case .goOn, .failed: return false
        case .refused(let failure):
            Log.event(.error, "audit record refused", ["reason": failure.description])
            return false
        }
    }

    /// Under strict durability, queues the `sending` record the upstream call waits for.
    func recordSending() -> SendingRecord {
        guard routed, !recordedSending, let audit = shard.audit,
              audit.options.durability == .strict
        else { return .notNeeded }
        recordedSending = true
        switch append(auditDraft((.sending, "upstream-call")), to: audit) {
        case .waiting: return .queued
        case .goOn: return .notNeeded
        case .failed: return .refused(Self.unrecorded)
        case .refused(let failure):
            Log.event(.error, "audit record refused", ["reason": failure.description])
            return .refused(Self.unrecorded)
        }
    }

    private static let unrecorded = Problem(
        .unavailable, "the audit record of this request could not be written, so it was not "
            + "sent", retryAfter: 5)

    private enum Appended {
        /// Queued with no need to wait, or committed already.
        case goOn
        /// Committed already, but its transaction failed.
        case failed
        /// `awaitingAudit` is set: `auditCommitted` follows.
        case waiting
        case refused(AuditFailure)
    }

    private func append(_ draft: AuditRecordDraft, to audit: AuditLog) -> Appended {
        let ticket = AuditTicket(number: shard.nextAuditTicket(), inbox: shard.inbox)
        switch audit.append(draft, committed: ticket.committed) {
        case .queued:
            return .goOn
        case .mustWait:
            guard ticket.wait() else { return ticket.written ? .goOn : .failed }
            shard.auditWaiters[ticket.number] = self
            awaitingAudit = true
            return .waiting
        case .refused(let failure):
            return .refused(failure)
        }
    }

    /// The record this request waited for is committed: its answer may go, or, for a
    /// `sending` record, the request itself.
    func auditCommitted(written: Bool) {
        guard awaitingAudit else { return }
        awaitingAudit = false
        switch phase {
        case .responseReady: resume()
        case .recording:
            if written { sendUpstream() } else { answerLater(Self.unrecorded) }
        default: break
        }
    }

    private func auditDraft(_ outcome: (decision: AuditDecision, reason: String))
        -> AuditRecordDraft
    {
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
        return AuditRecordDraft(
            time: wallNow - Int64(duration / 1_000_000), requestID: requestID,
            user: caller?.subject,
            actors: caller?.actors.map { AuditActor(subject: $0.subject, profile: $0.profile) }
                ?? [],
            route: plan?.route.name, method: method.isEmpty ? "-" : method,
            path: String(decoding: rawTarget, as: UTF8.self), decision: outcome.decision,
            reason: outcome.reason,
            approval: approvalID.map { AuditApproval(id: $0, outcome: approvalOutcome()) },
            connection: credentialFingerprint == nil ? nil : credentialConnection,
            credential: credentialFingerprint, status: Int(status),
            upstreamStatus: head.map(\.status), durationMicroseconds: duration / 1_000,
            upstreamMicroseconds: upstreamTime, approvalMicroseconds: approvalTime)
    }

    /// Answered 202 while its approval is still pending (interrupt mode).
    var answeredPending: Bool { status == 202 && approvalID != nil && !approved }

    /// What became of the request, and the fixed reason: also the request line's level.
    func auditDecision() -> (decision: AuditDecision, reason: String) {
        if let problem {
            switch problem {
            case .upstreamFailed, .upstreamTimeout, .unavailable: return (.error, problem.code)
            default: return (.denied, problem.code)
            }
        }
        if answeredPending { return (.held, "approval-pending") }
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
    private let isWritten = Atomic(false)

    init(number: UInt64, inbox: ShardInbox) {
        self.number = number
        self.inbox = inbox
    }

    /// For `AuditLog.append`: runs on the writer thread.
    var committed: AuditLog.Committed {
        { [self] result in
            switch result {
            case .success: isWritten.store(true, ordering: .sequentiallyConsistent)
            case .failure(let failure):
                Log.event(.error, "audit record not written", ["reason": failure.description])
            }
            isCommitted.store(true, ordering: .sequentiallyConsistent)
            if isWaited.load(ordering: .sequentiallyConsistent) {
                inbox.post(.auditCommitted(number, written: written))
            }
        }
    }

    /// The transaction that held the record succeeded; meaningful once it is committed.
    var written: Bool { isWritten.load(ordering: .sequentiallyConsistent) }

    /// Marks the request as waiting; false when the record is committed already.
    func wait() -> Bool {
        isWaited.store(true, ordering: .sequentiallyConsistent)
        return !isCommitted.load(ordering: .sequentiallyConsistent)
    }
}
