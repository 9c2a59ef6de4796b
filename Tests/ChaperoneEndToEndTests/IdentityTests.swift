import ChaperoneTestSupport
import Foundation
import Testing

/// A Chaperone that verifies tokens from a running test issuer; `identity` lines go into
/// the identity section, `route` lines into the `/api/**` route.
struct IdentitySetup {
    let issuer: TestIssuer
    let setup: Setup

    init(identity: String = "", route: String = "", issuer: TestIssuer? = nil) throws {
        self.issuer = try issuer ?? TestIssuer()
        setup = try Setup(extra: route, top: self.issuer.identitySection(identity), admin: true)
        try waitUntilReady(setup.chaperone)
    }

    var chaperone: ChaperoneProcess { setup.chaperone }

    func get(_ path: String = "/api/x", token: String?) throws -> HTTPResponse {
        try setup.get(path, headers: token.map { ["Authorization: Bearer \($0)"] } ?? [])
    }
}

/// The first fetch of the issuer's keys runs in the background; /readyz says when it is done.
func waitUntilReady(_ chaperone: ChaperoneProcess, timeout: Double = 10) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? HTTPClient.request(chaperone.adminURL("/readyz")))?.status == 200 { return }
        usleep(50_000)
    }
    throw TestFailure("chaperone did not become ready: \(chaperone.log)")
}

@Suite(.timeLimit(.minutes(2))) struct IdentityTests {
    @Test func aValidTokenIsForwardedWithTheAgentCredentialReplaced() throws {
        let world = try IdentitySetup()
        let token = try world.issuer.token()
        let response = try world.get(token: token)
        #expect(response.status == 200)
        let record = try world.setup.upstream.records().last!
        #expect(record.header("Authorization") == "Bearer \(upstreamToken)")
        #expect(!record.headers.contains { $0.value.contains(token) })
    }

    @Test func everyAlgorithmTheIssuerUsesIsAccepted() throws {
        let world = try IdentitySetup(identity: "algorithms: [RS256, ES256, EdDSA]")
        for (alg, kid) in [("RS256", "rsa-1"), ("ES256", "ec-1"), ("EdDSA", "ed-1")] {
            let token = try world.issuer.mint(["sub": "alice"], alg: alg, kid: kid)
            #expect(try world.get(token: token).status == 200, "\(alg)")
        }
    }

    @Test func aMissingTokenIs401WithABearerChallenge() throws {
        let world = try IdentitySetup()
        let response = try world.get(token: nil)
        expectProblem(response, status: 401, type: "invalid-token")
        #expect(response.header("WWW-Authenticate") == "Bearer")
        let basic = try world.setup.get("/api/x", headers: ["Authorization: Basic YTpi"])
        expectProblem(basic, status: 401, type: "invalid-token")
        #expect(try world.setup.upstream.records().isEmpty)
    }

    @Test func badTokensAre401AndNothingIsForwarded() throws {
        let world = try IdentitySetup()
        let issuer = world.issuer
        let now = Int(Date().timeIntervalSince1970)
        let bad = [
            "expired": try issuer.mint(["sub": "alice", "exp": now - 120]),
            "wrong audience": try issuer.mint(["sub": "alice", "aud": "https://elsewhere"]),
            "wrong issuer": try issuer.mint(["sub": "alice", "iss": "https://evil.test/"]),
            "not yet valid": try issuer.mint(["sub": "alice", "nbf": now + 600]),
            "garbage": "not.a.token",
            "tampered": try tamper(issuer.mint(["sub": "alice"])),
        ]
        for (name, token) in bad {
            let response = try world.get(token: token)
            expectProblem(response, status: 401, type: "invalid-token")
            #expect(response.header("WWW-Authenticate") == #"Bearer error="invalid_token""#,
                    "\(name)")
            #expect(!response.text.contains(token), "\(name): the token is echoed")
        }
        #expect(try world.setup.upstream.records().isEmpty)
    }

    @Test func routePolicyChecksActorProfileAndScopes() throws {
        let world = try IdentitySetup(route: """
            actors: [agent-1]
            actor_profiles: [ai_agent]
            scopes: [read, mail]
            """)
        let issuer = world.issuer
        #expect(try world.get(token: issuer.token(scope: "read mail extra")).status == 200)

        let otherAgent = try world.get(token: issuer.token(agent: "agent-2", scope: "read mail"))
        expectProblem(otherAgent, status: 403, type: "forbidden")
        #expect((otherAgent.json["detail"] as? String)?.contains("agent-2") == true)

        let noActor = try world.get(token: issuer.token(agent: nil, scope: "read mail"))
        expectProblem(noActor, status: 403, type: "forbidden")

        let service = try world.get(token: issuer.token(profile: "service", scope: "read mail"))
        expectProblem(service, status: 403, type: "forbidden")

        let narrow = try world.get(token: issuer.token(scope: "read"))
        expectProblem(narrow, status: 403, type: "forbidden")
        #expect(narrow.header("WWW-Authenticate")
            == #"Bearer error="insufficient_scope", scope="read mail""#)
        #expect(try world.setup.upstream.records().count == 1)
    }

    @Test func requiredActorMakesATokenWithoutOneInvalid() throws {
        let world = try IdentitySetup(identity: "actor: {required: true, max_depth: 2}")
        expectProblem(try world.get(token: world.issuer.token(agent: nil)), status: 401,
                      type: "invalid-token")
        let deep = try world.issuer.mint([
            "sub": "alice",
            "act": ["sub": "a", "act": ["sub": "b", "act": ["sub": "c"]]],
        ])
        expectProblem(try world.get(token: deep), status: 401, type: "invalid-token")
        let twoHops = try world.issuer.mint(["sub": "alice",
                                             "act": ["sub": "a", "act": ["sub": "b"]]])
        #expect(try world.get(token: twoHops).status == 200)
    }

    @Test func aRouteMarkedOpenNeedsNoToken() throws {
        let world = try IdentitySetup(route: "authenticate: false")
        #expect(try world.get(token: nil).status == 200)
    }

    @Test func aKeyRotatedInAtTheIssuerIsFetchedOnFirstUse() throws {
        let world = try IdentitySetup()
        #expect(try world.get(token: world.issuer.token()).status == 200)
        let fetchesBefore = try world.issuer.fetches()

        try world.issuer.addKey(kid: "rsa-2", publish: true)
        let rotated = try world.issuer.mint(["sub": "alice"], kid: "rsa-2")
        #expect(try world.get(token: rotated).status == 200)
        #expect(try world.issuer.fetches() == fetchesBefore + 1)

        // Another unknown key right after: refused without waiting for another fetch.
        try world.issuer.addKey(kid: "rsa-3", publish: true)
        let third = try world.issuer.mint(["sub": "alice"], kid: "rsa-3")
        expectProblem(try world.get(token: third), status: 401, type: "invalid-token")
        #expect(try world.issuer.fetches() == fetchesBefore + 1)
    }

    @Test func anUnknownKeyIsRefusedAfterOneFetch() throws {
        let world = try IdentitySetup()
        try world.issuer.addKey(kid: "hidden", publish: false)
        let token = try world.issuer.mint(["sub": "alice"], kid: "hidden")
        let fetchesBefore = try world.issuer.fetches()
        expectProblem(try world.get(token: token), status: 401, type: "invalid-token")
        #expect(try world.issuer.fetches() == fetchesBefore + 1)
    }

    @Test func keysOutliveAnOutageUpToTheStalenessLimitThenFailClosed() throws {
        let world = try IdentitySetup(identity: "jwks_cache: 1s\njwks_max_stale: 2s")
        let token = try world.issuer.token()
        #expect(try world.get(token: token).status == 200)
        try world.issuer.outage(true)
        usleep(1_200_000)
        #expect(try world.get(token: token).status == 200, "keys known a moment ago")
        usleep(2_500_000)
        let refused = try world.get(token: token)
        expectProblem(refused, status: 503, type: "unavailable")
        #expect(refused.header("Retry-After") != nil)
        #expect(try HTTPClient.request(world.chaperone.adminURL("/readyz")).status == 200,
                "readiness only waits for the first fetch")

        try world.issuer.outage(false)
        let deadline = Date().addingTimeInterval(10)
        var status = 0
        while Date() < deadline, status != 200 {
            usleep(200_000)
            status = try world.get(token: token).status
        }
        #expect(status == 200, "keys come back once the issuer does")
    }

    @Test func noTokenTextReachesTheLog() throws {
        let world = try IdentitySetup()
        let valid = try world.issuer.token()
        let expired = try world.issuer.mint(["sub": "alice", "exp": 1_000])
        let tampered = tamper(valid)
        for token in [valid, expired, tampered, valid] { _ = try world.get(token: token) }
        world.chaperone.process.signal(SIGTERM)
        _ = world.chaperone.process.waitForExit()
        let log = world.chaperone.log
        #expect(log.contains(#""msg":"request""#))
        for token in [valid, expired, tampered] {
            for part in token.split(separator: ".") where part.count > 8 {
                #expect(!log.contains(part), "a token segment reached the log")
            }
        }
    }
}

/// The token with one character of its payload changed, signature kept.
func tamper(_ token: String) -> String {
    var parts = token.split(separator: ".").map(String.init)
    var payload = Array(parts[1])
    payload[payload.count / 2] = payload[payload.count / 2] == "A" ? "B" : "A"
    parts[1] = String(payload)
    return parts.joined(separator: ".")
}
