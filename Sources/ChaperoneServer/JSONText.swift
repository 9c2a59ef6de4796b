/// Appends JSON text to a byte buffer without Foundation. The log line and the problem body
/// are built on every request, so the common case (keys known at compile time, values with
/// nothing to escape) is a few bulk copies.
struct JSONText {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `"key":[`; elements follow with `element()`.
    mutating func beginArray(_ key: StaticString) {
        appendKey(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// An object as the next element of an array.
    mutating func beginElement() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        beginObject()
    }

    /// A string element of an array.
    mutating func element(_ value: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        appendString(value)
    }

    /// Text written as it is, for a template's literal parts between escaped values.
    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A string's content, escaped, without the quotes around it: for a value placed inside a
    /// JSON string of a template.
    mutating func escaped(_ value: String) {
        for byte in value.utf8 {
            if Self.needsEscape(byte) { appendEscaped(byte) } else { bytes.append(byte) }
        }
    }

    mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    mutating func field(_ key: StaticString, _ value: String) {
        appendKey(key)
        appendString(value)
    }

    mutating func field(_ key: StaticString, _ value: some BinaryInteger) {
        appendKey(key)
        appendInteger(Int64(value))
    }

    /// Milliseconds with three decimals, from nanoseconds.
    mutating func field(_ key: StaticString, milliseconds nanoseconds: UInt64) {
        appendKey(key)
        appendInteger(Int64(nanoseconds / 1_000_000))
        let fraction = Int(nanoseconds % 1_000_000 / 1_000)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    /// The timestamp field, RFC 3339 in UTC with milliseconds.
    mutating func field(_ key: StaticString, timestamp: inout TimestampFormatter) {
        appendKey(key)
        bytes.append(UInt8(ascii: "\""))
        timestamp.write(into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A field whose key is known only at run time (event lines).
    mutating func field(dynamicKey key: String, _ value: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        appendString(value)
    }

    private mutating func appendKey(_ key: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start,
                                                     count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func appendInteger(_ value: Int64) {
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[index...])
        }
    }

    /// A string field from bytes that are almost always ASCII, without making a `String`;
    /// anything else is decoded as UTF-8, invalid sequences replaced.
    mutating func field(_ key: StaticString, utf8 value: [UInt8]) {
        guard value.allSatisfy({ $0 < 0x80 }) else {
            return field(key, String(decoding: value, as: UTF8.self))
        }
        appendKey(key)
        bytes.append(UInt8(ascii: "\""))
        for byte in value {
            if Self.needsEscape(byte) { appendEscaped(byte) } else { bytes.append(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A JSON string; control characters, quotes and backslashes escaped.
    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let done = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            var clean = 0
            while clean < utf8.count && !Self.needsEscape(utf8[clean]) { clean += 1 }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[0..<clean]))
            for byte in utf8[clean...] { appendEscaped(byte) }
            return true
        }
        if done == nil {
            for byte in value.utf8 { appendEscaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
        case UInt8(ascii: "\n"): bytes.append(contentsOf: [92, 110])
        case UInt8(ascii: "\r"): bytes.append(contentsOf: [92, 114])
        case UInt8(ascii: "\t"): bytes.append(contentsOf: [92, 116])
        case 0..<0x20, 0x7F:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48,
                                      hex.utf8Start[Int(byte >> 4)],
                                      hex.utf8Start[Int(byte & 15)]])
        default: bytes.append(byte)
        }
    }
}
