import COpenSSL

/// Turns the numbers of a JWK into OpenSSL public keys. Each function returns an EVP_PKEY
/// that the caller owns and must free, or throws and leaves nothing behind.
enum PublicKeyImport {
    /// An RSA public key from its big-endian modulus and exponent.
    static func rsa(modulus: [UInt8], exponent: [UInt8]) throws(KeyRejection) -> OpaquePointer {
        defer { ERR_clear_error() }
        guard let n = BN_bin2bn(modulus, Int32(modulus.count), nil) else { throw .importFailed }
        defer { BN_free(n) }
        guard let e = BN_bin2bn(exponent, Int32(exponent.count), nil) else { throw .importFailed }
        defer { BN_free(e) }

        guard let builder = OSSL_PARAM_BLD_new() else { throw .importFailed }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard OSSL_PARAM_BLD_push_BN(builder, cString(rsaModulusParameter), n) == 1,
              OSSL_PARAM_BLD_push_BN(builder, cString(rsaExponentParameter), e) == 1
        else { throw .importFailed }
        return try key(ofType: "RSA", from: builder, rejection: .invalidPublicKey)
    }

    /// An EC public key on `curve` from its affine coordinates, each exactly
    /// `curve.coordinateLength` bytes. OpenSSL refuses a point that is not on the curve.
    static func ellipticCurve(_ curve: Curve, x: [UInt8], y: [UInt8]) throws(KeyRejection)
        -> OpaquePointer
    {
        defer { ERR_clear_error() }
        // SEC 1 §2.3.3 uncompressed form: 0x04, then x, then y.
        let point = [0x04] + x + y
        guard let builder = OSSL_PARAM_BLD_new() else { throw .importFailed }
        defer { OSSL_PARAM_BLD_free(builder) }
        let group = curve.openSSLGroupName
        guard OSSL_PARAM_BLD_push_utf8_string(builder, cString(groupParameter), cString(group),
                                              group.utf8CodeUnitCount) == 1
        else { throw .importFailed }

        // The builder keeps a pointer to the point's bytes until it builds the parameters,
        // so the whole import happens while they are pinned.
        return try point.withUnsafeBytes { bytes in
            Result { () throws(KeyRejection) in
                guard OSSL_PARAM_BLD_push_octet_string(builder, cString(publicKeyParameter),
                                                       bytes.baseAddress, bytes.count) == 1
                else { throw .importFailed }
                return try key(ofType: "EC", from: builder, rejection: .pointNotOnCurve)
            }
        }.get()
    }

    /// An Ed25519 public key from its 32 raw bytes (RFC 8037 §2).
    static func ed25519(_ x: [UInt8]) throws(KeyRejection) -> OpaquePointer {
        defer { ERR_clear_error() }
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, x, x.count) else {
            throw .invalidPublicKey
        }
        return key
    }

    /// Builds the key from the parameters in `builder`, then runs OpenSSL's public key
    /// check (for EC: on the curve, not the point at infinity, of the right order).
    private static func key(ofType type: String, from builder: OpaquePointer,
                            rejection: KeyRejection) throws(KeyRejection) -> OpaquePointer
    {
        guard let parameters = OSSL_PARAM_BLD_to_param(builder) else { throw .importFailed }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw .importFailed
        }
        defer { EVP_PKEY_CTX_free(context) }

        var imported: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &imported, chaperone_evp_pkey_public_key_selection(),
                                parameters) == 1,
              let key = imported
        else { throw rejection }

        guard let check = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            EVP_PKEY_free(key)
            throw .importFailed
        }
        defer { EVP_PKEY_CTX_free(check) }
        guard EVP_PKEY_public_check(check) == 1 else {
            EVP_PKEY_free(key)
            throw rejection
        }
        return key
    }

    // OpenSSL's OSSL_PKEY_PARAM_RSA_N, _RSA_E, _GROUP_NAME and _PUB_KEY. OSSL_PARAM_BLD keeps
    // the name pointers it is given until it builds the parameters; a bridged Swift string
    // would be gone by then, so the names are static.
    private static let rsaModulusParameter: StaticString = "n"
    private static let rsaExponentParameter: StaticString = "e"
    private static let groupParameter: StaticString = "group"
    private static let publicKeyParameter: StaticString = "pub"

    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
