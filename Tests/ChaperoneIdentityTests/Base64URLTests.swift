import Testing

@testable import ChaperoneIdentity

@Suite struct Base64URLTests {
    @Test(arguments: [
        ("", [UInt8]()),
        ("Zg", Array("f".utf8)),
        ("Zm8", Array("fo".utf8)),
        ("Zm9v", Array("foo".utf8)),
        ("Zm9vYg", Array("foob".utf8)),
        ("Zm9vYmFy", Array("foobar".utf8)),
        ("-_8", [0xFB, 0xFF]),
        ("AAAA", [0, 0, 0]),
    ])
    func decodesCanonicalText(text: String, expected: [UInt8]) {
        #expect(Base64URL.decode(text) == expected)
    }

    @Test(arguments: [
        "Z", "Zm9vY", "Zh", "Zm9", "Zg=", "Zg==", "Zm8=", "Zm9v=", "=Zm9", "Zm+v", "Zm/v",
        "Zm9 v", " Zm9v", "Zm9v\n", "Zm\t9v", "Zm9v\0", "Zm9\u{E9}", "Zm.v", "Zm9v%3D",
    ])
    func refusesAnythingElse(text: String) {
        #expect(Base64URL.decode(text) == nil, "\(text.debugDescription)")
    }

    /// Of all texts of two or three base64url characters, exactly the canonical encodings
    /// of the one- and two-byte strings decode, each to its bytes: a last character with
    /// stray low bits is refused.
    @Test(arguments: [1, 2])
    func decodesOnlyCanonicalLastCharacters(length: Int) {
        var canonical: [String: [UInt8]] = [:]
        for value in 0..<(length == 1 ? 256 : 65536) {
            let bytes = length == 1 ? [UInt8(value)] : [UInt8(value >> 8), UInt8(value & 0xFF)]
            canonical[referenceBase64URLEncode(bytes)] = bytes
        }

        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .map(String.init)
        var texts = alphabet
        for _ in 0..<length { texts = texts.flatMap { text in alphabet.map { text + $0 } } }
        var accepted = 0
        for text in texts {
            let decoded = Base64URL.decode(text)
            if decoded != canonical[text] {
                Issue.record("\(text) decoded to \(String(describing: decoded))")
                return
            }
            if decoded != nil { accepted += 1 }
        }
        #expect(accepted == canonical.count)
    }

    @Test func agreesWithFoundationOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64URL.decode(referenceBase64URLEncode(bytes)) == bytes)
        }
    }
}
