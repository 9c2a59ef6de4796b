/// What Chaperone did with a request, as the audit record states it.
public enum AuditDecision: String, Sendable, CaseIterable {
    /// Sent upstream; the upstream's answer went back to the agent.
    case forwarded
    /// Refused by a rule: no route, a bad token, an actor or scope not allowed, an
    /// approval denied or expired, no stored grant.
    case denied
    /// Not forwarded, or forwarded without an answer, because something failed: the
    /// upstream, the authority, the vault.
    case error
    /// Held for the user's approval in interrupt mode: the agent was answered 202 and
    /// polls for the outcome, which a later record states.
    case held
    /// About to be sent upstream (`durability: strict` only): committed before the upstream
    /// is called, so no call goes without a record; a later record of the same request id
    /// states the answer, or that there was none.
    case sending
}

/// One actor of the token's `act` chain (RFC 8693), outermost (the current actor) first.
public struct AuditActor: Sendable, Equatable {
    /// The actor's `sub`.
    public var subject: String
    /// The actor's `sub_profile`, such as `ai_agent`, when the token names one.
    public var profile: String?

    public init(subject: String, profile: String? = nil) {
        self.subject = subject
        self.profile = profile
    }
}

/// The approval a request was held for, and how it ended.
public struct AuditApproval: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        case approved, denied, expired
        /// Not answered yet (interrupt mode: the agent was told to poll).
        case pending
        /// The agent hung up while the request was held.
        case cancelled
        /// The authority could not be asked or answered garbage.
        case failed
    }

    /// Chaperone's approval id (the one `/approvals` lists and the status URL carries),
    /// never the authority's `auth_req_id`.
    public var id: String
    public var outcome: Outcome

    public init(id: String, outcome: Outcome) {
        self.id = id
        self.outcome = outcome
    }
}

/// An audit record before the log numbers it: everything the request path knows.
///
/// It never holds a credential: the credential used is named by its connection and
/// `CredentialFingerprint`, and the path keeps query names but not their values.
public struct AuditRecordDraft: Sendable, Equatable {
    /// When the request arrived, in milliseconds since the Unix epoch.
    public var time: Int64
    public var requestID: String
    /// The verified caller's `sub`; nil when the route does not authenticate or the token
    /// was refused.
    public var user: String?
    public var actors: [AuditActor]
    /// The route's name; nil when no route matched.
    public var route: String?
    public var method: String
    /// The request target with query values removed (`/a?x=&y=`).
    public private(set) var path: String
    public var decision: AuditDecision
    /// A short fixed reason: `ok`, or the problem type such as `approval-denied`,
    /// `consent-required` or `no-route`.
    public var reason: String
    public var approval: AuditApproval?
    /// The connection whose credential was injected, if any.
    public var connection: String?
    /// A fingerprint of the credential injected, never the credential.
    public var credential: CredentialFingerprint?
    /// The status Chaperone answered with; 0 in a `sending` record, written before any.
    public var status: Int
    /// The upstream's status; nil when nothing was forwarded or no answer came.
    public var upstreamStatus: Int?
    /// From arrival to the end of the answer, in microseconds.
    public var durationMicroseconds: UInt64
    /// From sending upstream to the upstream's response headers; nil when not forwarded.
    public var upstreamMicroseconds: UInt64?
    /// How long the request was held for its approval; nil when it needed none.
    public var approvalMicroseconds: UInt64?

    /// `path` may be the raw request target: its query values are removed here, so a
    /// value that carries personal data or a key never reaches the log.
    public init(time: Int64, requestID: String, user: String?, actors: [AuditActor],
                route: String?, method: String, path: String, decision: AuditDecision,
                reason: String, approval: AuditApproval? = nil, connection: String? = nil,
                credential: CredentialFingerprint? = nil, status: Int,
                upstreamStatus: Int? = nil, durationMicroseconds: UInt64,
                upstreamMicroseconds: UInt64? = nil, approvalMicroseconds: UInt64? = nil)
    {
        self.time = time
        self.requestID = requestID
        self.user = user
        self.actors = actors
        self.route = route
        self.method = method
        self.path = AuditPath.redactingQueryValues(path)
        self.decision = decision
        self.reason = reason
        self.approval = approval
        self.connection = connection
        self.credential = credential
        self.status = status
        self.upstreamStatus = upstreamStatus
        self.durationMicroseconds = durationMicroseconds
        self.upstreamMicroseconds = upstreamMicroseconds
        self.approvalMicroseconds = approvalMicroseconds
    }
}

/// A record as the log committed it: its place in the chain and its content.
@dynamicMemberLookup
public struct AuditRecord: Sendable, Equatable {
    /// From 1, one more for every record, across restarts and processes.
    public let sequence: UInt64
    public let content: AuditRecordDraft

    public init(sequence: UInt64, content: AuditRecordDraft) {
        self.sequence = sequence
        self.content = content
    }

    public subscript<Value>(dynamicMember field: KeyPath<AuditRecordDraft, Value>) -> Value {
        content[keyPath: field]
    }
}
