import CJansson

/// Why a JSON text was refused.
enum JSONParseError: Error, Equatable {
    /// Not JSON: bad syntax, invalid UTF-8, a NUL in a string, trailing bytes, a number out
    /// of range, or nesting deeper than Jansson's limit (2048 levels).
    case malformed
    /// An object names the same member twice. Parsers disagree on which one wins, so a
    /// token with a duplicate could mean one thing here and another to a peer.
    case duplicateMember
    /// Valid JSON whose top level is not an object.
    case notAnObject
}

/// Parses `bytes` as a JSON object and lends its root to `body`.
///
/// The parsed tree belongs to this call and is freed when `body` returns, so no `JSONValue`
/// may be kept beyond it: everything a caller needs is copied out into Swift values inside
/// `body`.
func withJSONObject<Value, Failure: Error>(
    _ bytes: UnsafeRawBufferPointer,
    mapError: (JSONParseError) -> Failure,
    _ body: (JSONValue) throws(Failure) -> Value
) throws(Failure) -> Value {
    var error = json_error_t()
    let flags = Int(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)
    // An empty buffer has no base address; Jansson refuses the null pointer as malformed.
    let start = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
    guard let root = json_loadb(start, bytes.count, flags, &error) else {
        let duplicate = json_error_code(&error) == json_error_duplicate_key
        throw mapError(duplicate ? .duplicateMember : .malformed)
    }
    defer { json_decref(root) }

    let value = JSONValue(root)
    guard value.isObject else { throw mapError(.notAnObject) }
    return try body(value)
}

/// A value inside a parsed JSON document, borrowed from it: valid only inside the
/// `withJSONObject` call that produced it.
struct JSONValue {
    private let raw: UnsafeMutablePointer<json_t>

    fileprivate init(_ raw: UnsafeMutablePointer<json_t>) { self.raw = raw }

    var isObject: Bool { raw.pointee.type == JSON_OBJECT }

    /// The member called `name` when this is an object that has one.
    subscript(member name: String) -> JSONValue? {
        guard isObject, let member = json_object_get(raw, name) else { return nil }
        return JSONValue(member)
    }

    /// The UTF-8 bytes of a string value, valid while the document lives. Jansson has
    /// already checked that they are well-formed UTF-8 without NUL.
    var stringBytes: UnsafeRawBufferPointer? {
        guard raw.pointee.type == JSON_STRING else { return nil }
        return UnsafeRawBufferPointer(start: json_string_value(raw), count: json_string_length(raw))
    }

    var string: String? {
        stringBytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// True when this is a string whose bytes are exactly those of `text`. Comparing bytes
    /// rather than `String`s keeps canonically equivalent spellings apart, as RFC 7519
    /// requires for `iss`, `aud` and the like.
    func isString(_ text: String) -> Bool {
        guard let bytes = stringBytes else { return false }
        return text.utf8.elementsEqual(bytes)
    }

    /// A JSON number, integer or not.
    var number: JSONNumber? {
        switch raw.pointee.type {
        case JSON_INTEGER: .integer(json_integer_value(raw))
        case JSON_REAL: .real(json_real_value(raw))
        default: nil
        }
    }

    var boolean: Bool? {
        switch raw.pointee.type {
        case JSON_TRUE: true
        case JSON_FALSE: false
        default: nil
        }
    }

    /// The elements of an array, or nil when this is not an array.
    var elements: [JSONValue]? {
        guard raw.pointee.type == JSON_ARRAY else { return nil }
        return (0..<json_array_size(raw)).map { JSONValue(json_array_get(raw, $0)) }
    }
}

/// A JSON number as Jansson holds it: integers that fit 64 bits stay exact.
enum JSONNumber: Equatable {
    case integer(Int64)
    case real(Double)
}
