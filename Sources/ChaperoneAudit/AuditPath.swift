/// The path an audit record keeps of a request target.
public enum AuditPath {
    /// The target with every query value removed and every name kept: `/a?x=1&y=two`
    /// becomes `/a?x=&y=`, `/a?flag` stays as it is. Values may carry personal data or
    /// keys; names say what the request asked for. Applying it twice changes nothing.
    public static func redactingQueryValues(_ target: String) -> String {
        guard target.utf8.contains(UInt8(ascii: "?")) else { return target }
        var out: [UInt8] = []
        out.reserveCapacity(target.utf8.count)
        var inQuery = false
        var inValue = false
        for byte in target.utf8 {
            if !inQuery {
                out.append(byte)
                inQuery = byte == UInt8(ascii: "?")
            } else if byte == UInt8(ascii: "&") {
                out.append(byte)
                inValue = false
            } else if inValue {
                continue
            } else {
                out.append(byte)
                inValue = byte == UInt8(ascii: "=")
            }
        }
        // Only ASCII bytes are dropped, at boundaries the ASCII '=' and '&' mark, so the
        // result is still valid UTF-8.
        return String(decoding: out, as: UTF8.self)
    }
}
