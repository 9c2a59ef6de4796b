import ChaperoneTestSupport
import Testing

@testable import ChaperoneIdentity

@Suite struct ECDSASignatureTests {
    /// The curve orders in the code are the ones OpenSSL's command line prints.
    @Test(arguments: [(Curve.p256, "prime256v1"), (.p384, "secp384r1")])
    func curveOrderMatchesOpenSSL(curve: Curve, name: String) throws {
        let directory = try TemporaryDirectory()
        let process = try TestProcess(
            "/usr/bin/openssl", ["ecparam", "-name", name, "-param_enc", "explicit", "-text",
                                 "-noout"],
            directory: directory, name: "ecparam")
        #expect(process.waitForExit() == 0)
        let text = process.stdout
        let start = try #require(text.range(of: "Order:")).upperBound
        let end = try #require(text.range(of: "Cofactor:")).lowerBound
        let hex = text[start..<end].filter(\.isHexDigit)
        var order = stride(from: 0, to: hex.count, by: 2).map { offset in
            let index = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[index...hex.index(after: index)], radix: 16)!
        }
        while order.first == 0 { order.removeFirst() }
        #expect(order == curve.order)
    }

    @Test func encodesMinimalPositiveIntegers() throws {
        let r = [UInt8](repeating: 0, count: 31) + [0x05]
        let s = [0x80] + [UInt8](repeating: 0, count: 31)
        let der = try #require(ECDSASignature.der(fromJOSE: r + s, curve: .p256))
        let expected: [UInt8] = [0x30, 38, 0x02, 0x01, 0x05, 0x02, 33, 0x00, 0x80]
            + [UInt8](repeating: 0, count: 31)
        #expect(der == expected)
    }

    @Test func largestP384SignatureStaysInShortForm() throws {
        var largest = Curve.p384.order
        largest[largest.count - 1] -= 1
        let der = try #require(ECDSASignature.der(fromJOSE: largest + largest, curve: .p384))
        #expect(der.count == 104)
        #expect(der[0...3] == [0x30, 102, 0x02, 49])
        #expect(der[4] == 0x00)
    }

    @Test func refusesScalarsOutOfRange() {
        let order = Curve.p256.order
        var belowOrder = order
        belowOrder[31] -= 1
        let one = [UInt8](repeating: 0, count: 31) + [1]
        let zero = [UInt8](repeating: 0, count: 32)
        let ones = [UInt8](repeating: 0xFF, count: 32)
        #expect(ECDSASignature.der(fromJOSE: one + belowOrder, curve: .p256) != nil)
        #expect(ECDSASignature.der(fromJOSE: zero + zero, curve: .p256) == nil)
        #expect(ECDSASignature.der(fromJOSE: zero + one, curve: .p256) == nil)
        #expect(ECDSASignature.der(fromJOSE: one + zero, curve: .p256) == nil)
        #expect(ECDSASignature.der(fromJOSE: order + one, curve: .p256) == nil)
        #expect(ECDSASignature.der(fromJOSE: one + order, curve: .p256) == nil)
        #expect(ECDSASignature.der(fromJOSE: one + ones, curve: .p256) == nil)
        #expect(ECDSASignature.der(fromJOSE: one + one + [0], curve: .p256) == nil)
        #expect(ECDSASignature.der(fromJOSE: one + one, curve: .p384) == nil)
    }
}
