extension AuditStore {
    /// Walks the whole chain and checks every checkpoint, stored and `exported`.
    ///
    /// A checkpoint must carry a valid signature by `trustedKey` (the configured signing
    /// key), and the chain must have the hash it signed at its sequence number; an
    /// exported one also shows a store cut short before it. With `trustedKey` nil (the
    /// key is not there), every checkpoint is reported as unchecked. Only one key is
    /// trusted: checkpoints signed before the signing key was replaced fail as signed by
    /// another key (there is no list of earlier keys yet).
    public func verify(trusting trustedKey: AuditPublicKey?,
                       exported: [AuditCheckpoint] = []) throws(AuditFailure)
        -> AuditVerification
    {
        let stored = try checkpoints()
        var walk = ChainWalk(checkpointsAt: Set((stored + exported).map(\.sequence)))
        let rows = try database.prepare("""
            SELECT seq, time, user, route, decision, canonical, hash FROM records ORDER BY seq
            """)
        let actors = try database.prepare(
            "SELECT seq, sub FROM record_actors ORDER BY seq, position")
        var actorRows = ActorCursor(statement: actors)
        var count = 0
        var next = try read(rows, &actorRows)
        while let row = next {
            count += 1
            next = try read(rows, &actorRows)
            if walk.take(row, next: next) {  // it took `next` as well
                count += 1
                next = try read(rows, &actorRows)
            }
        }

        for checkpoint in stored {
            check(checkpoint, origin: "the checkpoint stored", trustedKey, &walk)
        }
        for checkpoint in exported where !stored.contains(checkpoint) {
            check(checkpoint, origin: "the exported checkpoint", trustedKey, &walk)
        }
        let problems = walk.problems.enumerated().sorted {
            ($0.element.sequence, $0.offset) < ($1.element.sequence, $1.offset)
        }.map(\.element)
        return AuditVerification(records: count, lastSequence: walk.lastSequence,
                                 checkpoints: stored.count + exported.count,
                                 problems: problems)
    }

    private func check(_ checkpoint: AuditCheckpoint, origin: String,
                       _ trustedKey: AuditPublicKey?, _ walk: inout ChainWalk)
    {
        let sequence = checkpoint.sequence
        let name = "\(origin) for record \(sequence)"
        guard let trustedKey else {
            walk.report(sequence, .checkpoint, "\(name) cannot be checked: the signing key "
                            + "is not there")
            return
        }
        guard checkpoint.publicKey == trustedKey else {
            walk.report(sequence, .checkpoint, "\(name) was signed by key "
                            + "\(checkpoint.publicKey), not by the configured signing key "
                            + "\(trustedKey)")
            return
        }
        guard checkpoint.isSignatureValid else {
            walk.report(sequence, .checkpoint, "\(name) has a signature that does not "
                            + "verify: it was changed after it was signed")
            return
        }
        let last = walk.lastSequence
        if sequence > last {
            let missing = sequence == last + 1
                ? "record \(sequence) is" : "records \(last + 1) to \(sequence) are"
            walk.report(last + 1, .truncated, "\(missing) missing from the end: the store "
                            + "ends at record \(last), but \(origin) covers up to record "
                            + "\(sequence)")
        } else if let hash = walk.hashes[sequence], hash != checkpoint.hash {
            walk.report(sequence, .changed, "record \(sequence) is not the record \(name) "
                            + "signed: the records up to it were rewritten, hashes included")
        }
    }

    private func read(_ rows: SQLiteStatement, _ actors: inout ActorCursor)
        throws(AuditFailure) -> StoredRecord?
    {
        guard try rows.step() else { return nil }
        let position = UInt64(max(0, rows.int64(0) ?? 0))
        let text = rows.text(5) ?? ""
        let record = Result { () throws(AuditFailure) in try AuditRecord(canonicalText: text) }
        let columns = StoredRecord.Columns(
            time: rows.int64(1), user: rows.text(2), route: rows.text(3),
            decision: rows.text(4), actors: try actors.subjects(of: Int64(position)))
        return StoredRecord(position: position, text: text,
                            hash: rows.blob(6).flatMap(AuditHash.init(bytes:)),
                            columns: columns, record: record)
    }
}

/// Reads `record_actors` alongside the records, both in sequence order.
private struct ActorCursor {
    let statement: SQLiteStatement
    private var pending: (sequence: Int64, subject: String)?
    private var done = false

    init(statement: SQLiteStatement) { self.statement = statement }

    /// The actors of the record at `position`, skipping rows of records that are gone.
    mutating func subjects(of position: Int64) throws(AuditFailure) -> [String] {
        var subjects: [String] = []
        while true {
            if pending == nil, !done {
                if try statement.step() {
                    pending = (statement.int64(0) ?? 0, statement.text(1) ?? "")
                } else {
                    done = true
                }
            }
            guard let row = pending, row.sequence <= position else { return subjects }
            if row.sequence == position { subjects.append(row.subject) }
            pending = nil
        }
    }
}
