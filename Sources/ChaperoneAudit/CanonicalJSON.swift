/// Writes the one JSON text a value has in the audit log: members in the order written,
/// no white space, integers in decimal, strings escaped as RFC 8785 (JCS) does (`"`, `\`
/// and U+0000 to U+001F only; `\b \t \n \f \r` short, the rest as `\u00xx`), everything
/// else as UTF-8. Equal records give equal bytes, so their hashes agree. Kept apart from the
/// server's JSONText, which may change as logs do: this encoding is part of every stored
/// chain, and a change to it would break the verification of existing logs.
struct CanonicalJSON {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray(_ key: StaticString) {
        appendKey(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: String?) {
        appendKey(key)
        guard let value else { return appendNull() }
        appendString(value)
    }

    mutating func field(_ key: StaticString, _ value: Int64?) {
        appendKey(key)
        guard let value else { return appendNull() }
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ key: StaticString, _ value: UInt64?) {
        appendKey(key)
        guard let value else { return appendNull() }
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ key: StaticString, _ value: Int?) {
        field(key, value.map(Int64.init))
    }

    /// A member whose value is an object the caller writes next, or null.
    mutating func objectKey(_ key: StaticString) {
        appendKey(key)
        needsComma = false
    }

    mutating func null() {
        appendNull()
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendKey(_ key: StaticString) {
        separate()
        needsComma = true
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start,
                                                     count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    private mutating func appendNull() {
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"),
                                          UInt8(ascii: "0"), hex[Int(byte >> 4)],
                                          hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }
}
