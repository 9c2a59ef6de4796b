import Foundation
import Testing

@testable import ChaperoneIdentity

@Suite struct JSONWebKeySetTests {
    @Test func readsUsableKeysAndReportsEverySkippedOne() throws {
        let keys = try #require(try MintedTokens.shared().keySets["main"])
        #expect(keys.keyIDs == ["rsa-a", "rsa-b", "ec-256", "ec-384", "ed-1"])
        #expect(keys.count == 5)
        let expected = [
            "rsa-small": "1024 bits", "rsa-enc": "\"use\"", "hmac-1": "\"kty\"",
            "ec-private": "private key material", "ec-off-curve": "not a valid point",
            "ec-521": "curve", "ed-448": "curve", "rsa-e1": "exponent",
            "ec-256-as-rsa": "does not fit",
        ]
        #expect(keys.skipped.count == expected.count, "\(keys.skipped)")
        for (kid, reason) in expected {
            let line = keys.skipped.first { $0.contains("(kid \"\(kid)\")") }
            #expect(line?.contains(reason) == true, "\(kid): \(line ?? "not reported")")
        }
    }

    @Test(arguments: [
        ("not json", KeySetError.invalidJSON),
        ("[]", .invalidJSON),
        ("{\"keys\":[]} trailing", .invalidJSON),
        ("{}", .noKeysArray),
        ("{\"keys\":{}}", .noKeysArray),
        ("{\"keys\":[],\"keys\":[]}", .duplicateMember),
        ("{\"keys\":[]}", .noUsableKeys(skipped: [])),
        ("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"}]}",
         .noUsableKeys(skipped: ["key 0: its \"kty\" is not RSA, EC or OKP"])),
    ])
    func refusesDocumentsThatCanVerifyNothing(json: String, expected: KeySetError) {
        #expect(throws: expected) { try JSONWebKeySet(json: json) }
    }

    /// Each mutation of a good JWK makes it unusable, for the reason given.
    @Test(arguments: [
        ("rsa-a", "n", "padded", "not base64url"),
        ("rsa-a", "e", "AAI", "exponent"),
        ("rsa-a", "e", "AQ", "exponent"),
        ("rsa-a", "n", nil, "no string \"n\""),
        ("rsa-a", "key_ops", ["sign"], "key_ops"),
        ("rsa-a", "alg", "RSA-OAEP", "\"alg\""),
        ("rsa-a", "alg", "HS256", "\"alg\""),
        ("rsa-a", "use", 1, "\"use\""),
        ("rsa-a", "kid", 7, "\"kid\""),
        ("ec-256", "x", "trimmed", "length"),
        ("ec-384", "crv", "P-256", "length"),
        ("ec-256", "crv", "P-384", "does not fit"),
        ("ec-256", "crv", "secp256k1", "curve"),
        ("ec-256", "d", "AAAA", "private"),
        ("ed-1", "x", "trimmed", "length"),
        ("ed-1", "kty", "EC", "curve"),
    ] as [(String, String, (any Sendable)?, String)])
    func skipsBrokenKeys(kid: String, member: String, value: (any Sendable)?, reason: String)
        throws
    {
        var jwk = try fixtureJWK(kid)
        switch value as? String {
        case "padded": jwk[member] = (jwk[member] as! String) + "="
        case "trimmed":
            jwk[member] = referenceBase64URLEncode(Array(
                referenceBase64URLDecode(jwk[member] as! String)!.dropFirst()))
        default: jwk[member] = value.map { $0 as Any }
        }
        let keys = try JSONWebKeySet(json: try document([jwk, fixtureJWK("ed-1")]))
        #expect(keys.keyIDs == ["ed-1"])
        #expect(keys.skipped.count == 1)
        #expect(keys.skipped.first?.contains(reason) == true, "\(keys.skipped)")
    }

    @Test func toleratesLeadingZerosInTheModulus() throws {
        var jwk = try fixtureJWK("rsa-a")
        let modulus = referenceBase64URLDecode(jwk["n"] as! String)!
        jwk["n"] = referenceBase64URLEncode([0, 0] + modulus)
        let keys = try JSONWebKeySet(json: try document([jwk]))
        #expect(keys.keyIDs == ["rsa-a"])
    }

    @Test func reportsOnlyShortPrintableKeyIDs() throws {
        var long = try fixtureJWK("rsa-a")
        long["kid"] = String(repeating: "k", count: 65)
        long["use"] = "enc"
        var quoted = try fixtureJWK("rsa-a")
        quoted["kid"] = "a\"b"
        quoted["use"] = "enc"
        let keys = try JSONWebKeySet(json: try document([long, quoted, fixtureJWK("ed-1")]))
        #expect(keys.skipped == [
            "key 0: its \"use\" or \"key_ops\" does not allow verifying signatures",
            "key 1: its \"use\" or \"key_ops\" does not allow verifying signatures",
        ])
    }

    /// A key from the fixture's main key set, as a dictionary to modify.
    private func fixtureJWK(_ kid: String) throws -> [String: Any] {
        let text = try #require(try MintedTokens.shared().keySetTexts["main"])
        let set = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let keys = set["keys"] as! [[String: Any]]
        return try #require(keys.first { $0["kid"] as? String == kid })
    }

    private func document(_ keys: [[String: Any]]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["keys": keys]), as: UTF8.self)
    }
}
