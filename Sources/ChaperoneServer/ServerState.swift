import ChaperoneAudit
import Synchronization

/// What the admin listener reports, shared between the proxy's threads.
final class ServerState: Sendable {
    enum Phase: UInt8 {
        case starting, ready, draining
    }

    private let phase = Atomic<UInt8>(Phase.starting.rawValue)
    private let keys = Mutex<KeySetSource?>(nil)
    /// Approvals under way, for `GET /approvals`.
    let approvals: ApprovalRegistry

    /// For `GET /metrics`.
    let metrics: Metrics

    /// For `POST /reload`.
    let reloads: ReloadRequests

    /// The development issuer's key set, served at `/dev/jwks.json` in development mode.
    let developmentKeys: String?
    /// For the audit log's figures in `/metrics`.
    let audit: AuditLog

    init(approvals: ApprovalRegistry, metrics: Metrics, reloads: ReloadRequests,
         audit: AuditLog, developmentKeys: String?)
    {
        self.developmentKeys = developmentKeys
        self.approvals = approvals
        self.metrics = metrics
        self.reloads = reloads
        self.audit = audit
    }

    var current: Phase { Phase(rawValue: phase.load(ordering: .acquiring)) ?? .starting }

    func set(_ new: Phase) { phase.store(new.rawValue, ordering: .releasing) }

    /// The issuer's keys, if callers are authenticated: the proxy is not ready to serve
    /// until they are fetched.
    var keySource: KeySetSource? {
        get { keys.withLock { $0 } }
        set { keys.withLock { $0 = newValue } }
    }

    /// Why the proxy cannot serve yet, or nil when it is ready.
    var notReadyReason: String? {
        switch current {
        case .starting: return "starting"
        case .draining: return "draining"
        case .ready: return keySource.map { $0.hasKeys ? nil : "waiting for issuer keys" } ?? nil
        }
    }
}
