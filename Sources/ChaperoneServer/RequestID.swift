import COpenSSL

/// Request ids: a random per-loop prefix and a counter, 32 hex digits, unique without a
/// system call per request.
struct RequestIDGenerator {
    private var prefix: [UInt8]
    private var counter: UInt64 = 0

    init() {
        var random = [UInt8](repeating: 0, count: 8)
        if RAND_bytes(&random, 8) != 1 {
            var generator = SystemRandomNumberGenerator()
            random = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        prefix = Array(Self.hex(random))
    }

    /// The next id, written straight into the string's storage: one allocation.
    mutating func next() -> String {
        counter &+= 1
        let value = counter
        return String(unsafeUninitializedCapacity: 32) { out in
            for (index, digit) in prefix.enumerated() { out[index] = digit }
            for index in 0..<16 {
                let nibble = Int(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 15
                out[16 + index] = Self.digits[nibble]
            }
            return 32
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// An id the agent sent is kept when it is 1 to 128 characters of letters, digits and
    /// `-_.:`; anything else is replaced so logs stay clean.
    static func isWellFormed(_ id: UnsafeRawBufferPointer) -> Bool {
        guard (1...128).contains(id.count) else { return false }
        return id.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
                || $0 == UInt8(ascii: ":")
        }
    }

    private static func hex(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return out
    }
}
