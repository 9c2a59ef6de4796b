/// One thing `audit verify` found wrong, named by the sequence number where it is.
public struct AuditProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A record's content no longer matches its hash.
        case changed
        /// Records missing from the middle of the chain.
        case removed
        /// Records in the wrong order.
        case reordered
        /// A record that is not part of the chain.
        case inserted
        /// Records missing from the end, which only a checkpoint can show.
        case truncated
        /// A stored record that is not the canonical text of any record.
        case unreadable
        /// A query column that no longer agrees with the record's text.
        case indexChanged = "index-changed"
        /// A checkpoint whose signature fails or was made with another key.
        case checkpoint
    }

    public var sequence: UInt64
    public var kind: Kind
    /// A sentence that says what is wrong, starting with what it is about.
    public var detail: String

    public init(sequence: UInt64, kind: Kind, detail: String) {
        self.sequence = sequence
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail }
}

/// What `audit verify` found.
public struct AuditVerification: Sendable {
    /// Records read from the store.
    public var records: Int
    /// The sequence number of the chain's last intact record.
    public var lastSequence: UInt64
    /// Checkpoints checked, stored and exported.
    public var checkpoints: Int
    /// In order of sequence number: the first one is where the store first differs from
    /// what the log wrote.
    public var problems: [AuditProblem]

    public var isIntact: Bool { problems.isEmpty }
}
