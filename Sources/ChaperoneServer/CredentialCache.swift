/// One event loop's copy of the credentials it has used, in front of the minter's shared
/// cache: a hot credential then costs a dictionary lookup on the loop's own thread, with no
/// lock shared with other loops. Entries leave when they expire, when the upstream refuses
/// them, and, when full, the expired ones first and then arbitrary ones.
struct CredentialCache {
    private var entries: [MintKey: MintedCredential] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The credential for `key` if it is still good at `now` (seconds since the epoch).
    func lookup(_ key: MintKey, now: Int64) -> MintedCredential? {
        guard let credential = entries[key], now < credential.goodUntil else { return nil }
        return credential
    }

    mutating func insert(_ credential: MintedCredential, for key: MintKey, now: Int64) {
        guard now < credential.goodUntil else { return }
        if entries.count >= capacity {
            entries = entries.filter { now < $0.value.goodUntil }
            while entries.count >= capacity, let first = entries.first {
                entries.removeValue(forKey: first.key)
            }
        }
        entries[key] = credential
    }

    /// Drops `credential` if it is still the one kept for `key`.
    mutating func remove(_ credential: MintedCredential, for key: MintKey) {
        if entries[key] === credential { entries[key] = nil }
    }

    mutating func removeAll() { entries.removeAll() }
}
