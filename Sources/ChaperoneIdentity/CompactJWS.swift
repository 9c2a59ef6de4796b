/// The three parts of a JWS in compact serialization (RFC 7515 §7.1), as byte ranges of
/// the token; nothing is decoded yet.
struct CompactJWS {
    let header: UnsafeRawBufferPointer
    let payload: UnsafeRawBufferPointer
    let signature: UnsafeRawBufferPointer
    /// `header.payload` exactly as sent: the bytes the signature covers.
    let signingInput: UnsafeRawBufferPointer

    /// Splits `token` at its dots: exactly two for a JWS. Four dots make a JWE (RFC 7516
    /// §7.1), refused on its own so the reason is clear.
    init(_ token: UnsafeRawBufferPointer) throws(TokenFailure) {
        var dots = (first: -1, second: -1)
        var count = 0
        for (index, byte) in token.enumerated() where byte == UInt8(ascii: ".") {
            if count == 0 { dots.first = index } else if count == 1 { dots.second = index }
            count += 1
        }
        guard count == 2 else { throw count == 4 ? .encrypted : .notCompact }

        header = UnsafeRawBufferPointer(rebasing: token[..<dots.first])
        payload = UnsafeRawBufferPointer(rebasing: token[(dots.first + 1)..<dots.second])
        signature = UnsafeRawBufferPointer(rebasing: token[(dots.second + 1)...])
        signingInput = UnsafeRawBufferPointer(rebasing: token[..<dots.second])
    }
}
