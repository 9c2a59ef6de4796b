import COpenSSL

/// One public signing key from a JWKS (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2), imported
/// into OpenSSL and checked once, when the key set is read.
///
/// `@unchecked Sendable` is sound because the key never changes after `init`, and OpenSSL 3
/// allows any number of threads to verify with one shared EVP_PKEY at once as long as none
/// modifies it; each verification uses its own EVP_MD_CTX.
final class JSONWebKey: @unchecked Sendable {
    /// The `kid` member, when the key has one.
    let keyID: String?
    let kind: KeyKind
    /// The `alg` member, when the key has one: then it verifies that algorithm only.
    let algorithm: JWSAlgorithm?
    /// The exact length in bytes of a signature made with this key.
    let signatureLength: Int
    /// The EVP_PKEY, owned by this object.
    let publicKey: OpaquePointer

    deinit { EVP_PKEY_free(publicKey) }

    /// Reads and imports the key `jwk`, or says why it cannot be used for verification.
    init(jwk: JSONValue) throws(KeyRejection) {
        guard jwk.isObject else { throw .notAnObject }
        if let kid = jwk[member: "kid"] {
            guard let text = kid.string else { throw .keyIDNotAString }
            keyID = text
        } else {
            keyID = nil
        }
        if let use = jwk[member: "use"], !use.isString("sig") { throw .notForSignatures }
        if let operations = jwk[member: "key_ops"] {
            guard let list = operations.elements, list.contains(where: { $0.isString("verify") })
            else { throw .notForSignatures }
        }
        if let alg = jwk[member: "alg"] {
            guard let bytes = alg.stringBytes, let named = JWSAlgorithm(name: bytes) else {
                throw .unsupportedAlgorithm
            }
            algorithm = named
        } else {
            algorithm = nil
        }

        let kind = try Self.kind(of: jwk)
        if let algorithm, algorithm.keyKind != kind { throw .algorithmDoesNotFitKey }

        // A published key set must not carry private keys; using such a set would hide
        // a leak that its owner needs to hear about.
        let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth"]
        if privateMembers.contains(where: { jwk[member: $0] != nil }) {
            throw .privateKeyMaterial
        }

        switch kind {
        case .rsa: (publicKey, signatureLength) = try Self.importRSA(jwk)
        case .ellipticCurve(let curve): (publicKey, signatureLength) = try Self.importEC(jwk, curve)
        case .ed25519: (publicKey, signatureLength) = try Self.importEd25519(jwk)
        }
        self.kind = kind
    }

    /// True when this key may verify a signature made with `algorithm`: the key type and
    /// curve fit the algorithm, and the key's own `alg`, if any, names it.
    func canVerify(_ algorithm: JWSAlgorithm) -> Bool {
        algorithm.keyKind == kind && (self.algorithm == nil || self.algorithm == algorithm)
    }

    /// RSA keys below 2048 bits are refused (RFC 7518 §3.3); above 16384 bits OpenSSL
    /// refuses to verify at all.
    static let minimumRSABits = 2048
    static let maximumRSABits = 16384

    /// The kind of key from `kty` and, for curves, `crv`.
    private static func kind(of jwk: JSONValue) throws(KeyRejection) -> KeyKind {
        guard let type = jwk[member: "kty"] else { throw .unsupportedKeyType }
        if type.isString("RSA") { return .rsa }
        let curve = jwk[member: "crv"]
        if type.isString("EC") {
            if curve?.isString(Curve.p256.joseName) == true { return .ellipticCurve(.p256) }
            if curve?.isString(Curve.p384.joseName) == true { return .ellipticCurve(.p384) }
            throw .unsupportedCurve
        }
        if type.isString("OKP") {
            if curve?.isString("Ed25519") == true { return .ed25519 }
            throw .unsupportedCurve
        }
        throw .unsupportedKeyType
    }

    private static func importRSA(_ jwk: JSONValue) throws(KeyRejection)
        -> (OpaquePointer, signatureLength: Int)
    {
        let modulus = try strippingLeadingZeros(decodedMember("n", of: jwk))
        let exponent = try strippingLeadingZeros(decodedMember("e", of: jwk))
        let bits = modulus.first.map { modulus.count * 8 - $0.leadingZeroBitCount } ?? 0
        guard bits >= minimumRSABits else { throw .rsaModulusTooSmall(bits: bits) }
        guard bits <= maximumRSABits else { throw .rsaModulusTooLarge(bits: bits) }
        // An exponent of 1 makes every padded digest its own signature; even exponents are
        // not RSA at all. Exponents wider than 64 bits are not used in practice.
        guard let last = exponent.last, last & 1 == 1, exponent != [1], exponent.count <= 8 else {
            throw .rsaExponentInvalid
        }
        return (try PublicKeyImport.rsa(modulus: modulus, exponent: exponent), modulus.count)
    }

    private static func importEC(_ jwk: JSONValue, _ curve: Curve) throws(KeyRejection)
        -> (OpaquePointer, signatureLength: Int)
    {
        // RFC 7518 §6.2.1.2: coordinates are always full length, never trimmed.
        let x = try decodedMember("x", of: jwk)
        let y = try decodedMember("y", of: jwk)
        guard x.count == curve.coordinateLength, y.count == curve.coordinateLength else {
            throw .wrongCoordinateLength
        }
        let key = try PublicKeyImport.ellipticCurve(curve, x: x, y: y)
        return (key, 2 * curve.coordinateLength)
    }

    private static func importEd25519(_ jwk: JSONValue) throws(KeyRejection)
        -> (OpaquePointer, signatureLength: Int)
    {
        let x = try decodedMember("x", of: jwk)
        guard x.count == 32 else { throw .wrongCoordinateLength }
        return (try PublicKeyImport.ed25519(x), 64)
    }

    private static func decodedMember(_ name: String, of jwk: JSONValue) throws(KeyRejection)
        -> [UInt8]
    {
        guard let text = jwk[member: name]?.stringBytes else { throw .missingMember(name) }
        guard let bytes = Base64URL.decode(text), !bytes.isEmpty else {
            throw .badEncoding(name)
        }
        return bytes
    }

    /// RFC 7518 forbids leading zero octets in `n` and `e`, but some issuers emit them;
    /// they change nothing about the number, so they are tolerated.
    private static func strippingLeadingZeros(_ bytes: [UInt8]) -> [UInt8] {
        Array(bytes.drop { $0 == 0 })
    }
}

/// Why a key in a JWKS cannot be used. The key is skipped, not the whole set.
enum KeyRejection: Error, Equatable {
    case notAnObject
    case keyIDNotAString
    case notForSignatures
    case unsupportedAlgorithm
    case privateKeyMaterial
    case unsupportedKeyType
    case algorithmDoesNotFitKey
    case missingMember(String)
    case badEncoding(String)
    case rsaModulusTooSmall(bits: Int)
    case rsaModulusTooLarge(bits: Int)
    case rsaExponentInvalid
    case unsupportedCurve
    case wrongCoordinateLength
    case pointNotOnCurve
    case invalidPublicKey
    case importFailed

    var reason: String {
        switch self {
        case .notAnObject: "it is not a JSON object"
        case .keyIDNotAString: "its \"kid\" is not a string"
        case .notForSignatures: "its \"use\" or \"key_ops\" does not allow verifying signatures"
        case .unsupportedAlgorithm: "its \"alg\" is not an algorithm tokens may be signed with"
        case .privateKeyMaterial: "it contains private key material, which a JWKS must not publish"
        case .unsupportedKeyType: "its \"kty\" is not RSA, EC or OKP"
        case .algorithmDoesNotFitKey: "its \"alg\" does not fit its key type or curve"
        case .missingMember(let name): "it has no string \"\(name)\""
        case .badEncoding(let name): "its \"\(name)\" is not base64url"
        case .rsaModulusTooSmall(let bits):
            "its RSA modulus has \(bits) bits, fewer than \(JSONWebKey.minimumRSABits)"
        case .rsaModulusTooLarge(let bits):
            "its RSA modulus has \(bits) bits, more than \(JSONWebKey.maximumRSABits)"
        case .rsaExponentInvalid: "its RSA exponent is not an odd number above 1 of at most 64 bits"
        case .unsupportedCurve: "its curve is not P-256, P-384 or Ed25519"
        case .wrongCoordinateLength: "its coordinates do not have the curve's length"
        case .pointNotOnCurve: "its point is not a valid point on the curve"
        case .invalidPublicKey: "OpenSSL refused it as a public key"
        case .importFailed: "OpenSSL could not import it"
        }
    }
}
