extension TokenVerifier {
    /// Reads the protected header and picks the key that must verify the signature.
    ///
    /// Only `alg`, `crit`, `typ` and `kid` are read. Keys come from the configured key
    /// set alone: `jku`, `x5u`, `jwk` and `x5c` are never looked at, so a token cannot
    /// bring or point to the key that is to verify it.
    func selectKey(header: JSONValue, keys: JSONWebKeySet) throws(TokenFailure)
        -> (JWSAlgorithm, JSONWebKey)
    {
        guard let name = header[member: "alg"]?.stringBytes,
              let algorithm = JWSAlgorithm(name: name)
        else { throw .unsupportedAlgorithm }
        guard rules.algorithms.contains(algorithm) else {
            throw .algorithmNotAllowed(algorithm)
        }

        // RFC 7515 §4.1.11: a recipient that does not understand every listed extension
        // must refuse the token. None is understood, and an empty list is itself invalid.
        guard header[member: "crit"] == nil else { throw .criticalExtension }

        if let requiredType {
            guard let type = header[member: "typ"]?.stringBytes,
                  MediaType.normalized(type).elementsEqual(requiredType)
            else { throw .typeMismatch }
        }

        var keyID: UnsafeRawBufferPointer?
        if let member = header[member: "kid"] {
            guard let bytes = member.stringBytes else { throw .invalidKeyID }
            keyID = bytes
        }
        let key = try keys.key(for: keyID, algorithm: algorithm).get()
        return (algorithm, key)
    }
}

/// Media type names as `typ` carries them.
enum MediaType {
    /// Lower-cased ASCII, with `application/` put in front of a name that has no `/`
    /// (RFC 7515 §4.1.9), so that spellings of one type compare equal byte for byte.
    static func normalized<Bytes: Sequence<UInt8>>(_ name: Bytes) -> [UInt8] {
        let upperCase = UInt8(ascii: "A")...UInt8(ascii: "Z")
        var bytes = name.map { upperCase.contains($0) ? $0 | 0x20 : $0 }
        if !bytes.contains(UInt8(ascii: "/")) {
            bytes.insert(contentsOf: "application/".utf8, at: 0)
        }
        return bytes
    }
}
