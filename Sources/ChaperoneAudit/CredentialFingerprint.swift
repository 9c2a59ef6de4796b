/// Names the credential a request was forwarded with, without revealing it: the first 16
/// bytes of SHA-256 over the label `chaperone audit credential v1`, a zero byte and the
/// credential's bytes, as 32 lower-case hex digits.
///
/// Whoever holds a credential can compute its fingerprint and find the records of its
/// use; the record alone does not give the credential back, since every credential the
/// proxy injects (an access token, an API key) is far too random to guess from its hash.
/// The label keeps the fingerprint apart from a plain SHA-256 of the same bytes that
/// something else might publish.
public struct CredentialFingerprint: Sendable, Hashable, CustomStringConvertible {
    static let byteCount = 16
    private static let label: StaticString = "chaperone audit credential v1"

    public let hex: String

    public init(credential: UnsafeRawBufferPointer) {
        let digest = Self.label.withUTF8Buffer { label in
            withUnsafeBytes(of: UInt8(0)) { zero in
                SHA256.digest([UnsafeRawBufferPointer(label), zero, credential])
            }
        }
        hex = Hex.encode(digest.prefix(Self.byteCount))
    }

    public init(credential: String) {
        var text = credential
        self = text.withUTF8 { CredentialFingerprint(credential: UnsafeRawBufferPointer($0)) }
    }

    /// A fingerprint as records store it: 32 lower-case hex digits.
    public init?(hex: String) {
        guard Hex.decode(hex, count: Self.byteCount) != nil else { return nil }
        self.hex = hex
    }

    public var description: String { hex }
}
