import COpenSSL

extension JSONWebKey {
    /// Checks `signature` over `signingInput` (the token's ASCII `header.payload`) with this
    /// key and `algorithm`, which the caller has already matched to the key.
    func verify(_ signature: [UInt8], over signingInput: UnsafeRawBufferPointer,
                algorithm: JWSAlgorithm) throws(TokenFailure)
    {
        // Lengths are exact: an RSA signature is as long as the modulus, ECDSA's r || s
        // and Ed25519's are fixed. Anything else is not a signature made with this key.
        guard signature.count == signatureLength else { throw .malformedSignature }

        let verified: Bool
        if case .ellipticCurve(let curve) = kind {
            guard let der = ECDSASignature.der(fromJOSE: signature, curve: curve) else {
                throw .malformedSignature
            }
            verified = digestVerify(der, over: signingInput, algorithm: algorithm)
        } else {
            verified = digestVerify(signature, over: signingInput, algorithm: algorithm)
        }
        guard verified else { throw .signatureMismatch }
    }

    /// One EVP_DigestVerify with a context of its own, so concurrent calls share nothing
    /// but the read-only key.
    private func digestVerify(_ signature: [UInt8], over input: UnsafeRawBufferPointer,
                              algorithm: JWSAlgorithm) -> Bool
    {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }

        // The key context belongs to `context` and is freed with it.
        var keyContext: OpaquePointer?
        var ready = EVP_DigestVerifyInit(context, &keyContext, algorithm.digest, nil,
                                         publicKey) == 1
        if ready && algorithm == .ps256 {
            // RFC 7518 §3.5: MGF1 with the same hash, and a salt as long as the hash.
            ready = EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, EVP_sha256()) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, 32) == 1
        }
        let verified = ready && EVP_DigestVerify(
            context, signature, signature.count,
            input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1

        // A failed verification leaves entries on this thread's OpenSSL error queue;
        // nothing reads them, so they must not linger for the next caller that does.
        if !verified { ERR_clear_error() }
        return verified
    }
}

extension JWSAlgorithm {
    /// The message digest that the signature covers; EdDSA hashes internally and takes none.
    fileprivate var digest: OpaquePointer? {
        switch self {
        case .rs256, .ps256, .es256: EVP_sha256()
        case .rs384, .es384: EVP_sha384()
        case .rs512: EVP_sha512()
        case .edDSA: nil
        }
    }
}
