/// A link of the chain: hash_n = SHA-256(hash_{n-1} || canonical_n), where hash_0 is 32
/// zero bytes and canonical_n the record's canonical JSON in UTF-8. Changing, removing,
/// inserting or reordering a record changes every hash from there on.
public struct AuditHash: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// The hash before the first record.
    public static let zero = AuditHash(unchecked: [UInt8](repeating: 0, count: SHA256.byteCount))

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Exactly 32 bytes, else nil.
    public init?(bytes: [UInt8]) {
        guard bytes.count == SHA256.byteCount else { return nil }
        self.bytes = bytes
    }

    /// 64 lower-case hex digits, else nil.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex, count: SHA256.byteCount) else { return nil }
        self.bytes = bytes
    }

    /// The hash of the record whose canonical text is `canonical`, following this one.
    public func chained(_ canonical: String) -> AuditHash {
        var text = canonical
        let digest = bytes.withUnsafeBytes { previous in
            text.withUTF8 { SHA256.digest([previous, UnsafeRawBufferPointer($0)]) }
        }
        return AuditHash(unchecked: digest)
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}
