import COpenSSL

/// SHA-256 over a few byte ranges in a row, through libcrypto.
enum SHA256 {
    static let byteCount = 32

    static func digest(_ parts: [UnsafeRawBufferPointer]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        var length: UInt32 = 0
        var hashed = EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1
        for part in parts where hashed {
            hashed = EVP_DigestUpdate(context, part.baseAddress, part.count) == 1
        }
        hashed = hashed && EVP_DigestFinal_ex(context, &digest, &length) == 1
        // A made-up hash would break the chain without saying why: stop instead.
        precondition(hashed, "SHA-256 is unavailable in libcrypto")
        return digest
    }
}

/// Lower-case hexadecimal, both ways.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of exactly `count` bytes' worth of lower-case hex digits, else nil.
    static func decode(_ text: String, count: Int) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == count * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
