import COpenSSL

/// The answer of an OAuth token endpoint to a grant: an issued token (RFC 6749 §5.1,
/// RFC 8693 §2.2.1) or an error (RFC 6749 §5.2).
public enum TokenResponse {
    /// What a successful answer carries. Tokens are bytes, for the caller to move into
    /// memory it wipes; `String`s here are never secret.
    public struct Issued: Sendable {
        public var accessToken: [UInt8]
        /// Seconds the access token lives, when the endpoint said.
        public var expiresIn: Int64?
        /// A new refresh token, when the endpoint rotated it.
        public var refreshToken: [UInt8]?
        /// The scopes granted, when the endpoint said (space separated).
        public var scope: String?
        /// RFC 8693's `issued_token_type`, when present.
        public var issuedTokenType: String?

        /// Zeroes the token bytes, once they have been copied where they belong.
        public mutating func wipe() {
            accessToken.withUnsafeMutableBytes { wipeBytes($0) }
            refreshToken?.withUnsafeMutableBytes { wipeBytes($0) }
        }
    }

    public enum Answer: Sendable {
        case issued(Issued)
        /// An OAuth error: its `error` code (at most 64 printable characters) and the HTTP
        /// status. `error_description` is not kept: providers put user data in it.
        case error(code: String, status: Int)
        /// Not an OAuth answer at all, with its HTTP status; the reason names what was
        /// wrong, never a token.
        case malformed(String, status: Int)
    }

    /// Reads an answer. A 200 must carry an `access_token` of `token_type` bearer (or
    /// RFC 8693's `N_A`); anything else must carry an `error`.
    public static func read(status: Int, body: [UInt8]) -> Answer {
        let parsed = body.withUnsafeBytes { bytes -> Result<Answer, JSONParseError> in
            Result { () throws(JSONParseError) -> Answer in
                try withJSONObject(bytes, mapError: { $0 }) {
                    (root) throws(JSONParseError) -> Answer in answer(status: status, root)
                }
            }
        }
        switch parsed {
        case .success(let answer): return answer
        case .failure: return .malformed("the token endpoint answered \(status) without a "
            + "JSON object", status: status)
        }
    }

    private static func answer(status: Int, _ root: JSONValue) -> Answer {
        guard status == 200 else {
            guard let code = root[member: "error"]?.string, !code.isEmpty else {
                return .malformed("the token endpoint answered \(status) without an error code",
                                  status: status)
            }
            return .error(code: printable(code), status: status)
        }
        guard let token = root[member: "access_token"]?.stringBytes, !token.isEmpty else {
            return .malformed("the token endpoint's answer has no access_token", status: status)
        }
        if let type = root[member: "token_type"]?.string,
           type.lowercased() != "bearer", type.lowercased() != "n_a"
        {
            return .malformed("the token endpoint issued a '\(printable(type))' token, not a "
                + "bearer token", status: status)
        }
        var expiresIn: Int64?
        switch root[member: "expires_in"]?.number {
        case .integer(let seconds): expiresIn = seconds
        case .real(let seconds) where seconds.isFinite && abs(seconds) < 1e15:
            expiresIn = Int64(seconds)
        default: break
        }
        let refresh = root[member: "refresh_token"]?.stringBytes.flatMap { $0.isEmpty ? nil : $0 }
        return .issued(Issued(accessToken: Array(token), expiresIn: expiresIn,
                              refreshToken: refresh.map { Array($0) },
                              scope: root[member: "scope"]?.string,
                              issuedTokenType: root[member: "issued_token_type"]?.string))
    }

    /// At most 64 visible ASCII characters of a value from the endpoint.
    static func printable(_ text: String) -> String {
        String(decoding: text.utf8.prefix(64).map { $0 >= 0x20 && $0 < 0x7F ? $0 : 0x3F },
               as: UTF8.self)
    }
}

/// Zeroes memory in a way the optimiser may not remove.
func wipeBytes(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    OPENSSL_cleanse(base, buffer.count)
}
