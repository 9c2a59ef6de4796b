import COpenSSL

/// The key-encryption key of a vault: 32 bytes for AES-256-GCM, held in `SecretBytes`.
/// Its `id` names it in the database and in messages; the key itself is never stored.
public struct VaultKey: Sendable, CustomStringConvertible {
    public static let byteCount = 32

    let material: SecretBytes
    public let id: VaultKeyID

    /// Reads a key written either as exactly 32 raw bytes or as base64 of 32 bytes (what
    /// `openssl rand -base64 32` prints), with trailing white space allowed after base64.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(VaultKeyError) {
        if bytes.count == Self.byteCount {
            material = SecretBytes(copying: bytes)
        } else {
            var end = bytes.count
            while end > 0, [0x0A, 0x0D, 0x20, 0x09].contains(bytes[end - 1]) { end -= 1 }
            let text = UnsafeRawBufferPointer(rebasing: bytes[..<end])
            guard Base64.decodedCount(text) == Self.byteCount else {
                throw VaultKeyError(byteCount: bytes.count)
            }
            material = SecretBytes(capacity: Self.byteCount) { out in
                Base64.decode(text, into: out)
                return Self.byteCount
            }
        }
        id = VaultKeyID(of: material)
    }

    public init(parsing bytes: [UInt8]) throws(VaultKeyError) {
        let parsed = bytes.withUnsafeBytes { raw in
            Result { () throws(VaultKeyError) in try VaultKey(parsing: raw) }
        }
        self = try parsed.get()
    }

    /// A fresh key from OpenSSL's random generator.
    public static func generate() throws(VaultError) -> VaultKey {
        var failed = false
        let material = SecretBytes(capacity: byteCount) { out in
            failed = RAND_bytes(out.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                Int32(byteCount)) != 1
            return byteCount
        }
        guard !failed else { throw .crypto("no random bytes for a new key") }
        return VaultKey(material: material)
    }

    private init(material: SecretBytes) {
        self.material = material
        id = VaultKeyID(of: material)
    }

    public var description: String { "vault key \(id)" }
}

/// Why bytes are not a vault key. Says how many bytes there were, never what they were.
public struct VaultKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var byteCount: Int

    public var description: String {
        "holds \(byteCount) bytes, neither a raw 32-byte key nor base64 of one "
            + "(create a key with: openssl rand -base64 32)"
    }
}

/// Names a key without revealing it: the first 8 bytes of SHA-256 over a fixed label and
/// the key, as 16 hex digits. The label keeps the id from being the hash an unrelated
/// use of the same bytes would publish.
public struct VaultKeyID: Sendable, Hashable, CustomStringConvertible {
    public let hex: String

    /// An id as stored in the database: 16 lower-case hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 16, hex.utf8.allSatisfy(Self.isHexDigit) else { return nil }
        self.hex = hex
    }

    init(of key: SecretBytes) {
        var digest = [UInt8](repeating: 0, count: 32)
        let label: StaticString = "chaperone vault key id v1"
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        let hashed = key.withUnsafeBytes { key in
            var length: UInt32 = 0
            return EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1
                && EVP_DigestUpdate(context, label.utf8Start, label.utf8CodeUnitCount) == 1
                && EVP_DigestUpdate(context, key.baseAddress, key.count) == 1
                && EVP_DigestFinal_ex(context, &digest, &length) == 1
        }
        // A made-up id would let records sealed under two keys look alike: stop instead.
        precondition(hashed, "SHA-256 is unavailable in libcrypto")
        let digits = Array("0123456789abcdef".utf8)
        hex = String(decoding: digest.prefix(8).flatMap { [digits[Int($0 >> 4)],
                                                           digits[Int($0 & 0x0F)]] },
                     as: UTF8.self)
    }

    public var description: String { hex }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }
}
