/// A stored record as `audit verify` reads it: its place, its text, its hash, and the
/// query columns that repeat its fields.
struct StoredRecord {
    var position: UInt64
    var text: String
    var hash: AuditHash?
    var columns: Columns
    /// The record the text holds, or why it holds none.
    var record: Result<AuditRecord, AuditFailure>

    struct Columns: Equatable {
        var time: Int64?
        var user: String?
        var route: String?
        var decision: String?
        var actors: [String]
    }

    var sequence: UInt64? { try? record.get().sequence }
}

/// Follows the chain through the stored records in order, one record of look-ahead, and
/// names each place where it breaks.
///
/// A record fits when it carries the next sequence number and its hash is the previous
/// hash chained with its text. One that does not fit is explained by the first of:
/// swapped with the next record (each fits in the other's place); inserted (the next
/// record fits where this one stands); a gap (it carries a later number: the records in
/// between were removed); changed (it carries the right number but not the right hash);
/// out of order (it carries an earlier number). After a break the walk picks the chain
/// up again at the record that broke it, so later breaks are named too. A record moved
/// further than next to its neighbour is named as a gap where it left and as out of
/// order where it stands, not as one move.
struct ChainWalk {
    private(set) var problems: [AuditProblem] = []
    /// The sequence number the next record must carry.
    private(set) var expected: UInt64 = 1
    /// The hash the next record must chain from; nil after a record without one.
    private var previous: AuditHash? = .zero
    /// The hash the last record taken chained from.
    private var beforePrevious: AuditHash?
    /// Hashes of the chain's records at the sequence numbers checkpoints name.
    private let wanted: Set<UInt64>
    private(set) var hashes: [UInt64: AuditHash] = [:]

    init(checkpointsAt wanted: Set<UInt64>) { self.wanted = wanted }

    var lastSequence: UInt64 { expected - 1 }

    /// Takes `row`; returns true when it also took `next` (a swapped pair).
    mutating func take(_ row: StoredRecord, next: StoredRecord?) -> Bool {
        // After the chain's verdict, so that a break is named before what it explains.
        defer { checkColumns(row) }
        if fits(row) {
            accept(row)
            return false
        }
        if let next, fits(next) {
            if row.sequence == expected + 1, let nextHash = next.hash,
               row.hash == nextHash.chained(row.text)
            {
                report(expected, .reordered, "records \(expected) and \(expected + 1) were "
                           + "swapped: each is intact, in the other's place")
                accept(next)
                accept(row)
                checkColumns(next)
                return true
            }
            report(expected, .inserted, "a record was inserted before record \(expected) "
                       + "(at position \(row.position)): it is not part of the chain"
                       + (row.sequence == expected
                           ? ", and the records after it were renumbered" : ""))
            return false
        }
        guard let sequence = row.sequence else {
            if case .failure(let reason) = row.record {
                report(expected, .unreadable, "record \(expected) (at position "
                           + "\(row.position)) cannot be read: \(reason)")
            }
            expected += 1
            beforePrevious = previous
            previous = row.hash
            return false
        }
        if sequence > expected {
            let gap = sequence - 1 == expected
                ? "record \(expected) was removed"
                : "records \(expected) to \(sequence - 1) were removed"
            report(expected, .removed, gap + ": the store goes from record \(expected - 1) "
                       + "to record \(sequence)")
            resynchronise(at: row, sequence)
        } else if sequence == expected {
            if row.hash == nil {
                report(sequence, .changed, "record \(sequence) was changed: its stored hash "
                           + "is not a SHA-256 hash")
            } else {
                report(sequence, .changed, "record \(sequence) was changed: its content no "
                           + "longer matches its hash"
                           + (sequence > 1 ? " (or the hash of record \(sequence - 1) was "
                               + "rewritten)" : ""))
            }
            resynchronise(at: row, sequence)
        } else if sequence == expected - 1, let beforePrevious,
                  row.hash == beforePrevious.chained(row.text)
        {
            // The record just taken carried this number and chained, but this one chains
            // from the same place: the forger chained the record they inserted.
            report(sequence, .inserted, "a record was inserted at \(sequence): two records "
                       + "carry the number \(sequence) and only the second is part of the "
                       + "chain, so the records after it were renumbered")
            accept(row)
        } else {
            report(sequence, .reordered, "record \(sequence) appears again after record "
                       + "\(expected - 1) (at position \(row.position)): out of order or a "
                       + "copy")
        }
        return false
    }

    private func fits(_ row: StoredRecord) -> Bool {
        guard row.sequence == expected else { return false }
        guard let previous else { return true }
        return row.hash == previous.chained(row.text)
    }

    private mutating func accept(_ row: StoredRecord) {
        guard let sequence = row.sequence else { return }
        resynchronise(at: row, sequence)
    }

    /// Continues the chain from `row`, whose own link may not have been checked.
    private mutating func resynchronise(at row: StoredRecord, _ sequence: UInt64) {
        if wanted.contains(sequence), let hash = row.hash { hashes[sequence] = hash }
        expected = sequence + 1
        beforePrevious = previous
        previous = row.hash
    }

    /// The query columns must say what the text says, or queries would answer wrongly
    /// while the chain still verifies.
    private mutating func checkColumns(_ row: StoredRecord) {
        guard case .success(let record) = row.record else { return }
        let stated = StoredRecord.Columns(
            time: record.time, user: record.user, route: record.route,
            decision: record.decision.rawValue, actors: record.actors.map(\.subject))
        guard stated != row.columns else { return }
        let names = [
            stated.time != row.columns.time ? "time" : nil,
            stated.user != row.columns.user ? "user" : nil,
            stated.route != row.columns.route ? "route" : nil,
            stated.decision != row.columns.decision ? "decision" : nil,
            stated.actors != row.columns.actors ? "actors" : nil,
        ].compactMap { $0 }
        // The columns belong to the row's place, which is the record's number unless
        // records were renumbered.
        let name = row.position == record.sequence
            ? "record \(row.position)"
            : "the record at position \(row.position) (numbered \(record.sequence))"
        report(row.position, .indexChanged, "\(name): the "
                   + names.joined(separator: ", ") + " column\(names.count == 1 ? "" : "s") "
                   + "no longer agree\(names.count == 1 ? "s" : "") with the record's text "
                   + "(edited in the database; queries on it answer wrongly)")
    }

    mutating func report(_ sequence: UInt64, _ kind: AuditProblem.Kind, _ detail: String) {
        problems.append(AuditProblem(sequence: sequence, kind: kind, detail: detail))
    }
}
