import CJansson

extension AuditRecord {
    /// Reads a record back from its canonical text, or says why the text is not the
    /// canonical text of any record: not JSON, a member missing, extra or of the wrong
    /// type, or JSON that means a record but is spelt differently from how the log
    /// writes it (which the hash alone would not show if the hash was rewritten too).
    public init(canonicalText text: String) throws(AuditFailure) {
        var copy = text
        let parsed = copy.withUTF8 { utf8 in
            Result { () throws(AuditFailure) in try Self.parse(UnsafeRawBufferPointer(utf8)) }
        }
        self = try parsed.get()
        guard canonicalText == text else {
            throw .malformed("the text is not in canonical form (member order, spacing "
                                 + "or escapes differ from what the log writes)")
        }
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) throws(AuditFailure)
        -> AuditRecord
    {
        var error = json_error_t()
        let flags = Int(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
        guard let root = json_loadb(bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                                    bytes.count, flags, &error)
        else { throw .malformed("not JSON") }
        defer { json_decref(root) }
        let object = JSONMembers(root)
        guard root.pointee.type == JSON_OBJECT else { throw .malformed("not a JSON object") }
        guard json_object_size(root) == 19 else {
            throw .malformed("has \(json_object_size(root)) members, not the 19 of a record")
        }
        guard try object.integer("v") == formatVersion else {
            throw .malformed("format version is not \(formatVersion)")
        }
        let sequence = try object.integer("seq")
        guard sequence > 0 else { throw .malformed("seq is not a positive number") }

        let content = AuditRecordDraft(
            time: try object.integer("time"),
            requestID: try object.string("request_id"),
            user: try object.optionalString("user"),
            actors: try object.actors("actors"),
            route: try object.optionalString("route"),
            method: try object.string("method"),
            path: try object.string("path"),
            decision: try object.decision("decision"),
            reason: try object.string("reason"),
            approval: try object.approval("approval"),
            connection: try object.optionalString("connection"),
            credential: try object.fingerprint("credential"),
            status: Int(try object.integer("status")),
            upstreamStatus: try object.optionalInteger("upstream_status").map { Int($0) },
            durationMicroseconds: try object.unsigned("duration_us"),
            upstreamMicroseconds: try object.optionalUnsigned("upstream_us"),
            approvalMicroseconds: try object.optionalUnsigned("approval_us"))
        return AuditRecord(sequence: UInt64(sequence), content: content)
    }
}

/// The members of a parsed JSON object, read with the type each must have. Borrowed from
/// the document: valid only while the document lives.
private struct JSONMembers {
    let object: UnsafeMutablePointer<json_t>

    init(_ object: UnsafeMutablePointer<json_t>) { self.object = object }

    private func member(_ name: String) throws(AuditFailure) -> UnsafeMutablePointer<json_t> {
        guard let value = json_object_get(object, name) else {
            throw .malformed("has no member \(name)")
        }
        return value
    }

    private func isNull(_ name: String) throws(AuditFailure) -> Bool {
        try member(name).pointee.type == JSON_NULL
    }

    func string(_ name: String) throws(AuditFailure) -> String {
        let value = try member(name)
        guard value.pointee.type == JSON_STRING else {
            throw .malformed("\(name) is not a string")
        }
        let bytes = UnsafeRawBufferPointer(start: json_string_value(value),
                                           count: json_string_length(value))
        return String(decoding: bytes, as: UTF8.self)
    }

    func optionalString(_ name: String) throws(AuditFailure) -> String? {
        try isNull(name) ? nil : try string(name)
    }

    func integer(_ name: String) throws(AuditFailure) -> Int64 {
        let value = try member(name)
        guard value.pointee.type == JSON_INTEGER else {
            throw .malformed("\(name) is not a whole number")
        }
        return json_integer_value(value)
    }

    func optionalInteger(_ name: String) throws(AuditFailure) -> Int64? {
        try isNull(name) ? nil : try integer(name)
    }

    func unsigned(_ name: String) throws(AuditFailure) -> UInt64 {
        let value = try integer(name)
        guard value >= 0 else { throw .malformed("\(name) is negative") }
        return UInt64(value)
    }

    func optionalUnsigned(_ name: String) throws(AuditFailure) -> UInt64? {
        try isNull(name) ? nil : try unsigned(name)
    }

    func decision(_ name: String) throws(AuditFailure) -> AuditDecision {
        guard let decision = AuditDecision(rawValue: try string(name)) else {
            throw .malformed("\(name) is not forwarded, denied or error")
        }
        return decision
    }

    func fingerprint(_ name: String) throws(AuditFailure) -> CredentialFingerprint? {
        guard let text = try optionalString(name) else { return nil }
        guard let fingerprint = CredentialFingerprint(hex: text) else {
            throw .malformed("\(name) is not 32 hex digits")
        }
        return fingerprint
    }

    func approval(_ name: String) throws(AuditFailure) -> AuditApproval? {
        guard try !isNull(name) else { return nil }
        let value = try member(name)
        guard value.pointee.type == JSON_OBJECT, json_object_size(value) == 2 else {
            throw .malformed("\(name) is not an object with id and outcome")
        }
        let members = JSONMembers(value)
        guard let outcome = AuditApproval.Outcome(rawValue: try members.string("outcome")) else {
            throw .malformed("\(name).outcome is not a known outcome")
        }
        return AuditApproval(id: try members.string("id"), outcome: outcome)
    }

    func actors(_ name: String) throws(AuditFailure) -> [AuditActor] {
        let value = try member(name)
        guard value.pointee.type == JSON_ARRAY else { throw .malformed("\(name) is not a list") }
        var actors: [AuditActor] = []
        for index in 0..<json_array_size(value) {
            let actor = json_array_get(value, index)!
            guard actor.pointee.type == JSON_OBJECT, json_object_size(actor) == 2 else {
                throw .malformed("\(name)[\(index)] is not an object with sub and profile")
            }
            let members = JSONMembers(actor)
            actors.append(AuditActor(subject: try members.string("sub"),
                                     profile: try members.optionalString("profile")))
        }
        return actors
    }
}
