import COpenSSL

/// The request side of an OAuth token endpoint (RFC 6749): form bodies and client
/// credentials.
public enum OAuthForm {
    /// The `application/x-www-form-urlencoded` body (RFC 6749 Appendix B). Values may be
    /// secrets: the caller wipes the returned bytes once they are sent.
    public static func encode(_ fields: [(String, String)]) -> [UInt8] {
        var body: [UInt8] = []
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { body.append(UInt8(ascii: "&")) }
            appendEncoded(name.utf8, to: &body)
            body.append(UInt8(ascii: "="))
            appendEncoded(value.utf8, to: &body)
        }
        return body
    }

    /// Appends `&name=value` to a body, for a value held as bytes (a secret that should
    /// not become a `String`).
    public static func append(_ name: String, bytes value: UnsafeRawBufferPointer,
                              to body: inout [UInt8])
    {
        if !body.isEmpty { body.append(UInt8(ascii: "&")) }
        appendEncoded(name.utf8, to: &body)
        body.append(UInt8(ascii: "="))
        appendEncoded(value, to: &body)
    }

    /// Appends `&name=value` for a value that is not secret.
    public static func append(_ name: String, text value: String, to body: inout [UInt8]) {
        var value = value
        value.withUTF8 { append(name, bytes: UnsafeRawBufferPointer($0), to: &body) }
    }

    /// `Basic` credentials for `client_secret_basic`: the id and secret are form-encoded
    /// first, as RFC 6749 §2.3.1 asks, then joined and base64-encoded.
    public static func basicCredentials(clientID: String, secret: String) -> String {
        var joined: [UInt8] = []
        appendEncoded(clientID.utf8, to: &joined)
        joined.append(UInt8(ascii: ":"))
        appendEncoded(secret.utf8, to: &joined)
        var encoded = [UInt8](repeating: 0, count: (joined.count + 2) / 3 * 4 + 1)
        let length = EVP_EncodeBlock(&encoded, joined, Int32(joined.count))
        joined.withUnsafeMutableBytes { wipeBytes($0) }
        return "Basic " + String(decoding: encoded.prefix(Int(length)), as: UTF8.self)
    }

    private static func appendEncoded(_ text: some Sequence<UInt8>, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        for byte in text {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "*"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex.utf8Start[Int(byte >> 4)],
                        hex.utf8Start[Int(byte & 15)]]
            }
        }
    }
}
