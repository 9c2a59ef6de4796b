import ChaperoneConfig
import ChaperoneIdentity
import ChaperoneRouting
import ChaperoneVault
import Synchronization

/// A held request in interrupt mode, kept so that whichever loop the agent's poll reaches
/// can forward exactly what was approved.
struct HeldRequest: Sendable {
    var plan: RoutePlan
    var target: RequestTarget
    var method: String
    var body: [UInt8]?
    /// The forwarded header lines, as prepared when the request arrived.
    var headerLines: [[UInt8]]
    var caller: VerifiedToken
}

/// Every approval under way, across the loops: the admin listener lists them, and the agent's
/// poll of an interrupt-mode approval may reach any loop.
final class ApprovalRegistry: Sendable {
    enum State: Sendable {
        case pending
        /// With the token the approval returned, for `credential: approval`.
        case approved(SecretBytes?)
        case ended(ApprovalOutcome)
    }

    struct Entry: Sendable {
        let id: String
        let user: String
        /// The current actor (`act.sub`), if the token names one.
        let actor: String?
        let route: String
        let bindingMessage: String
        /// Seconds since the epoch.
        let startedAt: Int64
        let mode: RouteApproval.Mode
        var state = State.pending
        /// Interrupt mode only.
        var held: HeldRequest?
    }

    /// What the agent's poll of an interrupt-mode approval finds.
    enum Collection {
        /// No such approval for this caller: never started, collected, or gone.
        case unknown
        case pending
        /// Approved: the request to forward, taken out so it is forwarded once.
        case approved(HeldRequest, SecretBytes?)
        case ended(ApprovalOutcome)
    }

    private let entries = Mutex<[String: Entry]>([:])

    func insert(_ entry: Entry) {
        entries.withLock { $0[entry.id] = entry }
    }

    func remove(_ id: String) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// Records how an interrupt-mode approval ended, for the agent's next poll.
    func settle(_ id: String, _ state: State) {
        entries.withLock { $0[id]?.state = state }
    }

    /// The route an interrupt-mode approval holds a request for, to authenticate its poll.
    func plan(for id: String) -> RoutePlan? {
        entries.withLock { $0[id]?.held?.plan }
    }

    /// The agent's poll: only the caller that was held, as the same user through the same
    /// actor, learns anything; an approved or ended approval is handed over once.
    func collect(_ id: String, by caller: VerifiedToken) -> Collection {
        entries.withLock { entries in
            guard let entry = entries[id], let held = entry.held,
                  held.caller.subject == caller.subject,
                  held.caller.issuer == caller.issuer,
                  held.caller.actors.first == caller.actors.first
            else { return .unknown }
            switch entry.state {
            case .pending:
                return .pending
            case .approved(let token):
                entries[id] = nil
                return .approved(held, token)
            case .ended(let outcome):
                entries[id] = nil
                return .ended(outcome)
            }
        }
    }

    func pendingCount() -> Int {
        entries.withLock { entries in
            entries.values.count { if case .pending = $0.state { true } else { false } }
        }
    }

    /// Pending approvals, oldest first: what the admin listener shows. Never a token.
    func pending() -> [Entry] {
        entries.withLock { entries in
            entries.values.filter {
                if case .pending = $0.state { true } else { false }
            }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        }
    }
}
