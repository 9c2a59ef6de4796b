/// Standard base64 (RFC 4648 §4), as `openssl rand -base64 32` writes it, decoded into a
/// buffer the caller owns so that decoded key material never passes through an array.
enum Base64 {
    /// How many bytes `text` decodes to, or nil when it is not base64: a character outside
    /// `A-Z a-z 0-9 + /`, padding anywhere but at the end, or a length that leaves a
    /// single character over. Padding is optional.
    static func decodedCount(_ text: UnsafeRawBufferPointer) -> Int? {
        var length = text.count
        var padding = 0
        while length > 0, text[length - 1] == UInt8(ascii: "="), padding < 2 {
            length -= 1
            padding += 1
        }
        guard length % 4 != 1, padding == 0 || (length + padding) % 4 == 0 else { return nil }
        for index in 0..<length where sextet(text[index]) == invalid { return nil }
        return length / 4 * 3 + (length % 4 == 0 ? 0 : length % 4 - 1)
    }

    /// Decodes `text`, already checked by `decodedCount`, into `out`, which holds exactly
    /// the decoded length.
    static func decode(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        var accumulator: UInt32 = 0
        var bits = 0
        var written = 0
        for byte in text where byte != UInt8(ascii: "=") {
            accumulator = accumulator << 6 | UInt32(sextet(byte))
            bits += 6
            if bits >= 8 {
                bits -= 8
                guard written < out.count else { return }
                out[written] = UInt8(truncatingIfNeeded: accumulator >> bits)
                written += 1
            }
        }
    }

    private static let invalid: UInt8 = 0xFF

    private static func sextet(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: invalid
        }
    }
}
