import ChaperoneTestSupport
import Foundation
import Testing

/// The scripted token endpoint (Fixtures/token_endpoint.py), a test fake: for the answers
/// Glewlwyd cannot be made to give on demand, and for Auth0's Token Vault, which does not
/// run here.
final class ScriptedTokenEndpoint {
    private let server: FixtureServer
    var port: Int { server.port }

    init() throws { server = try FixtureServer("token_endpoint.py") }

    var tokenURL: String { "http://127.0.0.1:\(port)/token" }

    /// Every request so far: its form fields and client authentication.
    func requests() throws -> [(form: [String: String], auth: [String: String])] {
        let body = try HTTPClient.request("http://127.0.0.1:\(port)/__requests").body
        let list = try JSONSerialization.jsonObject(with: Data(body)) as! [[String: Any]]
        return list.map { ($0["form"] as! [String: String], $0["auth"] as! [String: String]) }
    }

    /// A world whose connection `gw` mints here; `extra` adds lines to the connection.
    func world(_ extra: String = "", scopes: String = "[read]") throws -> VaultWorld {
        try VaultWorld(connection: """
            token_url: \(tokenURL)
            client_id: chaperone-test
            client_secret: {env: GW_SECRET}
            \(extra)
            """, environment: ["GW_SECRET": "scripted-s3cret"], scopes: scopes)
    }
}

@Suite struct ScriptedMintingTests {
    let endpoint: ScriptedTokenEndpoint

    init() throws { endpoint = try ScriptedTokenEndpoint() }

    @Test func theRefreshIsNarrowedToTheRouteScopesAndAuthenticatesTheClient() throws {
        let world = try endpoint.world(scopes: "[read, 'mail:send']")
        try world.put(user: "user-alice", refreshToken: "rt-alice")
        try world.start()
        let token = try world.issuer.token(user: "user-alice", scope: "read mail:send")
        let response = try HTTPClient.request(try #require(world.chaperone).url("/api/x"),
                                              headers: ["Authorization: Bearer \(token)"])
        #expect(response.status == 200)
        let request = try #require(try endpoint.requests().first)
        #expect(request.form == ["grant_type": "refresh_token", "refresh_token": "rt-alice",
                                 "scope": "read mail:send"])
        #expect(request.auth == ["method": "basic", "client_id": "chaperone-test"])
        #expect(try world.upstreamCredentials() == ["Bearer at-1"])
    }

    @Test func invalidGrantRevokesTheGrantAndLaterCallsDoNotAskAgain() throws {
        let world = try endpoint.world("auth: post")
        try world.put(user: "user-carol", refreshToken: "dead")
        try world.start()
        let response = try world.request("/api/a", user: "user-carol")
        #expect(response.status == 403)
        #expect(response.json["type"] as? String == "consent-required")
        #expect(response.json["connect_url"] as? String == VaultWorld.connectURL)
        #expect(try world.listed(user: "user-carol").contains("revoked"))
        #expect(try endpoint.requests().first?.form["client_secret"] == "scripted-s3cret")

        let again = try world.request("/api/a", user: "user-carol")
        #expect(again.json["type"] as? String == "consent-required")
        #expect(try endpoint.requests().count == 1)
        #expect(try world.upstream.records().isEmpty)
    }

    @Test func endpointFailuresAre503AndKeepTheGrant() throws {
        let world = try endpoint.world()
        try world.put(user: "user-a", refreshToken: "broken")
        try world.put(user: "user-b", refreshToken: "no-client")
        try world.start()
        for user in ["user-a", "user-b"] {
            let response = try world.request("/api/a", user: user)
            #expect(response.status == 503)
            #expect(response.json["type"] as? String == "unavailable")
            #expect(response.header("Retry-After") == "5")
            #expect(try world.listed(user: user).contains("active"))
        }
    }

    @Test func aRotatedRefreshTokenIsStoredAndUsedNext() throws {
        let world = try endpoint.world("max_ttl: 31s")
        try world.put(user: "user-alice", refreshToken: "rotating")
        try world.start()
        try world.expectOK("/api/a", user: "user-alice")
        // max_ttl 31 s leaves one second past the 30 s skew: then the token is minted anew.
        usleep(1_500_000)
        try world.expectOK("/api/b", user: "user-alice")
        let presented = try endpoint.requests().map { $0.form["refresh_token"] ?? "" }
        #expect(presented == ["rotating", "rotating+"])
        #expect(try !world.vaultFilesContain("rotating+"))
        #expect(try world.upstreamCredentials() == ["Bearer at-1", "Bearer at-2"])
    }

    @Test func auth0TokenVaultExchangesTheStoredRefreshToken() throws {
        let world = try endpoint.world("""
            kind: auth0_token_vault
            connection: google-oauth2
            subject_token: vault
            """)
        try world.put(user: "user-alice", refreshToken: "auth0-rt-alice")
        try world.start()
        try world.expectOK("/api/a", user: "user-alice")
        let form = try #require(try endpoint.requests().first).form
        #expect(form == [
            "grant_type":
                "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token",
            "subject_token": "auth0-rt-alice",
            "subject_token_type": "urn:ietf:params:oauth:token-type:refresh_token",
            "requested_token_type":
                "http://auth0.com/oauth/token-type/federated-connection-access-token",
            "connection": "google-oauth2",
        ])
        #expect(try world.upstreamCredentials() == ["Bearer at-1"])
    }

    @Test func auth0TokenVaultCanExchangeTheCallersOwnToken() throws {
        let world = try endpoint.world("""
            kind: auth0_token_vault
            connection: google-oauth2
            subject_token: incoming
            login_hint: "{sub}"
            """)
        try world.start()
        let token = try world.issuer.token(user: "user-alice")
        let response = try HTTPClient.request(try #require(world.chaperone).url("/api/a"),
                                              headers: ["Authorization: Bearer \(token)"])
        #expect(response.status == 200)
        let form = try #require(try endpoint.requests().first).form
        #expect(form["subject_token"] == token)
        #expect(form["subject_token_type"] == "urn:ietf:params:oauth:token-type:access_token")
        #expect(form["login_hint"] == "user-alice")
    }

    @Test func auth0SaysConsentOnlyWhenTheAccountIsNotLinked() throws {
        let world = try endpoint.world("""
            kind: auth0_token_vault
            connection: google-oauth2
            """)
        try world.put(user: "user-unlinked", refreshToken: "unlinked")
        try world.put(user: "user-broken", refreshToken: "broken")
        try world.put(user: "user-client", refreshToken: "no-client")
        try world.start()
        let unlinked = try world.request("/api/a", user: "user-unlinked")
        #expect(unlinked.status == 403)
        #expect(unlinked.json["type"] as? String == "consent-required")
        #expect(try world.listed(user: "user-unlinked").contains("active"))
        for user in ["user-broken", "user-client"] {
            let response = try world.request("/api/a", user: user)
            #expect(response.status == 503)
            #expect(response.json["type"] as? String == "unavailable")
        }
    }
}
