import Testing

@testable import ChaperoneVault

@Suite struct VaultKeyTests {
    /// 32 bytes 0x00...0x1f, and their base64 as `openssl rand -base64 32` would print it.
    static let raw = (0..<32).map { UInt8($0) }
    static let base64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

    @Test func rawAndBase64SpellTheSameKey() throws {
        let raw = try VaultKey(parsing: Self.raw)
        for spelling in [Self.base64, Self.base64 + "\n", Self.base64 + "\r\n",
                         String(Self.base64.dropLast())]
        {
            #expect(try VaultKey(parsing: Array(spelling.utf8)).id == raw.id)
        }
        #expect(raw.material.withUnsafeBytes { Array($0) } == Self.raw)
    }

    @Test(arguments: [
        ("", 0), ("c2hvcnQ=", 8), (String(repeating: "A", count: 31), 31),
        (String(repeating: "A", count: 33), 33),
        (String(Self.base64.dropLast()) + "!", 44), (Self.base64 + "AAAA", 48),
    ])
    func anythingElseIsRefusedByLengthNotContent(text: String, count: Int) {
        #expect(throws: VaultKeyError(byteCount: count)) {
            try VaultKey(parsing: Array(text.utf8))
        }
        let message = VaultKeyError(byteCount: count).description
        #expect(message.contains("\(count) bytes"))
        #expect(text.isEmpty || !message.contains(text))
    }

    @Test func idIsSixteenHexDigitsAndDiffersPerKey() throws {
        let one = try key(1).id, two = try key(2).id
        #expect(one.hex.count == 16)
        #expect(VaultKeyID(hex: one.hex) == one)
        #expect(one != two)
        #expect(try key(1).id == one)
        #expect(VaultKeyID(hex: "XYZ") == nil)
    }

    @Test func keysAndSecretsNeverPrint() throws {
        let key = try VaultKey(parsing: Array(Self.base64.utf8))
        #expect("\(key)" == "vault key \(key.id)")
        #expect(!String(reflecting: key).contains("AAEC"))
        let token = secret("rt-super-secret")
        #expect("\(token)" == "<redacted>")
        #expect(String(reflecting: token) == "<redacted>")
        #expect(!String(describing: VaultGrant(
            record: GrantRecord(user: "u", connection: "c", scopes: [], state: .active,
                                keyID: key.id, created: 0, lastUsed: nil, lastRefreshed: nil),
            refreshToken: token)).contains("super-secret"))
    }

    @Test func secretsCompareByContent() {
        #expect(secret("abc").isEqual(to: secret("abc")))
        #expect(!secret("abc").isEqual(to: secret("abd")))
        #expect(!secret("abc").isEqual(to: secret("ab")))
        #expect(secret("").isEqual(to: secret("")))
    }

    @Test func generatedKeysDiffer() throws {
        #expect(try VaultKey.generate().id != VaultKey.generate().id)
    }
}
