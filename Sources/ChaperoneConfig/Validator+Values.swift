/// Checks for single values: numbers, sizes, durations, header names.
extension Validator {
    mutating func integer(_ wire: Located<String>?, in range: ClosedRange<Int>) -> Int? {
        guard let wire else { return nil }
        guard let value = Int(wire.value), range.contains(value) else {
            diagnostics.error(wire.location, wire.path,
                              "expected a whole number from \(range.lowerBound) to "
                                  + "\(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func bytes(_ wire: Located<String>?, in range: ClosedRange<Int>) -> Int? {
        guard let wire else { return nil }
        guard let value = Units.byteCount(wire.value) else {
            diagnostics.error(wire.location, wire.path,
                              "expected a size such as 65536, 64KiB or 10MiB")
            return nil
        }
        guard range.contains(value) else {
            diagnostics.error(wire.location, wire.path,
                              "must be from \(range.lowerBound) to \(range.upperBound) bytes")
            return nil
        }
        return value
    }

    mutating func duration(_ wire: Located<String>?, in range: ClosedRange<Duration>)
        -> Duration?
    {
        guard let wire else { return nil }
        guard let value = Units.duration(wire.value) else {
            diagnostics.error(wire.location, wire.path,
                              "expected a duration such as 500ms, 30s, 5m or 1h")
            return nil
        }
        guard range.contains(value) else {
            diagnostics.error(wire.location, wire.path,
                              "must be from \(Self.format(range.lowerBound)) to "
                                  + "\(Self.format(range.upperBound))")
            return nil
        }
        return value
    }

    /// An HTTP header field name (an RFC 9110 token).
    mutating func headerName(_ wire: Located<String>) -> String? {
        let valid = !wire.value.isEmpty && wire.value.utf8.allSatisfy {
            Self.isAlphanumeric($0) || "!#$%&'*+-.^_`|~".utf8.contains($0)
        }
        guard valid else {
            diagnostics.error(wire.location, wire.path, "'\(wire.value)' is not a header name")
            return nil
        }
        return wire.value
    }

    /// A route or connection name: 1 to 64 letters, digits, `-`, `_` or `.`.
    static func isName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: ".")
        }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte)
            || (0x61...0x7A).contains(byte)
    }

    /// Visible ASCII, spaces and tabs: what may stand in a header value.
    static func isHeaderValue(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x09 || (0x20...0x7E).contains($0) }
    }

    /// Headers the proxy itself writes or that frame the message; a credential cannot go
    /// into them.
    static let reservedHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade",
        "te", "trailer", "expect", "x-request-id", "proxy-connection",
    ]

    private static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms == 0 { return "0s" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1_000 == 0 { return "\(ms / 1_000)s" }
        return "\(ms)ms"
    }
}
