import ChaperoneClock

/// The writer thread's side of `AuditLog`: takes due batches from the queue, commits
/// them, tells each caller, mirrors them, and signs checkpoints. Everything here but the
/// queue belongs to the writer thread alone.
final class AuditWriter {
    private let store: AuditStore
    private let key: AuditSigningKey
    private let mirror: AuditMirrorOutput?
    private let options: AuditLogOptions
    private let queue: ConditionLock<AuditQueue>
    private let onFailure: @Sendable (AuditFailure) -> Void
    /// Records committed since the last checkpoint, and when that was (monotonic).
    private var sinceCheckpoint: Int
    private var lastCheckpointAt = MonotonicClock.now()

    init(store: AuditStore, key: AuditSigningKey, mirror: AuditMirrorOutput?,
         options: AuditLogOptions, queue: ConditionLock<AuditQueue>,
         onFailure: @escaping @Sendable (AuditFailure) -> Void) throws(AuditFailure)
    {
        self.store = store
        self.key = key
        self.mirror = mirror
        self.options = options
        self.queue = queue
        self.onFailure = onFailure
        let last = try store.lastSequence()
        let covered = try store.latestCheckpoint()?.sequence ?? 0
        sinceCheckpoint = Int(clamping: last - min(covered, last))
    }

    private enum Work {
        case batch([AuditQueue.Entry])
        case checkpoint
        case finish
    }

    func run() {
        while true {
            switch next() {
            case .batch(let entries): commit(entries)
            case .checkpoint: checkpoint()
            case .finish:
                checkpoint()
                return
            }
        }
    }

    /// Waits until a batch is due, a checkpoint is due, or the log closes.
    private func next() -> Work {
        let flush = options.flushInterval.nanoseconds
        let strict = options.durability == .strict
        let checkpointAt = sinceCheckpoint > 0
            ? lastCheckpointAt + options.checkpointInterval.nanoseconds : nil
        return queue.wait { state, now -> ConditionLock<AuditQueue>.Step<Work> in
            if let oldest = state.pending.first {
                let count = state.pending.count
                let dueAt = oldest.queuedAt + flush
                if state.closing || strict || count >= options.maxBatch
                    || count > options.highWater || now >= dueAt
                {
                    let taken = min(count, options.maxBatch)
                    let batch = Array(state.pending.prefix(taken))
                    state.pending.removeFirst(taken)
                    return .done(.batch(batch))
                }
                return .wait(until: min(dueAt, checkpointAt ?? dueAt))
            }
            if state.closing { return .done(.finish) }
            if let checkpointAt, now >= checkpointAt { return .done(.checkpoint) }
            return .wait(until: checkpointAt)
        }
    }

    private func commit(_ entries: [AuditQueue.Entry]) {
        let written: [(record: AuditRecord, text: String)]
        do {
            written = try store.append(entries.map(\.draft))
        } catch {
            queue.withLock {
                $0.statistics.failedRecords += entries.count
                $0.statistics.transactions += 1
            }
            onFailure(error)
            for entry in entries { entry.committed?(.failure(error)) }
            return
        }
        queue.withLock {
            $0.statistics.committedRecords += entries.count
            $0.statistics.transactions += 1
        }
        for (entry, committed) in zip(entries, written) {
            entry.committed?(.success(committed.record.sequence))
        }
        if let mirror {
            do {
                try mirror.write(written.map(\.text))
            } catch {
                onFailure(error)
            }
        }
        sinceCheckpoint += entries.count
        if sinceCheckpoint >= options.checkpointEvery { checkpoint() }
    }

    private func checkpoint() {
        guard sinceCheckpoint > 0 else { return }
        do {
            if try store.writeCheckpoint(with: key, time: options.clock.now()) != nil {
                queue.withLock { $0.statistics.checkpoints += 1 }
            }
            sinceCheckpoint = 0
        } catch {
            onFailure(error)
        }
        // A failed checkpoint is tried again one interval later, not at once in a loop.
        lastCheckpointAt = MonotonicClock.now()
    }
}
