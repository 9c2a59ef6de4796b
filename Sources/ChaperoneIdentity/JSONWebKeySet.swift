/// An issuer's public signing keys, parsed from a JWKS document (RFC 7517 §5) and imported
/// into OpenSSL once. Immutable: a refreshed JWKS is a new key set.
///
/// A key that cannot be used is skipped and its reason kept in `skipped`: a key of an
/// unsupported type or curve, one meant for encryption (`use` other than `sig`, or
/// `key_ops` without `verify`), one whose `alg` we do not verify or that does not fit the
/// key, one that carries private key material, an RSA modulus under 2048 bits, or a point
/// that is not on its curve. Issuers publish such keys beside good ones, so one of them
/// must not take the others down. A set in which no key at all is usable is an error,
/// though: it can verify nothing, and a caller that keeps its previous set is better off.
public final class JSONWebKeySet: Sendable {
    let keys: [JSONWebKey]

    /// Why each unusable key was skipped, in document order, naming the key by its
    /// position and, when it has a short printable one, its `kid`.
    public let skipped: [String]

    /// Reads a JWKS document: a JSON object whose `keys` member is an array of JWKs.
    public init(json: [UInt8]) throws(KeySetError) {
        let (keys, skipped) = try json.withUnsafeBytes { bytes in
            Result { () throws(KeySetError) in
                try withJSONObject(bytes, mapError: KeySetError.init(parsing:), Self.readKeys)
            }
        }.get()
        guard !keys.isEmpty else { throw .noUsableKeys(skipped: skipped) }
        self.keys = keys
        self.skipped = skipped
    }

    /// Convenience for tests and configuration: reads a JWKS given as text.
    public convenience init(json: String) throws(KeySetError) {
        try self.init(json: Array(json.utf8))
    }

    /// The `kid` of every usable key that has one, in document order.
    public var keyIDs: [String] { keys.compactMap(\.keyID) }

    /// The number of usable keys.
    public var count: Int { keys.count }

    /// The key that must verify a token signed with `algorithm` whose header names
    /// `keyID`.
    ///
    /// With a `kid`, only keys with exactly that `kid` are considered. Without one, the
    /// token is accepted only when the set holds exactly one key able to verify its
    /// algorithm: guessing among several would let a signature be tried against each.
    func key(for keyID: UnsafeRawBufferPointer?, algorithm: JWSAlgorithm)
        -> Result<JSONWebKey, TokenFailure>
    {
        var chosen: JSONWebKey?
        var named = false
        for key in keys {
            if let keyID {
                guard key.keyID?.utf8.elementsEqual(keyID) == true else { continue }
                named = true
            }
            guard key.canVerify(algorithm) else { continue }
            guard chosen == nil else { return .failure(.ambiguousKey) }
            chosen = key
        }

        if let chosen { return .success(chosen) }
        if keyID == nil { return .failure(.noMatchingKey) }
        return .failure(named ? .keyMismatch : .unknownKey)
    }

    /// The usable keys of a JWKS and, for each unusable one, why it was skipped.
    private static func readKeys(_ root: JSONValue) throws(KeySetError)
        -> (keys: [JSONWebKey], skipped: [String])
    {
        guard let members = root[member: "keys"]?.elements else { throw .noKeysArray }
        var keys: [JSONWebKey] = []
        var skipped: [String] = []
        for (index, member) in members.enumerated() {
            do throws(KeyRejection) {
                keys.append(try JSONWebKey(jwk: member))
            } catch {
                skipped.append(describe(key: member, at: index) + ": " + error.reason)
            }
        }
        return (keys, skipped)
    }

    /// "key 3" or "key 3 (kid "abc")": a JWKS comes from the issuer, yet a `kid` is only
    /// repeated when it is short and printable, so a report never carries arbitrary text.
    private static func describe(key: JSONValue, at index: Int) -> String {
        let name = "key \(index)"
        guard let kid = key[member: "kid"]?.stringBytes, kid.count <= 64,
              kid.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") })
        else { return name }
        return name + " (kid \"" + String(decoding: kid, as: UTF8.self) + "\")"
    }
}

/// Why a JWKS document as a whole cannot be used.
public enum KeySetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not JSON, or not a JSON object.
    case invalidJSON
    /// An object in the document names the same member twice.
    case duplicateMember
    /// The document has no `keys` array.
    case noKeysArray
    /// No key in the document can verify signatures; `skipped` says why for each.
    case noUsableKeys(skipped: [String])

    init(parsing error: JSONParseError) {
        self = error == .duplicateMember ? .duplicateMember : .invalidJSON
    }

    public var description: String {
        switch self {
        case .invalidJSON: "the JWKS is not a JSON object"
        case .duplicateMember: "the JWKS names the same member twice in one object"
        case .noKeysArray: "the JWKS has no \"keys\" array"
        case .noUsableKeys(let skipped):
            skipped.isEmpty ? "the JWKS holds no keys"
                : "the JWKS holds no usable key: " + skipped.joined(separator: "; ")
        }
    }
}
