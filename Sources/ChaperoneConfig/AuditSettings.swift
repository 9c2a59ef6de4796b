import ChaperoneAudit

/// Where and how the audit log records every decision, and the key that signs its
/// checkpoints.
public struct AuditSettings: Sendable {
    public var store: StateStore
    public var durability: AuditDurability
    public var flushInterval: Duration
    /// The queue's high-water mark: above it, requests wait for their record.
    public var queue: Int
    public var mirror: AuditMirror?
    public var keySource: KeySource
    /// The key, read and checked while loading; or, when it is the default key file and
    /// that does not exist yet, the file the log generates it in on first use.
    public var signingKey: AuditSigningKeySource
    public var checkpointEvery: Int
    public var checkpointInterval: Duration
    /// False when the file has no `audit` section and these are the defaults.
    public var isConfigured: Bool

    static let defaultStore = "sqlite:.chaperone/audit.db"
    static let defaultKeyFile = ".chaperone/audit.key"
    static let defaultFlushInterval = Duration.milliseconds(50)
    static let defaultQueue = 10_000
    static let defaultCheckpointEvery = 1_000
    static let defaultCheckpointInterval = Duration.seconds(60)

    /// The public half of the signing key, when the key exists.
    public var publicKey: AuditPublicKey? {
        if case .key(let key) = signingKey { key.publicKey } else { nil }
    }

    /// What `AuditLog` is opened with.
    public var logOptions: AuditLogOptions {
        let path = switch store { case .sqlite(let path): path }
        var options = AuditLogOptions(path: path, signingKey: signingKey)
        options.durability = durability
        options.flushInterval = flushInterval
        options.highWater = queue
        options.mirror = mirror
        options.checkpointEvery = checkpointEvery
        options.checkpointInterval = checkpointInterval
        return options
    }
}
