import ChaperoneTestSupport
import Foundation
import Synchronization
import Testing

/// Exchange mode: the agent presents the user's own access token, and Chaperone trades it
/// at the issuer's token endpoint (RFC 8693) for the on-behalf-of token it verifies.
@Suite(.timeLimit(.minutes(2))) struct ExchangeTests {
    /// A Chaperone in exchange mode, with the client secret in its environment and the
    /// agent's actor token in a file, as the agent's platform would provide them.
    struct World {
        let issuer: TestIssuer
        let upstream: RecordingUpstream
        let chaperone: ChaperoneProcess
        let actorToken: String
        /// Holds the actor token file, read again on every exchange.
        let files: TemporaryDirectory

        init(authMethod: String = "client_secret_basic", clientSecret: String? = nil) throws {
            issuer = try TestIssuer()
            upstream = try RecordingUpstream()
            actorToken = try issuer.mint(["sub": "agent-7", "sub_profile": "ai_agent"])
            files = try TemporaryDirectory()
            let actorPath = try files.write("actor.jwt", actorToken + "\n")
            let identity = issuer.identitySection("""
                exchange:
                  token_url: \(issuer.tokenURL)
                  client_id: \(TestIssuer.clientID)
                  client_secret: {env: EXCHANGE_SECRET}
                  auth_method: \(authMethod)
                  scope: read
                  actor_token: {file: \(actorPath)}
                """)
            var environment = tokenEnvironment
            environment["EXCHANGE_SECRET"] = clientSecret ?? TestIssuer.clientSecret
            chaperone = try ChaperoneProcess(
                config: config(upstream: upstream.url, extra: "actors: [agent-7]",
                               top: identity, admin: true),
                environment: environment)
            try waitUntilReady(chaperone)
        }

        /// The user's own token, for another API than Chaperone: verifying it directly
        /// would fail on its audience, so only an exchange gets it through.
        func userToken(exp: Int? = nil) throws -> String {
            var claims: [String: Any] = ["sub": "alice", "aud": "https://user-api.test",
                                         "scope": "read write"]
            if let exp { claims["exp"] = exp }
            return try issuer.mint(claims)
        }

        func get(token: String) throws -> HTTPResponse {
            try HTTPClient.request(chaperone.url("/api/x"),
                                   headers: ["Authorization: Bearer \(token)"])
        }
    }

    @Test func theUsersTokenIsExchangedOnceAndTheResultCached() throws {
        let world = try World()
        let token = try world.userToken()
        #expect(try world.get(token: token).status == 200)
        #expect(try world.get(token: token).status == 200)
        let exchanges = try world.issuer.exchanges()
        #expect(exchanges.count == 1)
        #expect(exchanges.auth == "basic")
        #expect(exchanges.fields == ["actor_token", "actor_token_type", "audience",
                                     "grant_type", "requested_token_type", "scope",
                                     "subject_token", "subject_token_type"])
        let record = try world.upstream.records().last!
        #expect(record.header("Authorization") == "Bearer \(upstreamToken)")
        let line = world.chaperone.requestLines.last!
        #expect(line["user"] as? String == "alice")
        #expect(line["actor"] as? String == "agent-7")
    }

    @Test func clientSecretPostSendsTheCredentialsInTheForm() throws {
        let world = try World(authMethod: "client_secret_post")
        #expect(try world.get(token: world.userToken()).status == 200)
        let exchanges = try world.issuer.exchanges()
        #expect(exchanges.auth == "post")
        #expect(exchanges.fields.contains("client_secret"))
    }

    @Test func concurrentRequestsShareOneExchange() throws {
        let world = try World()
        try world.issuer.exchangeMode("slow")
        let token = try world.userToken()
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let status = (try? world.get(token: token).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 6))
        #expect(try world.issuer.exchanges().count == 1)
    }

    @Test func aRefusedSubjectTokenIs401() throws {
        let world = try World()
        let expired = try world.userToken(exp: Int(Date().timeIntervalSince1970) - 600)
        let response = try world.get(token: expired)
        expectProblem(response, status: 401, type: "invalid-token")
        #expect(response.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
        #expect((response.json["detail"] as? String)?.contains("invalid_grant") == true)
        #expect(try world.upstream.records().isEmpty)
    }

    @Test func aFailingEndpointOrAWrongClientSecretIs503() throws {
        let world = try World()
        try world.issuer.exchangeMode("fail")
        let failing = try world.get(token: world.userToken())
        expectProblem(failing, status: 503, type: "unavailable")
        #expect(failing.header("Retry-After") != nil)

        let misconfigured = try World(clientSecret: "wrong")
        let refused = try misconfigured.get(token: misconfigured.userToken())
        expectProblem(refused, status: 503, type: "unavailable")
        #expect((refused.json["detail"] as? String)?.contains("invalid_client") == true)
        #expect(try world.upstream.records().isEmpty)
    }

    @Test func noSubjectActorTokenOrClientSecretReachesTheLog() throws {
        let world = try World()
        let token = try world.userToken()
        _ = try world.get(token: token)
        _ = try world.get(token: tamper(token))
        world.chaperone.process.signal(SIGTERM)
        _ = world.chaperone.process.waitForExit()
        let log = world.chaperone.log
        #expect(log.contains(#""msg":"request""#))
        #expect(!log.contains(TestIssuer.clientSecret))
        for secret in [token, world.actorToken] {
            for part in secret.split(separator: ".") where part.count > 8 {
                #expect(!log.contains(part), "a token segment reached the log")
            }
        }
    }
}
