import CJansson

/// A signed statement that the chain had `hash` at record `sequence`: whoever keeps one
/// away from the store can later tell whether records up to `sequence` were rewritten or
/// the store was cut short before it.
///
/// The signature is Ed25519 over the label `chaperone audit checkpoint v1`, a line
/// break, and `{"seq":N,"hash":"HEX","time":MS}` (compact JSON, in that order). The
/// exported form is one JSON line that adds the public key and the signature, in hex:
///
/// ```json
/// {"seq":1000,"hash":"9c1e…","time":1796292060000,"public_key":"d75a…","signature":"e5564…"}
/// ```
public struct AuditCheckpoint: Sendable, Equatable {
    public var sequence: UInt64
    public var hash: AuditHash
    /// When it was signed, in milliseconds since the Unix epoch.
    public var time: Int64
    public var publicKey: AuditPublicKey
    public var signature: [UInt8]

    public init(sequence: UInt64, hash: AuditHash, time: Int64, publicKey: AuditPublicKey,
                signature: [UInt8])
    {
        self.sequence = sequence
        self.hash = hash
        self.time = time
        self.publicKey = publicKey
        self.signature = signature
    }

    /// Signs the chain's state at `sequence`.
    static func sign(sequence: UInt64, hash: AuditHash, time: Int64,
                     with key: AuditSigningKey) throws(AuditFailure) -> AuditCheckpoint
    {
        let signature = try key.sign(signedBytes(sequence: sequence, hash: hash, time: time))
        return AuditCheckpoint(sequence: sequence, hash: hash, time: time,
                               publicKey: key.publicKey, signature: signature)
    }

    /// Whether the signature is its public key's over its sequence, hash and time.
    public var isSignatureValid: Bool {
        publicKey.verifies(signature,
                           over: Self.signedBytes(sequence: sequence, hash: hash, time: time))
    }

    static func signedBytes(sequence: UInt64, hash: AuditHash, time: Int64) -> [UInt8] {
        var json = CanonicalJSON(capacity: 128)
        json.beginObject()
        json.field("seq", sequence)
        json.field("hash", hash.hex)
        json.field("time", time)
        json.endObject()
        return Array("chaperone audit checkpoint v1\n".utf8) + json.bytes
    }

    /// The exported form: one line of JSON, without the line break.
    public var exportedLine: String {
        var json = CanonicalJSON(capacity: 320)
        json.beginObject()
        json.field("seq", sequence)
        json.field("hash", hash.hex)
        json.field("time", time)
        json.field("public_key", publicKey.hex)
        json.field("signature", Hex.encode(signature))
        json.endObject()
        return json.text
    }

    /// Reads an exported line back. The signature is checked separately, by whoever knows
    /// which public key to trust.
    public init(exportedLine line: String) throws(AuditFailure) {
        var copy = line
        let parsed = copy.withUTF8 { utf8 in
            Result { () throws(AuditFailure) in try Self.parse(UnsafeRawBufferPointer(utf8)) }
        }
        self = try parsed.get()
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) throws(AuditFailure)
        -> AuditCheckpoint
    {
        var error = json_error_t()
        guard let root = json_loadb(bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                                    bytes.count, Int(JSON_REJECT_DUPLICATES), &error),
              root.pointee.type == JSON_OBJECT
        else { throw .malformed("not a JSON object") }
        defer { json_decref(root) }
        func member(_ name: String, _ type: json_type) throws(AuditFailure)
            -> UnsafeMutablePointer<json_t>
        {
            guard let value = json_object_get(root, name), value.pointee.type == type else {
                throw .malformed("has no \(name) of the right type")
            }
            return value
        }
        func text(_ name: String) throws(AuditFailure) -> String {
            String(cString: json_string_value(try member(name, JSON_STRING)))
        }
        let sequence = json_integer_value(try member("seq", JSON_INTEGER))
        let time = json_integer_value(try member("time", JSON_INTEGER))
        guard sequence > 0 else { throw .malformed("seq is not a positive number") }
        guard let hash = AuditHash(hex: try text("hash")) else {
            throw .malformed("hash is not 64 hex digits")
        }
        guard let publicKey = AuditPublicKey(hex: try text("public_key")) else {
            throw .malformed("public_key is not 64 hex digits")
        }
        guard let signature = Hex.decode(try text("signature"),
                                         count: AuditPublicKey.signatureByteCount)
        else { throw .malformed("signature is not 128 hex digits") }
        return AuditCheckpoint(sequence: UInt64(sequence), hash: hash, time: time,
                               publicKey: publicKey, signature: signature)
    }
}
