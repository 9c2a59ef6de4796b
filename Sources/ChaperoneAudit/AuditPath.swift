/// The path an audit record, and a request's log line, keep of a request target.
public enum AuditPath {
    /// The target with every query value removed and every name kept: `/a?x=1&y=two`
    /// becomes `/a?x=&y=`, `/a?flag` stays as it is. Values may carry personal data or
    /// keys; names say what the request asked for. Applying it twice changes nothing.
    public static func redactingQueryValues(_ target: String) -> String {
        guard target.utf8.contains(UInt8(ascii: "?")) else { return target }
        var out: [UInt8] = []
        out.reserveCapacity(target.utf8.count)
        redactQueryValues(target.utf8, into: &out)
        // Only ASCII bytes are dropped, at boundaries the ASCII '=' and '&' mark, so the
        // result is still valid UTF-8.
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `target` to `out` with its query values removed, as above. Inlinable so
    /// that the request log's call, once per request, runs specialised for its bytes.
    @inlinable
    public static func redactQueryValues(_ target: some Sequence<UInt8>,
                                         into out: inout [UInt8])
    {
        var inQuery = false
        var inValue = false
        for byte in target {
            if !inQuery {
                out.append(byte)
                inQuery = byte == UInt8(ascii: "?")
            } else if byte == UInt8(ascii: "&") {
                out.append(byte)
                inValue = false
            } else if !inValue {
                out.append(byte)
                inValue = byte == UInt8(ascii: "=")
            }
        }
    }
}
