#if canImport(Glibc)
import Glibc
#endif

/// The SQLite file of the audit log, in WAL mode, created with mode 0600: the writer
/// appends to it while commands read it, and readers never wait for the writer.
///
/// One connection, for one thread at a time: the log's writer thread owns the one it
/// writes with, and each command opens its own to read.
///
/// ```swift
/// let store = try AuditStore(readingAt: path)
/// for record in try store.records(matching: AuditQuery(user: "alice")) { … }
/// let report = try store.verify(trusting: key.publicKey, exported: [])
/// ```
public final class AuditStore {
    public let path: String
    let database: SQLiteDatabase
    /// The file opened, to notice when it is removed or replaced under the writer.
    private let identity: (device: UInt64, inode: UInt64)

    /// Opens an existing store to read. Throws `noStore` when there is none.
    public convenience init(readingAt path: String) throws(AuditFailure) {
        try self.init(path: path, create: false)
    }

    /// Opens the store to write, creating it when it does not exist.
    convenience init(writingAt path: String) throws(AuditFailure) {
        try self.init(path: path, create: true)
    }

    private init(path: String, create: Bool) throws(AuditFailure) {
        try SQLiteDatabase.prepareFile(path, create: create)
        database = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: 5_000)
        try database.useWriteAheadLog()
        try AuditSchema.prepare(database, create: create)
        self.path = path
        guard let identity = Self.fileIdentity(path) else {
            throw .storeReplaced(path: path)
        }
        self.identity = identity
    }

    /// Throws `storeReplaced` when the path no longer names the file this store opened:
    /// SQLite would go on writing to the unlinked file, and every record would be lost
    /// with it.
    func checkInPlace() throws(AuditFailure) {
        guard let current = Self.fileIdentity(path), current == identity else {
            throw .storeReplaced(path: path)
        }
    }

    private static func fileIdentity(_ path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    // MARK: - The chain's end

    /// The last record's sequence number and hash; 0 and the zero hash when empty.
    func tail() throws(AuditFailure) -> (sequence: UInt64, hash: AuditHash) {
        let query = try database.prepare("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1")
        guard try query.step() else { return (0, .zero) }
        guard let sequence = query.int64(0), let hash = query.blob(1).flatMap(AuditHash.init)
        else { throw .malformed("\(path): the last record has no sequence number or hash") }
        return (UInt64(sequence), hash)
    }

    /// The last record's sequence number, 0 when the store is empty.
    public func lastSequence() throws(AuditFailure) -> UInt64 {
        let query = try database.prepare("SELECT max(seq) FROM records")
        guard try query.step(), let last = query.int64(0) else { return 0 }
        return UInt64(last)
    }

    // MARK: - Writing

    /// Numbers the drafts after the store's last record, chains them and writes them in
    /// one transaction; returns them with their canonical text, in order. Reading the
    /// end inside the transaction keeps one chain even when two processes write.
    func append(_ drafts: [AuditRecordDraft]) throws(AuditFailure)
        -> [(record: AuditRecord, text: String)]
    {
        try checkInPlace()
        return try database.writeTransaction { () throws(AuditFailure) in
            var (sequence, hash) = try tail()
            let insert = try database.prepare("""
                INSERT INTO records (seq, time, user, route, decision, canonical, hash)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """)
            // Actor rows left behind by records removed from the end would stand in the
            // way of the records that now take those numbers.
            let orphans = try database.prepare("DELETE FROM record_actors WHERE seq > ?1")
            try orphans.bind(1, Int64(sequence))
            try orphans.run()
            let insertActor = try database.prepare(
                "INSERT INTO record_actors (seq, position, sub) VALUES (?1, ?2, ?3)")
            var written: [(record: AuditRecord, text: String)] = []
            written.reserveCapacity(drafts.count)
            for draft in drafts {
                sequence += 1
                let record = AuditRecord(sequence: sequence, content: draft)
                let text = record.canonicalText
                hash = hash.chained(text)
                try insert.bind(1, Int64(sequence))
                try insert.bind(2, draft.time)
                try insert.bind(3, draft.user)
                try insert.bind(4, draft.route)
                try insert.bind(5, draft.decision.rawValue)
                try insert.bind(6, text)
                try insert.bind(7, hash.bytes)
                try insert.run()
                insert.reset()
                for (position, actor) in draft.actors.enumerated() {
                    try insertActor.bind(1, Int64(sequence))
                    try insertActor.bind(2, Int64(position))
                    try insertActor.bind(3, actor.subject)
                    try insertActor.run()
                    insertActor.reset()
                }
                written.append((record, text))
            }
            return written
        }
    }

    /// Signs the chain's end unless the latest checkpoint already covers it; returns the
    /// new checkpoint, or nil when there was nothing new to sign.
    @discardableResult
    func writeCheckpoint(with key: AuditSigningKey, time: Int64) throws(AuditFailure)
        -> AuditCheckpoint?
    {
        try checkInPlace()
        return try database.writeTransaction { () throws(AuditFailure) -> AuditCheckpoint? in
            let (sequence, hash) = try tail()
            guard sequence > 0, try latestCheckpoint()?.sequence ?? 0 < sequence else {
                return nil
            }
            let checkpoint = try AuditCheckpoint.sign(sequence: sequence, hash: hash,
                                                      time: time, with: key)
            let insert = try database.prepare("""
                INSERT INTO checkpoints (seq, time, hash, public_key, signature)
                VALUES (?1, ?2, ?3, ?4, ?5)
                """)
            try insert.bind(1, Int64(sequence))
            try insert.bind(2, time)
            try insert.bind(3, hash.bytes)
            try insert.bind(4, checkpoint.publicKey.bytes)
            try insert.bind(5, checkpoint.signature)
            try insert.run()
            return checkpoint
        }
    }

    // MARK: - Reading

    /// The records `query` selects, in sequence order.
    public func records(matching query: AuditQuery) throws(AuditFailure) -> [AuditRecord] {
        let (sql, values) = query.sql
        let statement = try database.prepare(sql)
        for (index, value) in values.enumerated() {
            switch value {
            case .text(let text): try statement.bind(Int32(index + 1), text)
            case .integer(let number): try statement.bind(Int32(index + 1), number)
            }
        }
        return try decodeRows(statement)
    }

    /// Up to `limit` records after `sequence`, in order: what `audit tail` polls for.
    public func records(after sequence: UInt64, limit: Int) throws(AuditFailure)
        -> [AuditRecord]
    {
        let statement = try database.prepare(
            "SELECT seq, canonical FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2")
        try statement.bind(1, Int64(clamping: sequence))
        try statement.bind(2, Int64(limit))
        return try decodeRows(statement)
    }

    private func decodeRows(_ statement: SQLiteStatement) throws(AuditFailure)
        -> [AuditRecord]
    {
        var records: [AuditRecord] = []
        while try statement.step() {
            let position = statement.int64(0) ?? 0
            do {
                records.append(try AuditRecord(canonicalText: statement.text(1) ?? ""))
            } catch {
                throw .malformed("record \(position) cannot be read: \(error) (run chaperone "
                                     + "audit verify)")
            }
        }
        return records
    }

    /// The checkpoint with the highest sequence number, if any.
    public func latestCheckpoint() throws(AuditFailure) -> AuditCheckpoint? {
        let query = try database.prepare("""
            SELECT seq, time, hash, public_key, signature FROM checkpoints
            ORDER BY seq DESC LIMIT 1
            """)
        guard try query.step() else { return nil }
        return try Self.checkpoint(query)
    }

    /// Every stored checkpoint, in sequence order.
    public func checkpoints() throws(AuditFailure) -> [AuditCheckpoint] {
        let query = try database.prepare(
            "SELECT seq, time, hash, public_key, signature FROM checkpoints ORDER BY seq")
        var checkpoints: [AuditCheckpoint] = []
        while try query.step() { checkpoints.append(try Self.checkpoint(query)) }
        return checkpoints
    }

    private static func checkpoint(_ row: SQLiteStatement) throws(AuditFailure)
        -> AuditCheckpoint
    {
        let sequence = row.int64(0) ?? 0
        guard sequence > 0, let time = row.int64(1),
              let hash = row.blob(2).flatMap(AuditHash.init(bytes:)),
              let publicKey = row.blob(3).flatMap(AuditPublicKey.init(bytes:)),
              let signature = row.blob(4)
        else { throw .malformed("checkpoint \(sequence) has a missing or malformed column") }
        return AuditCheckpoint(sequence: UInt64(sequence), hash: hash, time: time,
                               publicKey: publicKey, signature: signature)
    }
}
