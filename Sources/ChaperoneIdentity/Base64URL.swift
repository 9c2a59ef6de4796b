import COpenSSL

/// Strict base64url (RFC 4648 §5) as JWS and JWK use it (RFC 7515 §2): no padding, no
/// whitespace, and only the canonical encoding of each byte string.
///
/// Strictness matters because a lenient decoder gives one token many spellings: a cache,
/// a replay check or an audit hash that keys on the token text would then see different
/// tokens where the signature sees one.
public enum Base64URL {
    /// `bytes` in unpadded base64url, the canonical spelling `decode` accepts.
    public static func encode(_ bytes: [UInt8]) -> String {
        var encoded = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let length = Int(EVP_EncodeBlock(&encoded, bytes, Int32(bytes.count)))
        return String(decoding: encoded.prefix(length).compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }, as: UTF8.self)
    }

    /// The decoded bytes, or nil when `text` is not canonical unpadded base64url: a
    /// character outside `A-Z a-z 0-9 - _`, a length that leaves a single character over,
    /// or unused bits in the last character that are not zero.
    static func decode(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        let remainder = text.count % 4
        guard remainder != 1 else { return nil }
        let count = text.count / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
        var valid = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            valid = decode(text, into: out)
            initialized = valid ? count : 0
        }
        return valid ? bytes : nil
    }

    /// Convenience for tests and key sets held as strings.
    static func decode(_ text: String) -> [UInt8]? {
        var copy = text
        return copy.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes into `out`, which holds exactly the decoded length; false on any defect.
    private static func decode(_ text: UnsafeRawBufferPointer,
                               into out: UnsafeMutableBufferPointer<UInt8>) -> Bool
    {
        var written = 0
        var index = 0
        while index + 4 <= text.count {
            let a = sextet(text[index]), b = sextet(text[index + 1])
            let c = sextet(text[index + 2]), d = sextet(text[index + 3])
            guard a | b | c | d < 64 else { return false }
            out[written] = a << 2 | b >> 4
            out[written + 1] = b << 4 | c >> 2
            out[written + 2] = c << 6 | d
            written += 3
            index += 4
        }

        switch text.count - index {
        case 2:
            let a = sextet(text[index]), b = sextet(text[index + 1])
            // The low four bits of `b` fall outside the one decoded byte.
            guard a | b < 64, b & 0x0F == 0 else { return false }
            out[written] = a << 2 | b >> 4
        case 3:
            let a = sextet(text[index]), b = sextet(text[index + 1]), c = sextet(text[index + 2])
            // The low two bits of `c` fall outside the two decoded bytes.
            guard a | b | c < 64, c & 0x03 == 0 else { return false }
            out[written] = a << 2 | b >> 4
            out[written + 1] = b << 4 | c >> 2
        default:
            break
        }
        return true
    }

    /// The six-bit value of a base64url character, or 0xFF for any other byte.
    @inline(__always)
    private static func sextet(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: 0xFF
        }
    }
}
