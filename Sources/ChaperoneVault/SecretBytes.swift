import COpenSSL

/// Secret material, such as a refresh token or a key, in memory of its own that is zeroed
/// when the last reference goes. It never prints itself: `description`, `debugDescription`
/// and reflection are `<redacted>`, so interpolating one into a log line or an error
/// message cannot leak it.
///
/// The bytes never move: a Swift array may be copied when it grows and leave the old
/// copy behind un-zeroed, so secrets are written straight into this buffer instead.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    // Written only during `init`, read-only afterwards: safe to share between threads.
    private let storage: UnsafeMutableRawBufferPointer
    public let count: Int

    /// Copies `bytes`. The caller remains responsible for wiping its own copy.
    public convenience init(copying bytes: some Collection<UInt8>) {
        self.init(capacity: bytes.count) { buffer in
            buffer.copyBytes(from: bytes)
            return bytes.count
        }
    }

    /// Lets `fill` write up to `capacity` bytes and return how many it wrote; only those
    /// are kept, and the whole buffer is zeroed when released.
    public init<E: Error>(capacity: Int,
                          _ fill: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E)
    {
        storage = .allocate(byteCount: max(capacity, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            count = min(try fill(UnsafeMutableRawBufferPointer(rebasing: storage[..<capacity])),
                        capacity)
        } catch {
            Self.wipe(storage)
            storage.deallocate()
            throw error
        }
    }

    deinit {
        Self.wipe(storage)
        storage.deallocate()
    }

    public var isEmpty: Bool { count == 0 }

    /// The secret, for the one place that must hand it to a cipher or put it on the wire.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R)
        throws(E) -> R
    {
        try body(UnsafeRawBufferPointer(rebasing: storage[..<count]))
    }

    /// Compares in time that depends on the lengths only, not on where the bytes differ.
    public func isEqual(to other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { mine in
            other.withUnsafeBytes { theirs in
                count == 0 || CRYPTO_memcmp(mine.baseAddress, theirs.baseAddress, count) == 0
            }
        }
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Overwrites memory in a way the optimiser may not remove.
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        OPENSSL_cleanse(base, buffer.count)
    }
}

extension Array where Element == UInt8 {
    /// Zeroes the array's bytes in place, for a copy of a secret that had to be an array.
    public mutating func wipe() {
        withUnsafeMutableBytes { SecretBytes.wipe($0) }
    }
}
