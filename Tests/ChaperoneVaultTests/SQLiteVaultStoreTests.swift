import ChaperoneTestSupport
import Foundation
import Testing

@testable import ChaperoneVault

@Suite struct SQLiteVaultStoreTests {
    @Test func filesAreOwnerOnlyAndTheJournalIsWriteAhead() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        try store.put(user: "alice", connection: "github", refreshToken: secret("rt"), scopes: [])
        #expect(try vault.mode(vault.path) == 0o600)
        #expect(try vault.mode(vault.path + "-wal") == 0o600)
        #expect(try vault.mode(vault.path + "-shm") == 0o600)
        #expect(try vault.mode(vault.directory.path(".chaperone")) == 0o700)
        let raw = try RawDatabase(vault.path)
        #expect(try raw.rows("PRAGMA journal_mode") == [["wal"]])
        #expect(try raw.rows("SELECT version FROM schema_version") == [["1"]])
        #expect(try raw.rows("SELECT id FROM vault_key") == [[store.keyID.hex]])
    }

    @Test func grantsRoundTripWithTheTimesOfTheInjectedClock() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        try store.put(user: "alice", connection: "github", refreshToken: secret("rt-1"),
                      scopes: ["repo", "read:org"])
        vault.clock.advance(by: 60)
        try store.markUsed(user: "alice", connection: "github")
        vault.clock.advance(by: 60)
        try store.replaceRefreshToken(user: "alice", connection: "github", with: secret("rt-2"))

        let grant = try #require(try store.get(user: "alice", connection: "github"))
        #expect(text(grant.refreshToken) == "rt-2")
        let start = ManualClock().now
        #expect(grant.record == GrantRecord(
            user: "alice", connection: "github", scopes: ["repo", "read:org"], state: .active,
            keyID: store.keyID, created: start, lastUsed: start + 60, lastRefreshed: start + 120))
        #expect(try store.get(user: "alice", connection: "google") == nil)
        #expect(try store.get(user: "bob", connection: "github") == nil)
    }

    @Test func aRotatedRefreshTokenIsOnDiskWhenTheCallReturns() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        try store.put(user: "alice", connection: "github", refreshToken: secret("old"), scopes: [])
        try store.replaceRefreshToken(user: "alice", connection: "github", with: secret("new"))
        // Another process, reading the file now, sees the new token.
        let other = try vault.open(try key(1), create: false)
        let grant = try #require(try other.get(user: "alice", connection: "github"))
        #expect(text(grant.refreshToken) == "new")
    }

    @Test func listFiltersAndOrdersWithoutSecretMaterial() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        for (user, connection) in [("bob", "github"), ("alice", "google"), ("alice", "github")] {
            try store.put(user: user, connection: connection, refreshToken: secret("rt"),
                          scopes: [])
        }
        let all = try store.list(user: nil, connection: nil)
        #expect(all.map { "\($0.user)/\($0.connection)" }
            == ["alice/github", "alice/google", "bob/github"])
        #expect(try store.list(user: "alice", connection: nil).count == 2)
        #expect(try store.list(user: nil, connection: "github").count == 2)
        #expect(try store.list(user: "bob", connection: "google").isEmpty)
    }

    @Test func revokeErasesTheSealedTokenAndPutRestoresTheGrant() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        try store.put(user: "alice", connection: "github", refreshToken: secret("rt"), scopes: [])
        #expect(try store.revoke(user: "alice", connection: "github"))
        #expect(try store.get(user: "alice", connection: "github") == nil)
        #expect(try !store.revoke(user: "alice", connection: "github"))
        let raw = try RawDatabase(vault.path)
        #expect(try raw.rows("SELECT state, key_id, nonce, sealed_token FROM grants")
            == [["revoked", "NULL", "NULL", "NULL"]])
        // Flipping the state back cannot revive it: there is no token left to open.
        #expect(throws: (any Error).self) {
            try raw.execute("UPDATE grants SET state = 'active'")
        }
        #expect(throws: VaultError.noGrant(user: "alice", connection: "github")) {
            try store.markUsed(user: "alice", connection: "github")
        }
        #expect(throws: VaultError.noGrant(user: "alice", connection: "github")) {
            try store.replaceRefreshToken(user: "alice", connection: "github", with: secret("x"))
        }
        #expect(throws: VaultError.noGrant(user: "carol", connection: "github")) {
            try store.revoke(user: "carol", connection: "github")
        }

        vault.clock.advance(by: 10)
        try store.put(user: "alice", connection: "github", refreshToken: secret("rt-2"),
                      scopes: ["repo"])
        let grant = try #require(try store.get(user: "alice", connection: "github"))
        #expect(text(grant.refreshToken) == "rt-2")
        #expect(grant.record.created == ManualClock().now + 10)
    }

    @Test func theWrongKeyIsRefusedNamingBothKeyIDs() throws {
        let vault = try VaultFixture()
        let right = try key(1), wrong = try key(2)
        try vault.open(right).put(user: "alice", connection: "github",
                                  refreshToken: secret("rt"), scopes: [])
        let error = #expect(throws: VaultError.self) { try vault.open(wrong) }
        #expect(error == .wrongKey(sealedWith: right.id, given: wrong.id))
        #expect(error?.description == "the vault is sealed with key \(right.id), but the key "
            + "given is \(wrong.id)")
    }

    /// Each way someone with write access to the file could change a grant's row.
    enum Tampering: String, CaseIterable, Sendable {
        case ciphertext, tag, nonce, user, connection, tokenFromAnotherRow
    }

    @Test(arguments: Tampering.allCases)
    func aTamperedRecordIsRefused(tampering: Tampering) throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        for user in ["alice", "bob"] {
            try store.put(user: user, connection: "github", refreshToken: secret("rt-" + user),
                          scopes: [])
        }
        let raw = try RawDatabase(vault.path)
        let alice = "WHERE user = 'alice'"
        switch tampering {
        case .ciphertext: try raw.flipBit(column: "sealed_token", byte: 2, alice)
        case .tag: try raw.flipBit(column: "sealed_token", byte: -1, alice)
        case .nonce: try raw.flipBit(column: "nonce", byte: 5, alice)
        case .user: try raw.execute("UPDATE grants SET user = 'mallory' \(alice)")
        case .connection: try raw.execute("UPDATE grants SET connection = 'google' \(alice)")
        case .tokenFromAnotherRow:
            try raw.execute("""
                UPDATE grants SET
                    nonce = (SELECT nonce FROM grants WHERE user = 'bob'),
                    sealed_token = (SELECT sealed_token FROM grants WHERE user = 'bob')
                \(alice)
                """)
        }
        let user = tampering == .user ? "mallory" : "alice"
        let connection = tampering == .connection ? "google" : "github"
        #expect(throws: VaultError.tampered(user: user, connection: connection)) {
            try store.get(user: user, connection: connection)
        }
        #expect(text(try #require(try store.get(user: "bob", connection: "github"))
            .refreshToken) == "rt-bob")
    }

    @Test func aRecordClaimingAnotherKeyIsRefusedAsSealedUnderIt() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        try store.put(user: "alice", connection: "github", refreshToken: secret("rt"), scopes: [])
        try RawDatabase(vault.path).execute("UPDATE grants SET key_id = '0123456789abcdef'")
        #expect(throws: VaultError.wrongKey(sealedWith: VaultKeyID(hex: "0123456789abcdef")!,
                                            given: store.keyID)) {
            try store.get(user: "alice", connection: "github")
        }
    }

    @Test func theTokenNeverAppearsInTheFiles() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        let token = "rt-0a1b2c3d4e5f-never-on-disk"
        try store.put(user: "alice", connection: "github", refreshToken: secret(token),
                      scopes: [])
        try store.replaceRefreshToken(user: "alice", connection: "github",
                                      with: secret(token + "-rotated"))
        let bytes = vault.fileBytes()
        #expect(!bytes.isEmpty)
        #expect(bytes.firstRange(of: Array("never-on-disk".utf8)) == nil)
        #expect(bytes.firstRange(of: Array("alice".utf8)) != nil)
    }

    @Test func badInputIsRefused() throws {
        let vault = try VaultFixture()
        let store = try vault.open(try key(1))
        #expect(throws: VaultError.self) {
            try store.put(user: "", connection: "github", refreshToken: secret("rt"), scopes: [])
        }
        #expect(throws: VaultError.self) {
            try store.put(user: "a\nb", connection: "github", refreshToken: secret("rt"),
                          scopes: [])
        }
        #expect(throws: VaultError.invalidGrant("the refresh token is empty")) {
            try store.put(user: "alice", connection: "github", refreshToken: secret(""),
                          scopes: [])
        }
        #expect(throws: VaultError.self) {
            try store.put(user: "alice", connection: "github", refreshToken: secret("rt"),
                          scopes: ["a b"])
        }
        #expect(try store.list(user: nil, connection: nil).isEmpty)
    }

    @Test func openingRefusesAMissingUnsafeOrNewerFile() throws {
        let vault = try VaultFixture()
        #expect(throws: VaultError.noVault(path: vault.path)) {
            try vault.open(try key(1), create: false)
        }
        _ = try vault.open(try key(1))
        chmod(vault.path, 0o644)
        #expect(throws: VaultError.unsafePermissions(path: vault.path, mode: 0o100644)) {
            try vault.open(try key(1))
        }
        chmod(vault.path, 0o600)
        try RawDatabase(vault.path).execute("UPDATE schema_version SET version = 2")
        #expect(throws: VaultError.newerSchema(path: vault.path, found: 2, supported: 1)) {
            try vault.open(try key(1))
        }
    }
}
