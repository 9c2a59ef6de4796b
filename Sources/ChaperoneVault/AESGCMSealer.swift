import COpenSSL

/// AES-256-GCM through libcrypto's EVP interface: a fresh 12-byte random nonce for every
/// seal, the binding (user, connection, key id) as associated data, a 16-byte tag.
///
/// A random nonce is safe here because a vault seals few tokens: at 2^32 seals under one
/// key the chance of a repeated nonce is still about 2^-33, and rotating the key resets
/// the count.
public struct AESGCMSealer: TokenSealer {
    public static let nonceCount = 12
    public static let tagCount = 16

    public init() {}

    public func seal(_ token: SecretBytes, binding: SealBinding,
                     key: VaultKey) throws(VaultError) -> SealedToken
    {
        var nonce = [UInt8](repeating: 0, count: Self.nonceCount)
        guard RAND_bytes(&nonce, Int32(nonce.count)) == 1 else {
            ERR_clear_error()
            throw .crypto("no random bytes for a nonce")
        }
        let associatedData = binding.associatedData(keyID: key.id)
        guard let context = EVP_CIPHER_CTX_new() else { throw .crypto("out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }

        var ciphertext = [UInt8](repeating: 0, count: token.count + Self.tagCount)
        let sealed = key.material.withUnsafeBytes { key in
            token.withUnsafeBytes { plaintext in
                ciphertext.withUnsafeMutableBufferPointer { out in
                    var length: Int32 = 0
                    var finalLength: Int32 = 0
                    let output = out.baseAddress!
                    return start(context, encrypt: true, key: key, nonce: nonce)
                        && EVP_EncryptUpdate(context, nil, &length, associatedData,
                                             Int32(associatedData.count)) == 1
                        && EVP_EncryptUpdate(context, output, &length, bytes(plaintext),
                                             Int32(plaintext.count)) == 1
                        && EVP_EncryptFinal_ex(context, output + Int(length),
                                               &finalLength) == 1
                        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG,
                                               Int32(Self.tagCount),
                                               output + plaintext.count) == 1
                }
            }
        }
        guard sealed else {
            ERR_clear_error()
            throw .crypto("AES-256-GCM sealing failed")
        }
        return SealedToken(nonce: nonce, ciphertext: ciphertext)
    }

    public func open(_ sealed: SealedToken, binding: SealBinding,
                     key: VaultKey) throws(VaultError) -> SecretBytes
    {
        let tampered = VaultError.tampered(user: binding.user, connection: binding.connection)
        guard sealed.nonce.count == Self.nonceCount, sealed.ciphertext.count >= Self.tagCount
        else { throw tampered }
        let associatedData = binding.associatedData(keyID: key.id)
        guard let context = EVP_CIPHER_CTX_new() else { throw .crypto("out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }

        let textCount = sealed.ciphertext.count - Self.tagCount
        var tag = Array(sealed.ciphertext[textCount...])
        // Plaintext is written before the tag is checked; on a mismatch the buffer is
        // wiped and released without anyone reading it.
        return try SecretBytes(capacity: textCount) { (out) throws(VaultError) -> Int in
            var length: Int32 = 0
            var finalLength: Int32 = 0
            let opened = key.material.withUnsafeBytes { key in
                start(context, encrypt: false, key: key, nonce: sealed.nonce)
                    && EVP_DecryptUpdate(context, nil, &length, associatedData,
                                         Int32(associatedData.count)) == 1
                    && EVP_DecryptUpdate(context, bytes(out), &length, sealed.ciphertext,
                                         Int32(textCount)) == 1
                    && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG,
                                           Int32(Self.tagCount), &tag) == 1
                    && EVP_DecryptFinal_ex(context, bytes(out) + Int(length),
                                           &finalLength) == 1
            }
            guard opened else {
                ERR_clear_error()
                throw tampered
            }
            return textCount
        }
    }

    /// Selects AES-256-GCM with a 12-byte nonce, then sets the key and nonce.
    private func start(_ context: OpaquePointer, encrypt: Bool, key: UnsafeRawBufferPointer,
                       nonce: [UInt8]) -> Bool
    {
        let initialise = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex
        return key.count == VaultKey.byteCount
            && initialise(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
            && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count),
                                   nil) == 1
            && initialise(context, nil, nil, bytes(key), nonce) == 1
    }
}

private func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
    buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
}

private func bytes(_ buffer: UnsafeMutableRawBufferPointer) -> UnsafeMutablePointer<UInt8> {
    buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
}
