import ChaperoneClock
#if canImport(Glibc)
import Glibc
#endif

/// What the caller of `append` may do with its response.
public enum AuditAdmission: Sendable, Equatable {
    /// Go on: the record is queued and will be committed within the flush interval.
    case queued
    /// Hold the response until `committed` runs: the durability is strict, or the queue
    /// is above its high-water mark (back-pressure). The record is accepted all the same.
    case mustWait
    /// The log is closed: the record was not accepted and `committed` will not run.
    case refused(AuditFailure)
}

/// Counts since the log opened.
public struct AuditLogStatistics: Sendable, Equatable {
    public var committedRecords = 0
    public var failedRecords = 0
    public var transactions = 0
    public var checkpoints = 0
    /// Records waiting for their transaction now.
    public var queued = 0
}

/// The audit log's writer: one thread that numbers, chains and commits records in
/// batched transactions, and signs checkpoints.
///
/// `append` never blocks on the disk, so an event loop can call it: it only queues the
/// record under a lock. The sequence number and hash are assigned on the writer thread
/// when the batch commits, so records from every loop form one chain. `committed` runs on
/// the writer thread once the record is on disk or its transaction failed.
///
/// Bound on batch durability: a record waits in the queue at most `flushInterval` before
/// its transaction starts (sooner when `maxBatch` records are waiting, the queue is above
/// `highWater`, or the log closes), plus the time of the transactions ahead of it. What a
/// crash can lose is what was queued and not yet committed: at most `highWater` records
/// whose requests went on, since past it every caller waits.
///
/// ```swift
/// let log = try AuditLog(options: options) { failure in Log.event(.error, "\(failure)") }
/// switch log.append(draft, committed: { result in loop.post(result) }) {
/// case .queued: respond()
/// case .mustWait: holdUntilCommitted()
/// case .refused(let failure): fail(failure)
/// }
/// log.close()   // at shutdown: commits what is queued and writes a final checkpoint
/// ```
public final class AuditLog: Sendable {
    public typealias Committed = @Sendable (Result<UInt64, AuditFailure>) -> Void

    public let options: AuditLogOptions
    public let publicKey: AuditPublicKey
    private let queue: ConditionLock<AuditQueue>
    private let thread: pthread_t

    /// Opens (or creates) the store, reads or generates the signing key, opens the
    /// mirror, and starts the writer thread. `onFailure` hears, on the writer thread,
    /// every failed transaction, checkpoint and mirror write.
    public init(options: AuditLogOptions,
                onFailure: @escaping @Sendable (AuditFailure) -> Void) throws(AuditFailure)
    {
        let store = try AuditStore(writingAt: options.path)
        for setting in options.storeSettings { try store.database.execute(setting) }
        let key = try Self.signingKey(options.signingKey, store: store)
        let mirror = try options.mirror.map { (mirror) throws(AuditFailure) in
            try AuditMirrorOutput(mirror)
        }
        let queue = ConditionLock(AuditQueue())
        let writer = try AuditWriter(store: store, key: key, mirror: mirror, options: options,
                                     queue: queue, onFailure: onFailure)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(writer).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            Unmanaged<AuditWriter>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<AuditWriter>.fromOpaque(context).release()
            throw .storage("cannot start the audit writer thread: error \(result)")
        }
        self.options = options
        self.publicKey = key.publicKey
        self.queue = queue
        self.thread = thread
    }

    /// Queues `record`; see `AuditAdmission` for what the caller may do next.
    public func append(_ record: AuditRecordDraft, committed: Committed?) -> AuditAdmission {
        let strict = options.durability == .strict
        let now = MonotonicClock.now()
        return queue.withLock { state in
            guard !state.closing else { return .refused(.closed) }
            state.pending.append(AuditQueue.Entry(draft: record, committed: committed,
                                                  queuedAt: now))
            let count = state.pending.count
            let overloaded = count > options.highWater
            // The writer sleeps until the oldest record is due: it needs to hear of the
            // first one, and of anything that makes a batch due early.
            if strict || overloaded || count == 1 || count >= options.maxBatch {
                queue.signal()
            }
            return strict || overloaded ? .mustWait : .queued
        }
    }

    public var statistics: AuditLogStatistics {
        queue.withLock { state in
            var statistics = state.statistics
            statistics.queued = state.pending.count
            return statistics
        }
    }

    /// Commits everything queued, writes a final checkpoint and stops the writer. Later
    /// appends are refused. Failures go to `onFailure`, as always. Call it once, from one
    /// thread: a second call returns at once, possibly before the first is done.
    public func close() {
        let first = queue.withLock { state -> Bool in
            guard !state.closing else { return false }
            state.closing = true
            queue.signal()
            return true
        }
        guard first else { return }
        pthread_join(thread, nil)
    }

    private static let keyName = "the audit signing key"

    private static func signingKey(_ source: AuditSigningKeySource, store: AuditStore)
        throws(AuditFailure) -> AuditSigningKey
    {
        switch source {
        case .key(let key):
            return key
        case .generatedIfMissing(let path):
            if let key = try SigningKeyFile.read(path, named: keyName) { return key }
            if let checkpoint = try store.latestCheckpoint() {
                throw .signingKey("the audit signing key \(path) does not exist, but \(store.path) "
                    + "has checkpoints signed by key \(checkpoint.publicKey): restore the "
                    + "key from its backup (a new key would make them unverifiable)")
            }
            return try SigningKeyFile.create(path, named: keyName)
        }
    }
}

/// The records waiting for the writer, shared between `append` and the writer thread.
struct AuditQueue {
    struct Entry {
        var draft: AuditRecordDraft
        var committed: AuditLog.Committed?
        var queuedAt: UInt64
    }

    var pending: [Entry] = []
    var closing = false
    var statistics = AuditLogStatistics()
}
