/// A request target split into its canonical path and its raw query.
public struct RequestTarget: Sendable, Equatable {
    public var path: NormalizedPath
    /// The query exactly as the client sent it, without the `?`; nil when there was no `?`.
    public var query: String?
}

/// Turns the raw request target (as it appeared on the request line, never a decoded
/// form) into the canonical path that routes are matched against.
///
/// The order matters: unreserved escapes are decoded first so that `%2e%2e` is a dot
/// segment like `..`; only then are dot segments resolved.
public enum PathNormalizer {
    public static func normalize(target: UnsafeBufferPointer<UInt8>) throws(PathError)
        -> RequestTarget
    {
        guard target.first == UInt8(ascii: "/") else { throw .notOriginForm }
        let queryStart = target.firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = queryStart ?? target.count
        let path = try normalize(path: UnsafeBufferPointer(rebasing: target[0..<pathEnd]))
        var query: String?
        if let queryStart {
            let raw = UnsafeBufferPointer(rebasing: target[(queryStart + 1)...])
            for byte in raw where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "#") {
                throw .invalidCharacter
            }
            query = String(decoding: raw, as: UTF8.self)
        }
        return RequestTarget(path: path, query: query)
    }

    /// Convenience for tests and configuration: normalises a target given as a string.
    public static func normalize(target: String) throws(PathError) -> RequestTarget {
        var copy = target
        return try copy.withUTF8 { bytes in
            Result { () throws(PathError) in try normalize(target: bytes) }
        }.get()
    }

    static func normalize(path: UnsafeBufferPointer<UInt8>) throws(PathError) -> NormalizedPath {
        var segments: [String] = []
        segments.reserveCapacity(8)
        var shallowest = Int.max
        var lastWasDirectory = false
        var start = 1
        while start <= path.count {
            var end = start
            while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
            let isLast = end >= path.count
            let segment = try canonicalSegment(UnsafeBufferPointer(rebasing: path[start..<end]))
            switch segment {
            case "":
                lastWasDirectory = isLast
            case ".":
                lastWasDirectory = isLast
            case "..":
                guard !segments.isEmpty else { throw .climbsAboveRoot }
                segments.removeLast()
                shallowest = min(shallowest, segments.count)
                lastWasDirectory = isLast
            default:
                segments.append(segment)
                lastWasDirectory = false
            }
            start = end + 1
        }
        if lastWasDirectory || segments.isEmpty { segments.append("") }
        return NormalizedPath(segments: segments, shallowestDepth: shallowest)
    }

    /// One segment in canonical form: unreserved escapes decoded, other escapes upper-cased,
    /// characters a URI may not carry raw percent-encoded.
    static func canonicalSegment(_ raw: UnsafeBufferPointer<UInt8>) throws(PathError) -> String {
        var needsRewrite = false
        for byte in raw where byte == UInt8(ascii: "%") || !isPathCharacter(byte) {
            needsRewrite = true
            break
        }
        if !needsRewrite { return String(decoding: raw, as: UTF8.self) }

        var out: [UInt8] = []
        out.reserveCapacity(raw.count + 8)
        var i = 0
        while i < raw.count {
            let byte = raw[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < raw.count,
                      let high = PercentDecoding.hexValue(raw[i + 1]),
                      let low = PercentDecoding.hexValue(raw[i + 2])
                else { throw .invalidPercentEncoding }
                let decoded = high << 4 | low
                switch decoded {
                case UInt8(ascii: "/"): throw .encodedSlash
                case 0: throw .nulByte
                case UInt8(ascii: "\\"): throw .backslash
                default: break
                }
                if isUnreserved(decoded) {
                    out.append(decoded)
                } else {
                    appendEscape(decoded, to: &out)
                }
                i += 3
                continue
            }
            if byte == UInt8(ascii: "\\") { throw .backslash }
            if byte < 0x21 || byte >= 0x7F { throw .invalidCharacter }
            if isPathCharacter(byte) {
                out.append(byte)
            } else {
                appendEscape(byte, to: &out)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// RFC 3986 `pchar` minus `%`: what a path segment may carry unescaped.
    @inline(__always)
    static func isPathCharacter(_ byte: UInt8) -> Bool {
        if isUnreserved(byte) { return true }
        return switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"),
             UInt8(ascii: "@"):
            true
        default:
            false
        }
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789ABCDEF"
        out.append(UInt8(ascii: "%"))
        out.append(digits.utf8Start[Int(byte >> 4)])
        out.append(digits.utf8Start[Int(byte & 0x0F)])
    }
}
