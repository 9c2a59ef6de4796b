import ChaperoneTestSupport
import Foundation
import Testing

/// `development: true`: `chaperone dev token` mints on-behalf-of tokens that the identity
/// section verifies against the key published on the admin listener.
@Suite(.timeLimit(.minutes(2))) struct DevelopmentModeTests {
    static func config(upstream: String, admin: Int, development: Bool) -> String {
        """
        version: 1
        listen: 127.0.0.1:0
        workers: 1
        development: \(development)
        admin: {listen: 127.0.0.1:\(admin)}
        identity:
          issuer: chaperone-dev
          jwks_url: http://127.0.0.1:\(admin)/dev/jwks.json
          audience: chaperone-demo
        routes:
          - name: api
            path: /api/**
            upstream: \(upstream)
            strip_prefix: /api
            actors: [shopping-agent]
            credential: {static: {env: TEST_UPSTREAM_TOKEN}}
        """
    }

    static func devToken(_ arguments: [String], config: String) throws
        -> (status: Int32, token: String, stderr: String)
    {
        let directory = try TemporaryDirectory()
        let process = try TestProcess(ChaperoneProcess.binary,
                                      ["dev", "token"] + arguments + ["--config", config],
                                      environment: tokenEnvironment, directory: directory,
                                      name: "dev-token")
        let status = process.waitForExit() ?? -1
        return (status, process.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                process.stderr)
    }

    @Test func aDevelopmentTokenIsVerifiedAndNeverForwarded() throws {
        let upstream = try RecordingUpstream()
        let admin = try freeLoopbackPort()
        let chaperone = try ChaperoneProcess(
            config: Self.config(upstream: upstream.url, admin: admin, development: true),
            environment: tokenEnvironment)
        try waitUntilReady(chaperone)
        let jwks = try HTTPClient.request(chaperone.adminURL("/dev/jwks.json")).json
        let key = try #require((jwks["keys"] as? [[String: Any]])?.first)
        #expect(key["kty"] as? String == "OKP")
        #expect(key["d"] == nil)

        let minted = try Self.devToken(["--user", "alice", "--agent", "shopping-agent",
                                        "--scope", "read"], config: chaperone.configPath)
        #expect(minted.status == 0, "\(minted.stderr)")
        let claims = try UnverifiedJWT(minted.token)
        #expect(claims.claim("sub") == "alice")
        #expect(claims.claim("iss") == "chaperone-dev")

        let response = try HTTPClient.request(chaperone.url("/api/messages"),
                                              headers: ["Authorization: Bearer \(minted.token)"])
        #expect(response.status == 200, "\(response.text)\n\(chaperone.log)")
        let record = try #require(try upstream.records().first)
        #expect(record.header("Authorization") == "Bearer \(upstreamToken)")
        #expect(chaperone.requestLines.last?["user"] as? String == "alice")

        // Another actor is refused by the route's policy, as any token would be.
        let other = try Self.devToken(["--user", "alice", "--agent", "intruder"],
                                      config: chaperone.configPath)
        #expect(try HTTPClient.request(chaperone.url("/api/messages"),
                                       headers: ["Authorization: Bearer \(other.token)"])
            .status == 403)
        #expect(!chaperone.log.contains(minted.token))
    }

    @Test func withoutDevelopmentModeThereIsNoIssuer() throws {
        let upstream = try RecordingUpstream()
        let admin = try freeLoopbackPort()
        let chaperone = try ChaperoneProcess(
            config: Self.config(upstream: upstream.url, admin: admin, development: false),
            environment: tokenEnvironment)
        #expect(try HTTPClient.request(chaperone.adminURL("/dev/jwks.json")).status == 404)
        let refused = try Self.devToken(["--user", "alice"], config: chaperone.configPath)
        #expect(refused.status == 1)
        #expect(refused.token.isEmpty)
        #expect(refused.stderr.contains("does not say development: true"))
    }

    @Test func developmentModeNeedsLoopbackListeners() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("proxy.yaml", Self.config(
            upstream: "http://127.0.0.1:9", admin: 9090, development: true)
            .replacingOccurrences(of: "listen: 127.0.0.1:0", with: "listen: 0.0.0.0:8080"))
        let check = try TestProcess(ChaperoneProcess.binary, ["check", "--config", path],
                                    environment: tokenEnvironment, directory: directory,
                                    name: "check")
        #expect(check.waitForExit() == 1)
        #expect(check.stdout.contains("development mode accepts tokens anyone here can mint")
            || check.stderr.contains("development mode accepts tokens anyone here can mint"))
    }
}
