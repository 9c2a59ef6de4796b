import COpenSSL

/// The wire format of an RFC 8693 token exchange at an OAuth token endpoint: the request
/// form and the reading of the answer. Sending it is the caller's business.
public enum TokenExchange {
    public static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    public static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    /// What the endpoint said.
    public enum Outcome: Sendable, Equatable {
        /// The issued token's text.
        case issued([UInt8])
        /// The endpoint refused the subject token (`invalid_grant`, `invalid_request`,
        /// `invalid_token`): the caller's fault. The error code is quoted, never the token.
        case refused(String)
        /// Anything else: the endpoint or Chaperone's own client registration failed.
        case failed(String)
    }

    /// The `application/x-www-form-urlencoded` body (RFC 6749 Appendix B).
    public static func form(_ fields: [(String, String)]) -> [UInt8] {
        var body: [UInt8] = []
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { body.append(UInt8(ascii: "&")) }
            appendEncoded(name, to: &body)
            body.append(UInt8(ascii: "="))
            appendEncoded(value, to: &body)
        }
        return body
    }

    /// `Basic` credentials for `client_secret_basic`: the id and secret are form-encoded
    /// first, as RFC 6749 §2.3.1 asks, then joined and base64-encoded.
    public static func basicCredentials(clientID: String, secret: String) -> String {
        var joined: [UInt8] = []
        appendEncoded(clientID, to: &joined)
        joined.append(UInt8(ascii: ":"))
        appendEncoded(secret, to: &joined)
        var encoded = [UInt8](repeating: 0, count: (joined.count + 2) / 3 * 4 + 1)
        let length = EVP_EncodeBlock(&encoded, joined, Int32(joined.count))
        return "Basic " + String(decoding: encoded.prefix(Int(length)), as: UTF8.self)
    }

    /// Reads the endpoint's answer: a 200 with an `access_token`, or an OAuth error
    /// (RFC 6749 §5.2).
    public static func outcome(status: Int, body: [UInt8]) -> Outcome {
        typealias Fields = (token: String?, type: String?, error: String?)
        let fields = body.withUnsafeBytes { bytes -> Result<Fields, JSONParseError> in
            Result { () throws(JSONParseError) -> Fields in
                try withJSONObject(bytes, mapError: { $0 }) {
                    (root) throws(JSONParseError) -> Fields in
                    (root[member: "access_token"]?.string, root[member: "token_type"]?.string,
                     root[member: "error"]?.string)
                }
            }
        }
        guard case .success(let (token, type, error)) = fields else {
            return .failed("the token endpoint answered \(status) without a JSON object")
        }
        if status == 200 {
            guard let token, !token.isEmpty else {
                return .failed("the token endpoint's answer has no access_token")
            }
            if let type, type.lowercased() != "bearer", type.lowercased() != "n_a" {
                return .failed("the token endpoint issued a '\(printable(type))' token, "
                    + "not a bearer token")
            }
            return .issued(Array(token.utf8))
        }
        let code = error.map(printable) ?? "no error code"
        switch error {
        case "invalid_grant", "invalid_request", "invalid_token":
            return .refused("the token endpoint refused the presented token (\(code))")
        default:
            return .failed("the token endpoint answered \(status) (\(code))")
        }
    }

    private static func appendEncoded(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "*"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
    }

    /// At most 64 visible ASCII characters of a value from the endpoint.
    private static func printable(_ text: String) -> String {
        String(decoding: text.utf8.prefix(64).map { $0 >= 0x20 && $0 < 0x7F ? $0 : 0x3F },
               as: UTF8.self)
    }
}
