/// The answer of a CIBA backchannel authentication endpoint (OpenID CIBA Core §7.3, §13).
public enum BackchannelResponse {
    public enum Answer: Sendable, Equatable {
        /// The authority is asking the user. `interval` is the least wait between polls, in
        /// seconds, when the authority said.
        case accepted(authReqID: String, expiresIn: Int64, interval: Int64?)
        /// An OAuth error code (at most 64 printable characters) and the HTTP status.
        case error(code: String, status: Int)
        /// Not a CIBA answer, with the HTTP status; the reason never quotes the body.
        case malformed(String, status: Int)
    }

    public static func read(status: Int, body: [UInt8]) -> Answer {
        let parsed = body.withUnsafeBytes { bytes -> Answer? in
            try? withJSONObject(bytes, mapError: { $0 }) { (root) throws(JSONParseError) in
                answer(status: status, root)
            }
        }
        return parsed ?? .malformed("the backchannel endpoint answered \(status) without a "
            + "JSON object", status: status)
    }

    private static func answer(status: Int, _ root: JSONValue) -> Answer {
        guard status == 200 else {
            guard let code = root[member: "error"]?.string, !code.isEmpty else {
                return .malformed("the backchannel endpoint answered \(status) without an "
                    + "error code", status: status)
            }
            return .error(code: TokenResponse.printable(code), status: status)
        }
        // The id goes back in a form field only; anything outside visible ASCII is refused
        // rather than passed on.
        guard let id = root[member: "auth_req_id"]?.string, !id.isEmpty, id.utf8.count <= 1_024,
              id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            return .malformed("the backchannel endpoint's answer has no usable auth_req_id",
                              status: status)
        }
        guard let expiresIn = seconds(root[member: "expires_in"]), expiresIn > 0 else {
            return .malformed("the backchannel endpoint's answer has no positive expires_in",
                              status: status)
        }
        return .accepted(authReqID: id, expiresIn: expiresIn,
                         interval: seconds(root[member: "interval"]))
    }

    private static func seconds(_ value: JSONValue?) -> Int64? {
        switch value?.number {
        case .integer(let seconds): seconds
        case .real(let seconds) where seconds.isFinite && abs(seconds) < 1e9: Int64(seconds)
        default: nil
        }
    }
}

/// One value of a JSON request body, for showing it to a person.
public enum JSONBodyField {
    /// The value at `path` (member names, or array indices written as numbers) of the JSON
    /// object in `body`, as text: a string as it is, a number or a boolean written out. Nil
    /// when the body is not a JSON object, the path leads nowhere, or it ends at an object,
    /// an array or null.
    public static func text(at path: [String], in body: UnsafeRawBufferPointer) -> String? {
        try? withJSONObject(body, mapError: { $0 }) { (root) throws(JSONParseError) -> String? in
            var value = root
            for name in path {
                if let member = value[member: name] {
                    value = member
                } else if let elements = value.elements, let index = Int(name),
                          elements.indices.contains(index)
                {
                    value = elements[index]
                } else {
                    return nil
                }
            }
            if let text = value.string { return text }
            switch value.number {
            case .integer(let number): return String(number)
            case .real(let number): return String(number)
            case nil: return value.boolean.map { $0 ? "true" : "false" }
            }
        }
    }
}
