import ChaperoneAudit
import ChaperoneTestSupport
import Foundation
import Testing

/// README's walkthrough, played against the demo as `scripts/run` brings it up: the agent
/// reads alice's messages with a token minted from her vault grant, asks to buy something,
/// and alice answers in headless Chromium at Glewlwyd's own pages (screenshots in
/// `.build/screenshots/<test>/`). Serialized: each test runs a whole demo, and one is
/// enough at a time on a small machine.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WalkthroughTests {
    static let purchase = #"{"item":"headphones","price":"79 EUR"}"#
    static let bindingMessage = "Buy headphones for 79 EUR"

    @Test func theAgentReadsWithAlicesTokenAndBuysOnceSheApprovesInTheBrowser() throws {
        let demo = try DemoLoop()
        let token = try demo.agentToken()

        // Step 1: the API sees a token Glewlwyd issued for alice, never the agent's own.
        let read = try demo.call("/api/messages", token: token)
        #expect(read.status == 200, "\(read.text)\n\(demo.log.suffix(3000))")
        #expect((read.json["messages"] as? [Any])?.isEmpty == false)
        let readWith = try CredentialSeen(read)
        #expect(readWith.claim("iss") == demo.issuer)
        #expect(readWith.claim("sub") == demo.userSub)
        #expect(readWith.scopes.contains("messages.read"))
        #expect(!readWith.scopes.contains("purchases"))
        #expect(readWith.claims["act"] == nil)
        #expect(readWith.fingerprint != CredentialFingerprint(credential: token).hex)
        #expect(!read.text.contains(token))
        // The API names the token it got by its first characters: no credential goes back.
        #expect((readWith.authorization ?? "").count < 48)

        // Step 2: the purchase is held, and the admin listener lists it.
        let held = Background { [demo] in
            try demo.call("/api/purchases", token: token, method: "POST", json: Self.purchase,
                          timeout: 120)
        }
        let listed = try Self.pendingApproval(demo)
        #expect(listed["user"] as? String == "alice")
        #expect(listed["actor"] as? String == "shopping-agent")
        #expect(listed["route"] as? String == "purchase")
        #expect(!demo.apiLog.contains("/purchases"))

        // Step 3: alice approves at Glewlwyd's pages; the held request goes out with the
        // approval's token.
        let browser = BrowserPhone(baseURL: demo["authority"], username: demo["user"],
                                   password: demo["password"])
        let report = try browser.approve(bindingMessage: Self.bindingMessage)
        #expect(report.bindingMessageShown == true)
        let bought = try held.wait(timeout: 60)
        #expect(bought.status == 201, "\(bought.text)\n\(demo.log.suffix(3000))")
        #expect((bought.json["purchase"] as? [String: Any])?["item"] as? String == "headphones")
        let boughtWith = try CredentialSeen(bought)
        #expect(boughtWith.claim("iss") == demo.issuer)
        #expect(boughtWith.claim("sub") == demo.userSub)
        #expect(boughtWith.scopes.contains("purchases"))
        #expect(boughtWith.fingerprint != readWith.fingerprint)

        // Step 4: the audit log names both calls, their credentials by the fingerprints the
        // API computed from what it received.
        let records = try Self.auditRecords(demo, through: "purchase")
        let reading = try #require(records.first { $0["route"] as? String == "read-messages" })
        #expect(reading["user"] as? String == "alice")
        #expect((reading["actors"] as? [[String: Any]])?.first?["sub"] as? String
            == "shopping-agent")
        #expect(reading["connection"] as? String == "glewlwyd")
        #expect(reading["credential"] as? String == readWith.fingerprint)
        let buying = try #require(records.first { $0["route"] as? String == "purchase" })
        #expect(buying["decision"] as? String == "forwarded")
        #expect((buying["approval"] as? [String: Any])?["outcome"] as? String == "approved")
        #expect(buying["credential"] as? String == boughtWith.fingerprint)

        // The demo's secrets stay in its state files: not in what the script, Chaperone or
        // the API printed or logged.
        let output = demo.log + demo.process.stdout + demo.apiLog
        for file in ["client-secret", "glewlwyd/admin-password"] {
            let secret = try String(contentsOfFile: demo["state"] + "/" + file, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(secret.count >= 32)
            #expect(!output.contains(secret), "\(file) appears in the demo's output")
        }
    }

    @Test func aPurchaseAliceDeniesInTheBrowserIsRefusedAndNeverReachesTheAPI() throws {
        let demo = try DemoLoop()
        let token = try demo.agentToken()
        let held = Background { [demo] in
            try demo.call("/api/purchases", token: token, method: "POST", json: Self.purchase,
                          timeout: 120)
        }
        _ = try Self.pendingApproval(demo)

        let browser = BrowserPhone(baseURL: demo["authority"], username: demo["user"],
                                   password: demo["password"])
        try browser.deny(bindingMessage: Self.bindingMessage)
        let refused = try held.wait(timeout: 60)
        #expect(refused.status == 403, "\(refused.text)")
        #expect(refused.json["type"] as? String == "approval-denied")
        #expect(!demo.apiLog.contains("/purchases"))
        let buying = try #require(try Self.auditRecords(demo, through: "purchase").last)
        #expect(buying["route"] as? String == "purchase")
        #expect(buying["reason"] as? String == "approval-denied")
        #expect(buying["upstream_status"] is NSNull)
    }

    /// Ctrl-C ends every process the script started; a second run in the same folder keeps
    /// the authority, alice and her grant, and works at once.
    @Test func ctrlCStopsEverythingAndASecondRunReusesTheState() throws {
        let home = try TemporaryDirectory()
        let first = try DemoLoop(home: home)
        let pids = first.pids
        #expect(pids.count == 3)
        #expect(first.stop() == 130, "\(first.log.suffix(2000))")
        for pid in pids {
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "process \(pid) still runs")
        }

        let second = try DemoLoop(home: home, ports: first.ports)
        #expect(second["password"] == first["password"])
        #expect(second.userSub == first.userSub)
        let read = try second.call("/api/messages", token: try second.agentToken())
        #expect(read.status == 200, "\(read.text)\n\(second.log.suffix(3000))")
        #expect(try CredentialSeen(read).claim("sub") == first.userSub)
    }

    @Test func aTakenPortIsNamedAndNothingStarts() throws {
        let holder = try RecordingUpstream()
        let home = try TemporaryDirectory(), output = try TemporaryDirectory()
        var environment = ["DEMO_PROXY_PORT": "\(holder.port)",
                           "CHAPERONE_BINARY": ChaperoneProcess.binary]
        for name in ["DEMO_API_PORT", "DEMO_ADMIN_PORT", "DEMO_GLEWLWYD_PORT"] {
            environment[name] = "\(try freeLoopbackPort())"
        }
        let run = try TestProcess("/bin/bash", [DemoLoop.script, "--no-build", "--ready-line",
                                                "--home", home.root],
                                  environment: environment, directory: output, name: "demo")
        #expect(run.waitForExit(timeout: 60) == 1)
        #expect(run.stderr.contains("port \(holder.port) on 127.0.0.1, for Chaperone's proxy "
            + "listener, is taken"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home.path(".chaperone")))
        #expect(!run.stdout.contains("READY"))
    }

    /// The held purchase, as `GET /approvals` lists it.
    static func pendingApproval(_ demo: DemoLoop) throws -> [String: Any] {
        try poll("the purchase on /approvals", timeout: 20, interval: 0.1) {
            let listing = try HTTPClient.request(demo["admin"] + "/approvals")
            return (listing.json["approvals"] as? [[String: Any]])?.first {
                $0["binding_message"] as? String == bindingMessage
            }
        }
    }

    /// `chaperone audit query --json`, once it holds a record of `route`: every record,
    /// oldest first. The log commits in batches, shortly after each answer.
    static func auditRecords(_ demo: DemoLoop, through route: String) throws
        -> [[String: Any]]
    {
        try poll("an audit record of route \(route)", timeout: 10, interval: 0.1) {
            let records = try demo.chaperone(["audit", "query", "--json"])
                .split(separator: "\n").map {
                    try #require(try JSONSerialization.jsonObject(with: Data($0.utf8))
                        as? [String: Any])
                }
            return records.contains { $0["route"] as? String == route } ? records : nil
        }
    }
}
