import ChaperoneTestSupport
import Foundation
import Testing

/// Starting, describing and stopping the authority, and the watchdog that outlives a crashed
/// test runner.
@Suite(.timeLimit(.minutes(2))) struct LifecycleTests {
    @Test func discoveryNamesTheEndpointsTheFixtureExposes() throws {
        let glewlwyd = try Glewlwyd()
        let discovery = try HTTPClient.request(glewlwyd.discoveryURL).json
        #expect(discovery["issuer"] as? String == glewlwyd.issuer)
        #expect(discovery["token_endpoint"] as? String == glewlwyd.tokenURL)
        #expect(discovery["jwks_uri"] as? String == glewlwyd.jwksURL)
        #expect(discovery["backchannel_authentication_endpoint"] as? String
            == glewlwyd.backchannelURL)
        #expect(discovery["backchannel_token_delivery_modes_supported"] as? [String] == ["poll"])
        #expect(glewlwyd.issuer == "http://127.0.0.1:\(glewlwyd.port)/api/oidc")

        // Bound to 127.0.0.1 alone, not to every loopback address.
        #expect(throws: TestFailure.self) {
            try HTTPClient.request("http://127.0.0.2:\(glewlwyd.port)/config", timeout: 2)
        }
    }

    @Test func usersHaveDistinctOpaqueSubjects() throws {
        let glewlwyd = try Glewlwyd()
        let subjects = glewlwyd.users.map(\.sub)
        #expect(Set(subjects).count == glewlwyd.options.users.count)
        for user in glewlwyd.users {
            #expect(!user.sub.isEmpty)
            #expect(user.sub != user.name)
        }
    }

    @Test func stopEndsGlewlwydAndFreesItsPort() throws {
        let glewlwyd = try Glewlwyd(Self.oneUser)
        let url = glewlwyd.baseURL + "/config"
        #expect(try HTTPClient.request(url).status == 200)
        glewlwyd.stop()
        #expect(!glewlwyd.isRunning)
        #expect(throws: TestFailure.self) { try HTTPClient.request(url, timeout: 2) }
        #expect(glewlwyd.log.contains("Glewlwyd stopped"))
    }

    @Test func releasingTheFixtureStopsGlewlwyd() throws {
        var glewlwyd: Glewlwyd? = try Glewlwyd(Self.oneUser)
        let url = glewlwyd!.baseURL + "/config"
        #expect(try HTTPClient.request(url).status == 200)
        glewlwyd = nil
        #expect(throws: TestFailure.self) { try HTTPClient.request(url, timeout: 2) }
    }

    @Test func theWatchdogKillsTheChildWhenItsOwnerDies() throws {
        let directory = try TemporaryDirectory(), childDirectory = try TemporaryDirectory()
        let owner = try TestProcess("/bin/sleep", ["60"], directory: directory, name: "owner")
        let child = try TestProcess("/bin/sleep", ["60"], directory: directory, name: "child")
        let watchdog = try ProcessWatchdog(child: child.pid, owner: owner.pid,
                                           directory: childDirectory, interval: 0.05)
        #expect(child.waitForExit(timeout: 0.3) == nil)

        owner.signal(SIGKILL)
        #expect(owner.waitForExit() != nil)
        #expect(child.waitForExit(timeout: 5) != nil)
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(watchdog.waitForExit())
        #expect(!FileManager.default.fileExists(atPath: childDirectory.root))
    }

    @Test func theWatchdogExitsOnItsOwnOnceTheChildHasGone() throws {
        let directory = try TemporaryDirectory()
        let child = try TestProcess("/bin/sleep", ["60"], directory: directory, name: "child")
        let watchdog = try ProcessWatchdog(child: child.pid, directory: directory, interval: 0.05)
        #expect(watchdog.isRunning)
        child.signal(SIGKILL)
        #expect(child.waitForExit() != nil)
        #expect(watchdog.waitForExit())
        #expect(FileManager.default.fileExists(atPath: directory.root))
    }

    @Test func theRepositorysSchemaStandsInWhenThePackagesIsMissing() throws {
        var options = Self.oneUser
        options.packageSchema = "/nonexistent/init.sqlite3.sql.gz"
        let glewlwyd = try Glewlwyd(options)
        let grant = try glewlwyd.firstGrant(for: glewlwyd.user("dana"),
                                            client: glewlwyd.client("chaperone"))
        #expect(try UnverifiedJWT(grant.accessToken).claim("sub") == glewlwyd.user("dana").sub)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: Glewlwyd.Options().packageSchema)))
    func theRepositorysSchemaIsThePackagesSchema() throws {
        let directory = try TemporaryDirectory()
        let packaged = try TestProcess.run("/bin/gzip", ["-dc", Glewlwyd.Options().packageSchema],
                                           directory: directory, name: "schema")
        let kept = try String(
            contentsOfFile: packageRoot
                + "/Sources/ChaperoneTestSupport/Fixtures/glewlwyd-init.sqlite3.sql",
            encoding: .utf8)
        #expect(kept == packaged)
    }

    static var oneUser: Glewlwyd.Options {
        var options = Glewlwyd.Options()
        options.users = ["dana"]
        return options
    }
}
