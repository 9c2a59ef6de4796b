import ChaperoneAudit

/// The `audit` section, or its defaults, and the signing key it names.
extension Validator {
    mutating func audit(_ wire: WireConfig, vault: VaultSettings?) -> AuditSettings? {
        let section = wire.audit
        let errorsBefore = diagnostics.problems.count
        let store = auditStore(section?.store, vault: vault)
        let durability = auditDurability(section?.durability)
        let flushInterval = duration(section?.flushInterval,
                                     in: .milliseconds(1)...(.seconds(10)))
            ?? AuditSettings.defaultFlushInterval
        let queue = integer(section?.queue, in: 1...1_000_000) ?? AuditSettings.defaultQueue
        let mirror = auditMirror(section?.mirror, store: store)
        let checkpointEvery = integer(section?.checkpointEvery, in: 1...1_000_000)
            ?? AuditSettings.defaultCheckpointEvery
        let checkpointInterval = duration(section?.checkpointInterval,
                                          in: .seconds(1)...(.seconds(86_400)))
            ?? AuditSettings.defaultCheckpointInterval
        let key = auditSigningKey(section, wire: wire)

        guard !hasNewErrors(since: errorsBefore), let store, let key else { return nil }
        return AuditSettings(
            store: store, durability: durability, flushInterval: flushInterval, queue: queue,
            mirror: mirror, keySource: key.source, signingKey: key.key,
            checkpointEvery: checkpointEvery, checkpointInterval: checkpointInterval,
            isConfigured: section != nil)
    }

    /// `store`: `sqlite:PATH`, a file of its own (not the vault's).
    private mutating func auditStore(_ wire: Located<String>?, vault: VaultSettings?)
        -> StateStore?
    {
        let written = wire?.value ?? AuditSettings.defaultStore
        let example = "such as sqlite:.chaperone/audit.db"
        guard written.hasPrefix("sqlite:") else {
            if let wire {
                // A URL may carry a password: the value is never repeated.
                diagnostics.error(wire.location, wire.path, "expected sqlite:PATH, \(example)")
            }
            return nil
        }
        let path = String(written.dropFirst("sqlite:".count))
        guard !path.isEmpty, path != ":memory:" else {
            if let wire {
                diagnostics.error(wire.location, wire.path,
                                  "sqlite: needs the path of a file, \(example)")
            }
            return nil
        }
        let resolved = FileSystem.resolve(path, relativeTo: baseDirectory)
        if case .sqlite(let vaultPath)? = vault?.store, vaultPath == resolved, let wire {
            diagnostics.error(wire.location, wire.path,
                              "is the vault's store (vault.store): the audit log needs a "
                                  + "file of its own")
            return nil
        }
        return .sqlite(path: resolved)
    }

    private mutating func auditDurability(_ wire: Located<String>?) -> AuditDurability {
        guard let wire else { return .batch }
        guard let durability = AuditDurability(rawValue: wire.value) else {
            diagnostics.error(wire.location, wire.path,
                              "expected batch (records committed within flush_interval) or "
                                  + "strict (each request waits for its record)")
            return .batch
        }
        return durability
    }

    /// `mirror`: `stderr` or the path of a file to append to.
    private mutating func auditMirror(_ wire: Located<String>?, store: StateStore?)
        -> AuditMirror?
    {
        guard let wire else { return nil }
        if wire.value == "stderr" { return .standardError }
        guard !wire.value.isEmpty, !wire.value.hasSuffix("/"),
              !["stdout", "-"].contains(wire.value)
        else {
            diagnostics.error(wire.location, wire.path,
                              "expected stderr or the path of a file, such as "
                                  + "/var/log/chaperone/audit.jsonl")
            return nil
        }
        let path = FileSystem.resolve(wire.value, relativeTo: baseDirectory)
        if case .sqlite(let storePath)? = store,
           [storePath, storePath + "-wal", storePath + "-shm"].contains(path)
        {
            diagnostics.error(wire.location, wire.path,
                              "is the audit store itself: the mirror needs a file of its own")
            return nil
        }
        return .file(path)
    }

    /// `signing_key`: `{file: PATH}` or `{env: NAME}` holding an Ed25519 private key in
    /// PEM. The default file is read when it exists and otherwise left for the log to
    /// generate. Messages name the source, never the key.
    private mutating func auditSigningKey(_ section: WireAudit?, wire: WireConfig)
        -> (source: KeySource, key: AuditSigningKeySource)?
    {
        let place = section?.signingKey.map { ($0.location, $0.path) }
            ?? (section?.location ?? wire.location, "audit.signing_key")
        var bytes: [UInt8]
        let source: KeySource
        var note = ""
        switch section?.signingKey?.source {
        case .environment(let name)?:
            source = .environment(name)
            guard let value = secrets.environment(name) else {
                diagnostics.error(place.0, place.1, "environment variable \(name) is not set")
                return nil
            }
            bytes = Array(value.utf8)
        case .file(let path)?:
            let resolved = FileSystem.resolve(path, relativeTo: baseDirectory)
            source = .file(resolved)
            switch secrets.readFile(resolved) {
            case .failure(let error):
                diagnostics.error(place.0, place.1, "cannot read \(resolved): \(error)")
                return nil
            case .success(let contents):
                bytes = contents
            }
        case nil:
            let resolved = FileSystem.resolve(AuditSettings.defaultKeyFile,
                                              relativeTo: baseDirectory)
            source = .file(resolved)
            note = " (the default audit signing key)"
            guard case .success(let contents) = secrets.readFile(resolved) else {
                return (source, .generatedIfMissing(path: resolved))
            }
            bytes = contents
        }
        defer { bytes.wipe() }
        do {
            return (source, .key(try AuditSigningKey(pem: bytes)))
        } catch {
            diagnostics.error(place.0, place.1, "\(source)\(note) \(error)")
            return nil
        }
    }
}
