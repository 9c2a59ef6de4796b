/// A JWS signature algorithm (RFC 7518 §3, RFC 8037) that a token may be signed with.
///
/// The set is closed on purpose: `none` and the HMAC algorithms cannot be expressed, so no
/// configuration can allow an unsigned token or an HMAC keyed with a public key.
public enum JWSAlgorithm: String, Sendable, CaseIterable {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    case rs384 = "RS384"
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    case rs512 = "RS512"
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt.
    case ps256 = "PS256"
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
    /// ECDSA on P-384 with SHA-384.
    case es384 = "ES384"
    /// Ed25519 (RFC 8037); Ed448 is not supported.
    case edDSA = "EdDSA"

    /// The kind of key that can verify this algorithm's signatures.
    var keyKind: KeyKind {
        switch self {
        case .rs256, .rs384, .rs512, .ps256: .rsa
        case .es256: .ellipticCurve(.p256)
        case .es384: .ellipticCurve(.p384)
        case .edDSA: .ed25519
        }
    }

    /// The algorithm whose `alg` value is exactly these bytes, compared byte for byte so that
    /// no Unicode equivalence or case folding can turn another name into an allowed one.
    init?(name: UnsafeRawBufferPointer) {
        guard let match = Self.allCases.first(where: { $0.rawValue.utf8.elementsEqual(name) })
        else { return nil }
        self = match
    }
}

/// The kind of public key a JWK holds, as far as verification cares.
enum KeyKind: Equatable, Sendable {
    case rsa
    case ellipticCurve(Curve)
    case ed25519
}

/// The NIST curves that ES256 and ES384 use.
enum Curve: Sendable {
    case p256
    case p384

    /// The curve's name in a JWK's `crv` member.
    var joseName: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        }
    }

    /// The length in bytes of a coordinate, of a scalar, and of each half of a JOSE signature.
    var coordinateLength: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        }
    }

    /// The group's name as OpenSSL's EC key management knows it; static so that the pointer
    /// handed to OSSL_PARAM_BLD stays valid until the parameters are built.
    var openSSLGroupName: StaticString {
        switch self {
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        }
    }

    /// The order n of the base point, big-endian, `coordinateLength` bytes (SEC 2 §2.4.2,
    /// §2.5.1). A signature scalar must lie in [1, n-1].
    var order: [UInt8] {
        switch self {
        case .p256: Self.p256Order
        case .p384: Self.p384Order
        }
    }

    private static let p256Order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84,
        0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]

    private static let p384Order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF,
        0x58, 0x1A, 0x0D, 0xB2, 0x48, 0xB0, 0xA7, 0x7A,
        0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73,
    ]
}
