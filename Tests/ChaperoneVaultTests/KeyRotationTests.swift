import ChaperoneTestSupport
import Foundation
import Synchronization
import Testing

@testable import ChaperoneVault

/// TEST FAKE, never used outside these tests: the real AES-GCM sealer, except that the
/// seal after `failAfter` successful ones throws, as a failing disk or libcrypto would in
/// the middle of a key rotation.
final class FailingSealerForTests: TokenSealer {
    private let real = AESGCMSealer()
    private let seals = Mutex(0)
    let failAfter: Int

    init(failAfter: Int) { self.failAfter = failAfter }

    func seal(_ token: SecretBytes, binding: SealBinding,
              key: VaultKey) throws(VaultError) -> SealedToken
    {
        let count = seals.withLock { count in
            count += 1
            return count
        }
        guard count <= failAfter else { throw .crypto("injected failure (test fake)") }
        return try real.seal(token, binding: binding, key: key)
    }

    func open(_ sealed: SealedToken, binding: SealBinding,
              key: VaultKey) throws(VaultError) -> SecretBytes
    {
        try real.open(sealed, binding: binding, key: key)
    }
}

@Suite struct KeyRotationTests {
    static let users = ["alice", "bob", "carol", "dave", "erin"]

    /// A vault holding one grant per user (carol's revoked), sealed under key 1.
    func filledVault(sealer: any TokenSealer = AESGCMSealer()) throws
        -> (VaultFixture, SQLiteVaultStore)
    {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1), sealer: sealer)
        for user in Self.users {
            try store.put(user: user, connection: "github", refreshToken: secret("rt-" + user),
                          scopes: ["repo"])
        }
        try store.revoke(user: "carol", connection: "github")
        return (vault, store)
    }

    @Test func rotationResealsEveryActiveGrantUnderTheNewKey() throws {
        let (vault, store) = try filledVault()
        let old = try key(1), new = try key(2)
        let before = try store.list(user: nil, connection: nil)
        #expect(try store.rotateKey(to: new) == 4)
        #expect(store.keyID == new.id)

        let reopened = try vault.open(new, create: false)
        for user in Self.users where user != "carol" {
            let grant = try #require(try reopened.get(user: user, connection: "github"))
            #expect(text(grant.refreshToken) == "rt-" + user)
            #expect(grant.record.keyID == new.id)
        }
        #expect(try reopened.get(user: "carol", connection: "github") == nil)
        // Times and scopes stay; rotation is not a refresh.
        let after = try reopened.list(user: nil, connection: nil)
        #expect(after.map(\.lastRefreshed) == before.map(\.lastRefreshed))
        #expect(after.map(\.scopes) == before.map(\.scopes))

        #expect(throws: VaultError.wrongKey(sealedWith: new.id, given: old.id)) {
            try vault.open(old, create: false)
        }
    }

    @Test func aFailureHalfWayLeavesEverythingAsItWas() throws {
        // Two of four grants are re-sealed before the third seal fails.
        let sealer = FailingSealerForTests(failAfter: Self.users.count + 2)
        let (vault, store) = try filledVault(sealer: sealer)
        let raw = try RawDatabase(vault.path)
        let rowsBefore = try raw.rows("SELECT * FROM grants ORDER BY user")
        let keyBefore = try raw.rows("SELECT id FROM vault_key")

        #expect(throws: VaultError.crypto("injected failure (test fake)")) {
            try store.rotateKey(to: try key(2))
        }

        #expect(try raw.rows("SELECT * FROM grants ORDER BY user") == rowsBefore)
        #expect(try raw.rows("SELECT id FROM vault_key") == keyBefore)
        #expect(store.keyID == (try key(1)).id)
        let reopened = try vault.open(try key(1), create: false)
        for user in Self.users where user != "carol" {
            let grant = try #require(try reopened.get(user: user, connection: "github"))
            #expect(text(grant.refreshToken) == "rt-" + user)
        }
        #expect(throws: VaultError.self) { try vault.open(try key(2), create: false) }
    }

    @Test func aRecordThatDoesNotOpenStopsTheRotation() throws {
        let (vault, store) = try filledVault()
        try RawDatabase(vault.path).flipBit(column: "sealed_token", byte: 0,
                                            "WHERE user = 'dave'")
        #expect(throws: VaultError.tampered(user: "dave", connection: "github")) {
            try store.rotateKey(to: try key(2))
        }
        #expect(store.keyID == (try key(1)).id)
        #expect(try store.get(user: "alice", connection: "github") != nil)
    }

    @Test func rotatingToTheSameKeyIsRefused() throws {
        let (_, store) = try filledVault()
        #expect(throws: VaultError.sameKey(try key(1).id)) { try store.rotateKey(to: try key(1)) }
    }

    /// A running proxy still holding the old key must neither read garbage nor write
    /// under the old key once another process rotated the vault.
    @Test func aStoreLeftWithTheOldKeyFailsClosed() throws {
        let (vault, proxy) = try filledVault()
        let command = try vault.open(try key(1), create: false)
        try command.rotateKey(to: try key(2))

        let stale = VaultError.wrongKey(sealedWith: try key(2).id, given: try key(1).id)
        #expect(throws: stale) { try proxy.get(user: "alice", connection: "github") }
        #expect(throws: stale) {
            try proxy.replaceRefreshToken(user: "alice", connection: "github",
                                          with: secret("rt-rotated"))
        }
        #expect(throws: stale) {
            try proxy.put(user: "frank", connection: "github", refreshToken: secret("rt"),
                          scopes: [])
        }
        let current = try vault.open(try key(2), create: false)
        #expect(text(try #require(try current.get(user: "alice", connection: "github"))
            .refreshToken) == "rt-alice")
        #expect(try current.get(user: "frank", connection: "github") == nil)
    }

    /// Another process holding the write lock makes a write wait (up to the busy
    /// time-out), not fail. Real time passes here: the point is the other process.
    @Test func aWriteWaitsForAnotherWriter() throws {
        let (vault, store) = try filledVault()
        let other = try RawDatabase(vault.path)
        try other.execute("BEGIN IMMEDIATE")
        let released = Thread {
            usleep(300_000)
            try? other.execute("COMMIT")
        }
        released.start()
        try store.markUsed(user: "alice", connection: "github")

        let impatient = try vault.open(try key(1), create: false, busyTimeout: .milliseconds(50))
        let holder = try RawDatabase(vault.path)
        try holder.execute("BEGIN IMMEDIATE")
        #expect(throws: VaultError.self) {
            try impatient.markUsed(user: "alice", connection: "github")
        }
        try holder.execute("ROLLBACK")
    }
}
