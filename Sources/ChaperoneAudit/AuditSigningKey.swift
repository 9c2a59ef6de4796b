import COpenSSL

/// The Ed25519 private key that signs checkpoints, read from PEM (PKCS #8, what
/// `openssl genpkey -algorithm ed25519` writes) or generated. It never prints itself:
/// its description names only its public key.
public final class AuditSigningKey: @unchecked Sendable, CustomStringConvertible {
    // Set once in init and only read afterwards; libcrypto lets threads sign with one
    // key at once, each call with a context of its own.
    private let key: OpaquePointer
    public let publicKey: AuditPublicKey

    /// Reads a PEM private key. An encrypted key is refused: nothing could type its
    /// passphrase when the proxy starts.
    public convenience init(pem: [UInt8]) throws(AuditFailure) {
        let parsed = pem.withUnsafeBytes { bytes in
            Result { () throws(AuditFailure) in try Self.read(bytes) }
        }
        try self.init(owning: parsed.get())
    }

    /// A fresh key from libcrypto's random generator.
    public static func generate() throws(AuditFailure) -> AuditSigningKey {
        let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil)
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1,
              let key
        else {
            ERR_clear_error()
            throw .signingKey("libcrypto could not generate an Ed25519 key")
        }
        return try AuditSigningKey(owning: key)
    }

    private init(owning key: OpaquePointer) throws(AuditFailure) {
        var raw = [UInt8](repeating: 0, count: AuditPublicKey.byteCount)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1,
              length == AuditPublicKey.byteCount, let publicKey = AuditPublicKey(bytes: raw)
        else {
            EVP_PKEY_free(key)
            ERR_clear_error()
            throw .signingKey("libcrypto could not derive the public key")
        }
        self.key = key
        self.publicKey = publicKey
    }

    deinit { EVP_PKEY_free(key) }

    private static func read(_ pem: UnsafeRawBufferPointer) throws(AuditFailure) -> OpaquePointer {
        guard let bio = BIO_new_mem_buf(pem.baseAddress, Int32(clamping: pem.count)) else {
            throw .signingKey("libcrypto could not read the key")
        }
        defer { BIO_free(bio) }
        // A callback that gives no passphrase: without one, libcrypto would prompt on the
        // terminal for an encrypted key.
        let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        ERR_clear_error()
        guard let key else {
            throw .signingKey("is not an unencrypted PEM private key (create one with: "
                                  + "openssl genpkey -algorithm ed25519)")
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw .signingKey("is a private key, but not an Ed25519 one (create one with: "
                                  + "openssl genpkey -algorithm ed25519)")
        }
        return key
    }

    /// The key as PKCS #8 PEM, for writing to its file. The caller wipes the copy.
    public func pem() throws(AuditFailure) -> [UInt8] {
        // Secure-heap memory, cleared when freed.
        guard let bio = BIO_new(BIO_s_secmem()) else {
            throw .signingKey("libcrypto could not write the key")
        }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else {
            ERR_clear_error()
            throw .signingKey("libcrypto could not write the key")
        }
        var start: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &start)
        guard length > 0, let start else { throw .signingKey("libcrypto wrote no key") }
        return Array(UnsafeRawBufferPointer(start: start, count: length))
    }

    /// An Ed25519 signature (64 bytes) over `message`.
    public func sign(_ message: [UInt8]) throws(AuditFailure) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .signingKey("out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: AuditPublicKey.signatureByteCount)
        var length = signature.count
        let signed = EVP_DigestSignInit(context, nil, nil, nil, key) == 1
            && EVP_DigestSign(context, &signature, &length, message, message.count) == 1
        guard signed, length == AuditPublicKey.signatureByteCount else {
            ERR_clear_error()
            throw .signingKey("libcrypto could not sign the checkpoint")
        }
        return signature
    }

    public var description: String { "Ed25519 audit signing key (public key \(publicKey))" }
}

/// The public half of an audit signing key: 32 raw bytes, written as 64 hex digits.
public struct AuditPublicKey: Sendable, Hashable, CustomStringConvertible {
    static let byteCount = 32
    static let signatureByteCount = 64

    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex, count: Self.byteCount) else { return nil }
        self.bytes = bytes
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    /// Whether `signature` is this key's Ed25519 signature over `message`.
    func verifies(_ signature: [UInt8], over message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureByteCount,
              let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, bytes, bytes.count)
        else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        let verified = EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1
            && EVP_DigestVerify(context, signature, signature.count, message,
                                message.count) == 1
        // A failed check leaves entries on this thread's error queue that nobody reads.
        if !verified { ERR_clear_error() }
        return verified
    }
}
