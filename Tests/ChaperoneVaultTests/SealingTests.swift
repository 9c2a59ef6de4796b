import Testing

@testable import ChaperoneVault

@Suite struct SealingTests {
    let sealer = AESGCMSealer()
    let binding = SealBinding(user: "auth0|alice", connection: "github")

    @Test func sealedTokenOpensToTheSameBytes() throws {
        let key = try key(1)
        let sealed = try sealer.seal(secret("rt-7f3a9c"), binding: binding, key: key)
        #expect(sealed.nonce.count == 12)
        #expect(sealed.ciphertext.count == "rt-7f3a9c".utf8.count + 16)
        #expect(text(try sealer.open(sealed, binding: binding, key: key)) == "rt-7f3a9c")
    }

    @Test func everySealHasAFreshNonce() throws {
        let key = try key(1)
        let sealed = try (0..<50).map { _ in
            try sealer.seal(secret("same token"), binding: binding, key: key)
        }
        #expect(Set(sealed.map(\.nonce)).count == 50)
        #expect(Set(sealed.map(\.ciphertext)).count == 50)
    }

    @Test func ciphertextDoesNotCarryThePlaintext() throws {
        let token = "plain-refresh-token-text"
        let sealed = try sealer.seal(secret(token), binding: binding, key: try key(1))
        #expect(!String(decoding: sealed.ciphertext, as: UTF8.self).contains("refresh"))
    }

    @Test func anotherKeyDoesNotOpenIt() throws {
        let sealed = try sealer.seal(secret("rt"), binding: binding, key: try key(1))
        #expect(throws: VaultError.tampered(user: binding.user, connection: binding.connection)) {
            try sealer.open(sealed, binding: binding, key: try key(2))
        }
    }

    @Test(arguments: [
        SealBinding(user: "auth0|bob", connection: "github"),
        SealBinding(user: "auth0|alice", connection: "google"),
        SealBinding(user: "auth0|alic", connection: "egithub"),
    ])
    func anotherBindingDoesNotOpenIt(other: SealBinding) throws {
        let key = try key(1)
        let sealed = try sealer.seal(secret("rt"), binding: binding, key: key)
        #expect(throws: VaultError.tampered(user: other.user, connection: other.connection)) {
            try sealer.open(sealed, binding: other, key: key)
        }
    }

    @Test func changedNonceCiphertextOrTagIsRefused() throws {
        let key = try key(1)
        let sealed = try sealer.seal(secret("refresh"), binding: binding, key: key)
        var changed: [SealedToken] = []
        for index in sealed.nonce.indices {
            var copy = sealed
            copy.nonce[index] ^= 0x01
            changed.append(copy)
        }
        for index in sealed.ciphertext.indices {
            var copy = sealed
            copy.ciphertext[index] ^= 0x80
            changed.append(copy)
        }
        changed.append(SealedToken(nonce: [], ciphertext: sealed.ciphertext))
        changed.append(SealedToken(nonce: sealed.nonce, ciphertext: []))
        changed.append(SealedToken(nonce: sealed.nonce, ciphertext: sealed.ciphertext.dropLast()))
        let refused = VaultError.tampered(user: binding.user, connection: binding.connection)
        for token in changed {
            #expect(throws: refused) { try sealer.open(token, binding: binding, key: key) }
        }
    }

    @Test func bindingsWithShiftedBoundariesEncodeApart() throws {
        let id = try key(1).id
        let one = SealBinding(user: "ab", connection: "c").associatedData(keyID: id)
        let two = SealBinding(user: "a", connection: "bc").associatedData(keyID: id)
        #expect(one != two)
        #expect(one != SealBinding(user: "ab", connection: "c")
            .associatedData(keyID: try key(2).id))
    }
}
