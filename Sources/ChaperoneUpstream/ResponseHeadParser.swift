/// Builds an `UpstreamResponseHead` from the header lines libcurl reports one by one:
/// the status line, fields (obsolete folding joined), the blank line that ends a block.
/// Hop-by-hop fields are left out, with those the upstream names in `Connection`.
///
/// A struct the transfer mutates once per line, so a line costs one access to the
/// transfer's state rather than one per field touched.
struct ResponseHeadParser {
    private(set) var head = UpstreamResponseHead(status: 0)
    /// Response headers named in `Connection`, lower-case, to drop as hop-by-hop.
    private var nominated: [String] = []

    /// Takes one header line as libcurl passes it (with its CRLF). Returns true when the
    /// line ended the final (non-1xx) header block: `head` is then complete.
    mutating func take(_ raw: UnsafeRawBufferPointer) -> Bool {
        var line = HeaderBytes(raw).trimmed()
        if line.isEmpty {
            // The blank line ends a header block; 1xx blocks are followed by another.
            guard head.status >= 200 else { return false }
            if !nominated.isEmpty { dropNominatedFields() }
            return true
        }
        if line.hasPrefix("HTTP/") {
            head = UpstreamResponseHead(status: line.statusCode() ?? 0)
            nominated = []
            return false
        }
        if raw.first == 0x20 || raw.first == 0x09 {
            // An obsolete folded continuation joins the previous value with a space
            // (RFC 9112 §5.2).
            head.continueLastField(line.bytes)
            return false
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let name = line.prefix(colon)
        line = line.dropFirst(colon + 1).trimmed()
        switch HopByHop.responseField(name) {
        case .forward:
            head.append(name: name.bytes, value: line.bytes)
        case .contentLength:
            head.contentLength = line.decimalValue()
        case .connection:
            nominated += line.connectionTokens()
        case .drop:
            break
        }
        return false
    }

    /// Removes the fields the upstream named in `Connection` (RFC 9110 §7.6.1).
    private mutating func dropNominatedFields() {
        let names = Set(nominated)
        var kept = UpstreamResponseHead(status: head.status)
        kept.contentLength = head.contentLength
        head.fields.withUnsafeBytes { raw in
            var index = 0
            while index < raw.count {
                let nameEnd = raw[index...].firstIndex(of: 0)!
                let valueEnd = raw[(nameEnd + 1)...].firstIndex(of: 0)!
                let name = UnsafeRawBufferPointer(rebasing: raw[index..<nameEnd])
                if !names.contains(String(decoding: name, as: UTF8.self).lowercased()) {
                    kept.append(name: name,
                                value: UnsafeRawBufferPointer(rebasing: raw[(nameEnd + 1)..<valueEnd]))
                }
                index = valueEnd + 1
            }
        }
        head = kept
    }
}
