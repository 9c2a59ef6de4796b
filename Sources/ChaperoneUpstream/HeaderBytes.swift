/// A header line as bytes, with the few operations parsing needs and no `String`.
struct HeaderBytes {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isEmpty: Bool { bytes.isEmpty }
    var first: UInt8? { bytes.first }

    /// Without leading and trailing spaces, tabs, CR and LF.
    func trimmed() -> HeaderBytes {
        var start = 0, end = bytes.count
        while start < end, Self.isWhitespace(bytes[start]) { start += 1 }
        while end > start, Self.isWhitespace(bytes[end - 1]) { end -= 1 }
        return HeaderBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        for index in 0..<prefix.utf8CodeUnitCount where bytes[index] != prefix.utf8Start[index] {
            return false
        }
        return true
    }

    func firstIndex(of byte: UInt8) -> Int? { bytes.firstIndex(of: byte) }

    func prefix(_ count: Int) -> HeaderBytes {
        HeaderBytes(UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
    }

    func dropFirst(_ count: Int) -> HeaderBytes {
        HeaderBytes(UnsafeRawBufferPointer(rebasing: bytes[count...]))
    }

    /// Case-insensitive comparison with a lower-case ASCII name.
    func equalsLowercase(_ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != lower.utf8Start[index] { return false }
        }
        return true
    }

    /// The three-digit status of a status line such as `HTTP/1.1 200 OK` or `HTTP/2 204`.
    func statusCode() -> Int? {
        guard let space = firstIndex(of: 0x20) else { return nil }
        return dropFirst(space).trimmed().prefixDigits()
    }

    /// The whole line as a non-negative decimal number, or nil.
    func decimalValue() -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return value
    }

    /// The header names a `Connection` value lists, lower-case; `close` and `keep-alive` are
    /// left out as they name no header that is forwarded anyway.
    func connectionTokens() -> [String] {
        var tokens: [String] = []
        var start = 0
        for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: ",") {
            let token = HeaderBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<end])).trimmed()
            start = end + 1
            if token.isEmpty || token.equalsLowercase("close") || token.equalsLowercase("keep-alive") {
                continue
            }
            tokens.append(String(decoding: token.bytes, as: UTF8.self).lowercased())
        }
        return tokens
    }

    private func prefixDigits() -> Int? {
        var value = 0, count = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39, count < 3 else { break }
            value = value * 10 + Int(byte - 0x30)
            count += 1
        }
        return count == 3 ? value : nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}

/// Headers that describe one connection, not the message, and never cross a proxy.
enum HopByHop {
    enum ResponseField {
        case forward, contentLength, connection, drop
    }

    /// What to do with a response field: libmicrohttpd writes `Content-Length`,
    /// `Connection` and the transfer framing itself.
    static func responseField(_ name: HeaderBytes) -> ResponseField {
        switch name.bytes.count {
        case 2 where name.equalsLowercase("te"): .drop
        case 7 where name.equalsLowercase("trailer") || name.equalsLowercase("upgrade"): .drop
        case 10 where name.equalsLowercase("connection"): .connection
        case 10 where name.equalsLowercase("keep-alive"): .drop
        case 14 where name.equalsLowercase("content-length"): .contentLength
        case 16 where name.equalsLowercase("proxy-connection"): .drop
        case 17 where name.equalsLowercase("transfer-encoding"): .drop
        default: .forward
        }
    }
}
