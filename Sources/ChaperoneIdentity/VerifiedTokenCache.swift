import COpenSSL

/// Tokens already verified, by the SHA-256 of their text, so that an agent's repeated
/// token costs a hash and a lookup instead of a signature check. A value type: each event
/// loop keeps its own, so lookups take no lock.
///
/// An entry is good until the token expires (plus leeway) and only under the key set it
/// was verified with: a changed key set makes every entry be verified again. The size is
/// bounded; when full, expired entries go first, then arbitrary ones.
public struct VerifiedTokenCache {
    /// The SHA-256 of a token's text.
    public struct Digest: Hashable, Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64)

        public static func == (a: Digest, b: Digest) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
                && a.words.3 == b.words.3
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(words.0) }

        public init(of token: UnsafeRawBufferPointer) {
            words = (0, 0, 0, 0)
            var length: UInt32 = 0
            withUnsafeMutableBytes(of: &words) { out in
                _ = EVP_Digest(token.baseAddress, token.count,
                               out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length,
                               EVP_sha256(), nil)
            }
        }
    }

    private struct Entry {
        var token: VerifiedToken
        var generation: Int
        /// Seconds since the epoch after which the entry is worthless.
        var goodUntil: Int64
    }

    public let capacity: Int
    public let leewaySeconds: Int64
    private var entries: [Digest: Entry] = [:]

    public init(capacity: Int, leewaySeconds: Int64) {
        self.capacity = capacity
        self.leewaySeconds = leewaySeconds
    }

    public var count: Int { entries.count }

    /// The token verified under key set `generation`, if it has not expired by `now`
    /// (seconds since the epoch, leeway included).
    public func lookup(_ digest: Digest, generation: Int, now: Int64) -> VerifiedToken? {
        guard let entry = entries[digest], entry.generation == generation,
              now < entry.goodUntil
        else { return nil }
        return entry.token
    }

    /// Remembers `token` until `goodUntil` (seconds since the epoch), by default its
    /// expiry plus leeway.
    public mutating func insert(_ token: VerifiedToken, for digest: Digest, generation: Int,
                                now: Int64, goodUntil: Int64? = nil)
    {
        guard capacity > 0 else { return }
        if entries.count >= capacity, entries[digest] == nil { makeRoom(now: now) }
        entries[digest] = Entry(token: token, generation: generation,
                                goodUntil: goodUntil ?? token.expiresAt + leewaySeconds)
    }

    /// Drops expired entries; if that frees too little, a tenth of the cache besides, so
    /// that a full cache is not scanned on every insert.
    private mutating func makeRoom(now: Int64) {
        entries = entries.filter { now < $0.value.goodUntil }
        var excess = entries.count - capacity * 9 / 10
        while excess > 0, let first = entries.first {
            entries.removeValue(forKey: first.key)
            excess -= 1
        }
    }
}
