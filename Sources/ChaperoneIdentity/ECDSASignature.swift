/// Converts JOSE ECDSA signatures, `r || s` as two fixed-width big-endian integers
/// (RFC 7518 §3.4), into the DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3) that OpenSSL verifies.
enum ECDSASignature {
    /// The DER form of `signature`, or nil when its length is not exactly twice the curve's
    /// scalar length or either scalar is zero or not below the curve's order.
    ///
    /// OpenSSL refuses such scalars as well; checking here keeps the rule explicit and
    /// means an all-zero signature can never reach a verifier that might get it wrong.
    static func der(fromJOSE signature: [UInt8], curve: Curve) -> [UInt8]? {
        let width = curve.coordinateLength
        guard signature.count == 2 * width else { return nil }
        let r = signature[..<width]
        let s = signature[width...]
        let order = curve.order
        guard isScalar(r, below: order), isScalar(s, below: order) else { return nil }

        // Each INTEGER takes at most 2 + 49 bytes (P-384), so every length fits DER's
        // short form: one byte below 128.
        let bodyLength = encodedLength(r) + encodedLength(s)
        var der: [UInt8] = []
        der.reserveCapacity(2 + bodyLength)
        der.append(0x30)
        der.append(UInt8(bodyLength))
        appendInteger(r, to: &der)
        appendInteger(s, to: &der)
        return der
    }

    /// True when the big-endian `scalar`, as wide as `order`, lies in `1..<order`. Equal
    /// widths make byte order the same as numeric order.
    private static func isScalar(_ scalar: ArraySlice<UInt8>, below order: [UInt8]) -> Bool {
        scalar.contains { $0 != 0 } && scalar.lexicographicallyPrecedes(order)
    }

    /// Appends a positive INTEGER in minimal two's-complement form (X.690 §8.3): leading
    /// zeros dropped, one zero put back when the top bit is set so it does not read as
    /// negative. `scalar` is not zero.
    private static func appendInteger(_ scalar: ArraySlice<UInt8>, to der: inout [UInt8]) {
        let significant = scalar.drop { $0 == 0 }
        let needsZero = significant.first.map { $0 & 0x80 != 0 } ?? true
        der.append(0x02)
        der.append(UInt8(significant.count + (needsZero ? 1 : 0)))
        if needsZero { der.append(0) }
        der += significant
    }

    /// The length of the INTEGER that `appendInteger` writes, tag and length included.
    private static func encodedLength(_ scalar: ArraySlice<UInt8>) -> Int {
        let significant = scalar.drop { $0 == 0 }
        let needsZero = significant.first.map { $0 & 0x80 != 0 } ?? true
        return 2 + significant.count + (needsZero ? 1 : 0)
    }
}
