import ChaperoneTestSupport
import Foundation
import Synchronization
import Testing

/// A Chaperone whose route `api` takes its credential from the vault through connection
/// `gw`, agents' tokens minted by the PyJWT test issuer, and a recording upstream. The
/// connection is given as YAML (its lines under `gw:`), so that it can point at a real
/// authority or at a test fake.
final class VaultWorld {
    let issuer: TestIssuer
    let upstream: RecordingUpstream
    let directory: TemporaryDirectory
    let configPath: String
    let environment: [String: String]
    private(set) var chaperone: ChaperoneProcess?

    static let connectURL = "https://chaperone.test/connect/gw"

    init(connection: String, environment: [String: String], scopes: String = "[read]") throws {
        issuer = try TestIssuer()
        upstream = try RecordingUpstream()
        directory = try TemporaryDirectory()
        self.environment = environment
        let openssl = try TestProcess("/usr/bin/openssl",
                                      ["rand", "-base64", "-out", directory.path("vault.key"),
                                       "32"], directory: directory, name: "openssl")
        guard openssl.waitForExit() == 0 else { throw TestFailure("openssl rand failed") }
        let lines = connection.split(separator: "\n").map { "    " + $0 }
            .joined(separator: "\n")
        configPath = try directory.write("proxy.yaml", """
            version: 1
            listen: 127.0.0.1:0
            workers: 2
            admin: {listen: 127.0.0.1:0}
            \(issuer.identitySection())
            vault:
              store: sqlite:\(directory.path("vault.db"))
              key: {file: \(directory.path("vault.key"))}
            connections:
              gw:
            \(lines)
                connect_url: \(Self.connectURL)
            routes:
              - name: api
                path: /api/**
                upstream: \(upstream.url)
                strip_prefix: /api
                connection: gw
                scopes: \(scopes)
            """)
    }

    /// A world whose connection is Chaperone's client at a real Glewlwyd.
    static func glewlwyd(_ glewlwyd: Glewlwyd, client: GlewlwydClient,
                         tokenURL: String? = nil) throws -> VaultWorld
    {
        try VaultWorld(connection: """
            token_url: \(tokenURL ?? glewlwyd.tokenURL)
            client_id: \(client.id)
            client_secret: {env: GW_SECRET}
            auth: \(client.authentication == .post ? "post" : "basic")
            """, environment: ["GW_SECRET": client.secret])
    }

    /// `chaperone vault put`, the refresh token on standard input.
    func put(user: String, refreshToken: String) throws {
        let process = try TestProcess(
            ChaperoneProcess.binary,
            ["vault", "put", "--user", user, "--connection", "gw", "--config", configPath],
            environment: environment, directory: directory, name: "put",
            input: Array(refreshToken.utf8))
        guard process.waitForExit() == 0 else {
            throw TestFailure("vault put failed: \(process.stderr)")
        }
    }

    /// `chaperone vault list` for one user: its table row.
    func listed(user: String) throws -> String {
        let process = try TestProcess(
            ChaperoneProcess.binary,
            ["vault", "list", "--user", user, "--config", configPath],
            environment: environment, directory: directory, name: "list")
        _ = process.waitForExit()
        return process.stdout.split(separator: "\n").dropFirst().joined(separator: "\n")
    }

    /// Starts (or restarts) Chaperone on the configuration, once its keys are fetched.
    func start() throws {
        chaperone = nil
        let chaperone = try ChaperoneProcess(
            config: String(contentsOfFile: configPath, encoding: .utf8),
            environment: environment)
        try waitUntilReady(chaperone)
        self.chaperone = chaperone
    }

    /// A request as the agent acting for `user`.
    func request(_ path: String, user: String, method: String = "GET") throws -> HTTPResponse {
        guard let chaperone else { throw TestFailure("Chaperone is not started") }
        let token = try issuer.token(user: user)
        return try HTTPClient.request(chaperone.url(path), method: method,
                                      headers: ["Authorization: Bearer \(token)"])
    }

    /// A request that must be forwarded; a failure shows the answer and Chaperone's log.
    func expectOK(_ path: String, user: String,
                  sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        let response = try request(path, user: user)
        #expect(response.status == 200,
                "\(response.status) \(response.text)\n\(chaperone?.log.suffix(2000) ?? "")",
                sourceLocation: sourceLocation)
    }

    /// Whether `bytes` occur in the vault's files (the database and its journal).
    func vaultFilesContain(_ text: String) throws -> Bool {
        let needle = Data(text.utf8)
        return try ["vault.db", "vault.db-wal", "vault.db-shm"].contains { name in
            let path = directory.path(name)
            guard FileManager.default.fileExists(atPath: path) else { return false }
            return try Data(contentsOf: URL(fileURLWithPath: path)).range(of: needle) != nil
        }
    }

    /// The Authorization header each upstream request carried, in order.
    func upstreamCredentials() throws -> [String] {
        try upstream.records().map { $0.header("Authorization") ?? "-" }
    }
}

/// The claims of `token` once PyJWT has verified it against Glewlwyd's JWKS.
func verifiedByGlewlwyd(_ token: String, _ glewlwyd: Glewlwyd) throws -> [String: Any] {
    let directory = try TemporaryDirectory()
    let script = packageRoot + "/Tests/ChaperoneEndToEndTests/Fixtures/verify_jwt.py"
    let process = try TestProcess("/usr/bin/python3", [script, glewlwyd.jwksURL,
                                                       glewlwyd.issuer],
                                  directory: directory, name: "verify",
                                  input: Array(token.utf8))
    guard process.waitForExit() == 0 else {
        throw TestFailure("PyJWT refused the token: \(process.stderr)")
    }
    return try JSONSerialization.jsonObject(with: Data(process.stdout.utf8)) as! [String: Any]
}

/// Stores a first grant Glewlwyd issued to `client` for `name`, under the agent-token
/// subject `user`.
@discardableResult
func storeGrant(_ glewlwyd: Glewlwyd, _ client: GlewlwydClient, _ name: String,
                as user: String, in world: VaultWorld) throws -> TokenGrant
{
    let grant = try glewlwyd.firstGrant(for: glewlwyd.user(name), client: client)
    try world.put(user: user, refreshToken: grant.refreshToken)
    return grant
}

/// Minting against a real Glewlwyd: one-use refresh tokens with reuse detection, so a
/// refresh token used twice, or a rotated one not stored, would break the grant.
@Suite struct VaultMintingTests {
    let glewlwyd: Glewlwyd
    let client: GlewlwydClient

    init() throws {
        glewlwyd = try Glewlwyd()
        client = glewlwyd.client("chaperone")
    }

    @Test func theUpstreamSeesAPerUserTokenMintedOnceAndCached() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        let first = try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        let other = try storeGrant(glewlwyd, client, "bob", as: "user-bob", in: world)
        try world.start()

        try world.expectOK("/api/a", user: "user-alice")
        try world.expectOK("/api/b", user: "user-alice")
        try world.expectOK("/api/c", user: "user-bob")
        let seen = try world.upstreamCredentials()
        #expect(seen.count == 3)
        // Alice's two calls carried one token, cached; Bob's is his own.
        #expect(seen[0] == seen[1])
        #expect(seen[0] != seen[2])
        for credential in seen {
            #expect(credential.hasPrefix("Bearer ey"))
            #expect(!credential.contains(first.refreshToken))
            #expect(!credential.contains(other.refreshToken))
        }
        // Signed by Glewlwyd (checked by PyJWT against its JWKS) for the user who granted
        // it, not the agent's token. Glewlwyd ignores `scope` on a refresh, so narrowing is
        // checked against the scripted endpoint instead (ScriptedMintingTests).
        let claims = try verifiedByGlewlwyd(String(seen[0].dropFirst("Bearer ".count)), glewlwyd)
        #expect(claims["sub"] as? String == glewlwyd.user("alice").sub)
        #expect(claims["client_id"] as? String == client.id)
        #expect(try world.listed(user: "user-alice").contains("active"))
        // /metrics says the same: two mints, and Alice's second call served from a cache.
        let metrics = try scrapeMetrics(try #require(world.chaperone))
        #expect(metrics.value("chaperone_vault_refreshes_total",
                              ["connection": "gw", "result": "issued"]) == 2)
        #expect(metrics.value("chaperone_vault_refreshes_total",
                              ["connection": "gw", "result": "failed"]) == 0)
        #expect(metrics.value("chaperone_vault_cache_total", ["result": "miss"]) == 2)
        #expect((metrics.value("chaperone_vault_cache_total", ["result": "loop"]) ?? 0)
            + (metrics.value("chaperone_vault_cache_total", ["result": "shared"]) ?? 0) == 1)
        // The vault keeps refresh tokens sealed: their bytes are nowhere in its files.
        #expect(try !world.vaultFilesContain(first.refreshToken))
        #expect(try !world.vaultFilesContain(other.refreshToken))
    }

    @Test func theRotatedRefreshTokenIsStoredSoARestartStillMints() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        try world.start()
        try world.expectOK("/api/a", user: "user-alice")

        // A fresh process has no cached token: it must refresh with what the vault holds,
        // and only the rotated refresh token still works at Glewlwyd.
        try world.start()
        try world.expectOK("/api/b", user: "user-alice")
        try world.start()
        try world.expectOK("/api/c", user: "user-alice")
        #expect(Set(try world.upstreamCredentials()).count == 3)
    }

    @Test func concurrentColdRequestsShareOneRefresh() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        try world.start()
        let token = try world.issuer.token(user: "user-alice")
        let url = try #require(world.chaperone).url("/api/concurrent")
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 20) { _ in
            let status = (try? HTTPClient.request(
                url, headers: ["Authorization: Bearer \(token)"]).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        // Two refreshes with one one-use token would be a replay, which Glewlwyd refuses
        // and answers by disabling the grant.
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 20))
        #expect(Set(try world.upstreamCredentials()).count == 1)
        try world.start()
        try world.expectOK("/api/after", user: "user-alice")
    }

    @Test func aUserWithoutAGrantIsAskedToConsent() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try world.start()
        let response = try world.request("/api/a", user: "user-nobody")
        #expect(response.status == 403)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.json["type"] as? String == "consent-required")
        #expect(response.json["connect_url"] as? String == VaultWorld.connectURL)
        #expect((response.json["detail"] as? String)?.contains("'gw'") == true)
        #expect(try world.upstream.records().isEmpty)
    }

    @Test func aRevokedGrantAsksForConsent() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        let revoke = try TestProcess(
            ChaperoneProcess.binary,
            ["vault", "revoke", "--user", "user-alice", "--connection", "gw",
             "--config", world.configPath],
            environment: world.environment, directory: world.directory, name: "revoke")
        #expect(revoke.waitForExit() == 0)
        try world.start()
        let response = try world.request("/api/a", user: "user-alice")
        #expect(response.status == 403)
        #expect(response.json["type"] as? String == "consent-required")
    }

    @Test func aVaultSealedUnderAnotherKeyStopsServeWithBothKeyIDs() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        let openssl = try TestProcess("/usr/bin/openssl",
                                      ["rand", "-base64", "-out", world.directory.path("vault.key"),
                                       "32"], directory: world.directory, name: "rekey")
        #expect(openssl.waitForExit() == 0)
        let config = try String(contentsOfFile: world.configPath, encoding: .utf8)
        let serve = try TestProcess(ChaperoneProcess.binary,
                                    ["serve", "--config", try world.directory.write("serve.yaml",
                                                                                   config)],
                                    environment: world.environment, directory: world.directory,
                                    name: "serve")
        #expect(serve.waitForExit() == 1)
        #expect(serve.stderr.contains("the vault is sealed with key "))
        #expect(serve.stderr.contains(", but the key given is "))
    }

    @Test func aKeyRotationWhileServingNeedsOnlyAReload() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        try storeGrant(glewlwyd, client, "bob", as: "user-bob", in: world)
        try world.start()
        try world.expectOK("/api/a", user: "user-alice")

        let newKey = world.directory.path("new.key")
        let openssl = try TestProcess("/usr/bin/openssl", ["rand", "-base64", "-out", newKey, "32"],
                                      directory: world.directory, name: "new-key")
        #expect(openssl.waitForExit() == 0)
        let rotate = try TestProcess(
            ChaperoneProcess.binary,
            ["vault", "rotate-key", "--new-key-file", newKey, "--config", world.configPath],
            environment: world.environment, directory: world.directory, name: "rotate")
        #expect(rotate.waitForExit() == 0, "\(rotate.stderr)")
        // Tokens already minted keep flowing while the proxy still holds the old key.
        try world.expectOK("/api/b", user: "user-alice")

        let rotated = try String(contentsOfFile: world.configPath, encoding: .utf8)
            .replacingOccurrences(of: world.directory.path("vault.key"), with: newKey)
        try #require(world.chaperone).reload(config: rotated)
        #expect(try #require(world.chaperone).log.contains(#""msg":"reloaded""#))
        // Bob's first call mints with the re-sealed grant under the new key.
        try world.expectOK("/api/c", user: "user-bob")
    }

    @Test func aGrantGlewlwydRefusesWithoutReasonAsksForConsentAndIsKept() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try world.put(user: "user-carol", refreshToken: "not-a-token-glewlwyd-issued")
        try world.start()
        let response = try world.request("/api/a", user: "user-carol")
        #expect(response.status == 403)
        #expect(response.json["type"] as? String == "consent-required")
        #expect(try world.listed(user: "user-carol").contains("active"))
        #expect(try world.upstream.records().isEmpty)
    }

    @Test func anUnreachableTokenEndpointIs503WithRetryAfter() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client,
                                            tokenURL: "http://127.0.0.1:9/token")
        try world.put(user: "user-alice", refreshToken: "any")
        try world.start()
        let response = try world.request("/api/a", user: "user-alice")
        #expect(response.status == 503)
        #expect(response.json["type"] as? String == "unavailable")
        #expect(response.header("Retry-After") != nil)
        #expect(try world.upstream.records().isEmpty)
        // The grant is kept: the endpoint failed, not the user.
        #expect(try world.listed(user: "user-alice").contains("active"))
    }

    @Test func clientSecretPostAuthenticatesTooAndNothingSecretIsLogged() throws {
        let post = glewlwyd.client("chaperone-post")
        let world = try VaultWorld.glewlwyd(glewlwyd, client: post)
        let grant = try storeGrant(glewlwyd, post, "alice", as: "user-alice", in: world)
        try world.start()
        try world.expectOK("/api/a", user: "user-alice")
        let minted = try #require(try world.upstreamCredentials().first)
            .dropFirst("Bearer ".count)
        let log = try #require(world.chaperone).log
        #expect(!log.contains(grant.refreshToken))
        #expect(!log.contains(String(minted)))
        #expect(!log.contains(post.secret))
    }

    @Test func anUpstream401DropsTheTokenAndAGetIsRetriedOnceWithAFreshOne() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        try world.start()
        try world.expectOK("/api/first-401", user: "user-alice")
        let seen = try world.upstreamCredentials()
        #expect(seen.count == 2)
        #expect(seen[0] != seen[1])
        // The fresh token is the one cached now.
        try world.expectOK("/api/next", user: "user-alice")
        #expect(try world.upstreamCredentials().last == seen[1])
    }

    @Test func aPostRefusedWith401IsNotRetriedButItsTokenIsDropped() throws {
        let world = try VaultWorld.glewlwyd(glewlwyd, client: client)
        try storeGrant(glewlwyd, client, "alice", as: "user-alice", in: world)
        try world.start()
        let response = try world.request("/api/first-401", user: "user-alice", method: "POST")
        #expect(response.status == 401)
        #expect(try world.upstream.records().count == 1)
        try world.expectOK("/api/next", user: "user-alice")
        let seen = try world.upstreamCredentials()
        #expect(seen.count == 2)
        #expect(seen[0] != seen[1])
    }
}
