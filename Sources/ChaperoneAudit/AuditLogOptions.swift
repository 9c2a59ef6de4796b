#if canImport(Glibc)
import Glibc
#endif

/// When a request may go on relative to its audit record being on disk.
public enum AuditDurability: String, Sendable, CaseIterable {
    /// The record is queued and committed with others within the flush interval; the
    /// request goes on at once unless the queue is above its high-water mark.
    case batch
    /// The request waits until its record is committed.
    case strict
}

/// Where committed records are copied as JSON lines, for log shippers.
public enum AuditMirror: Sendable, Equatable {
    case standardError
    /// Appended to this file, created with mode 0600.
    case file(String)
}

/// Milliseconds since the Unix epoch, for checkpoint times; tests set it.
public struct AuditClock: Sendable {
    public var now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    public static let system = AuditClock {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// How an `AuditLog` writes.
public struct AuditLogOptions: Sendable {
    /// The SQLite file; created with mode 0600 when it does not exist.
    public var path: String
    public var signingKey: AuditSigningKeySource
    public var durability: AuditDurability = .batch
    /// In batch mode, the longest a record waits in the queue before its transaction
    /// starts.
    public var flushInterval: Duration = .milliseconds(50)
    /// The most records one transaction takes; a full batch starts at once.
    public var maxBatch: Int = 512
    /// Queued records above which `append` answers `mustWait` and the writer starts at
    /// once.
    public var highWater: Int = 10_000
    public var mirror: AuditMirror?
    /// A checkpoint after this many records …
    public var checkpointEvery: Int = 1_000
    /// … or this long after the last one, whichever comes first, if records came since.
    public var checkpointInterval: Duration = .seconds(60)
    public var clock: AuditClock = .system
    /// Statements run on the store's connection after it opens. Tests use it for the
    /// one fault the real file system cannot produce on demand, a full disk
    /// (`PRAGMA max_page_count`).
    var storeSettings: [String] = []

    public init(path: String, signingKey: AuditSigningKeySource) {
        self.path = path
        self.signingKey = signingKey
    }
}
