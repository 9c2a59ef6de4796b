import ChaperoneTestSupport
import Foundation
import Testing

/// Routes held until the user approves on their own device, with Glewlwyd as the CIBA
/// authority and its user-side API playing the phone. Glewlwyd asks clients to poll every
/// 5 s, so each approval takes that long.
@Suite(.timeLimit(.minutes(2))) struct HeldRequestTests {
    static let purchase = #"{"itemId":"item-42","amount":"9.99 EUR","note":"x"}"#

    @Test func anApprovedPurchaseIsForwardedOnceWithTheApprovalsToken() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        let held = try world.requestInBackground("/shop/buy", user: "alice",
                                                 json: Self.purchase)
        let phone = try world.phone("alice")
        let pending = try phone.waitForRequest(
            bindingMessage: "Approve purchase of item-42 for 9.99 EUR")
        #expect(pending.scopes.contains("write"))

        let listed = try poll("the admin listing") { try world.pendingApprovals().first }
        #expect(listed["user"] as? String == "alice")
        #expect(listed["actor"] as? String == "agent-1")
        #expect(listed["route"] as? String == "buy")
        #expect(listed["mode"] as? String == "block")
        #expect(listed["binding_message"] as? String
            == "Approve purchase of item-42 for 9.99 EUR")
        #expect(try upstreamUntouched(world))

        try phone.approve(pending)
        let response = try held.wait()
        #expect(response.status == 200, "\(world.explain(response))")
        let records = try world.upstream.records()
        try #require(records.count == 1)
        #expect(records[0].method == "POST")
        #expect(records[0].target == "/buy")
        #expect(records[0].bodySHA256 == (try sha256(Array(Self.purchase.utf8))))
        let credential = try #require(records[0].header("Authorization"))
        #expect(credential.hasPrefix("Bearer "))
        let claims = try verifiedByGlewlwyd(String(credential.dropFirst(7)), world.glewlwyd)
        #expect(claims["sub"] as? String == world.glewlwyd.user("alice").sub)
        #expect((claims["scope"] as? String)?.split(separator: " ").contains("write") == true)
        #expect(try world.pendingApprovals().isEmpty)
        let metrics = try scrapeMetrics(world.chaperone)
        #expect(metrics.value("chaperone_approvals_total",
                              ["route": "buy", "outcome": "approved"]) == 1)
        #expect(metrics.value("chaperone_approvals_pending") == 0)
        #expect((metrics.value("chaperone_jwks_refreshes_total", ["result": "ok"]) ?? 0) >= 1)

        let line = try #require(world.chaperone.requestLines.first { $0["route"] as? String == "buy" })
        #expect(line["approval"] as? String == listed["id"] as? String)
        #expect(!world.chaperone.log.contains(String(credential.dropFirst(7))))
    }

    @Test func anApprovalCanGateAStaticCredentialWithPathAndQueryInTheMessage() throws {
        let world = try ApprovalWorld(try Glewlwyd(), client: "chaperone-post")
        let held = try world.requestInBackground("/gate/crate%207?to=Main+St.%2C%20Oslo&x=1",
                                                 user: "bob", json: "{}")
        try world.phone("bob").approve(bindingMessage: "Ship crate 7 to Main St., Oslo")
        let response = try held.wait()
        #expect(response.status == 200, "\(world.explain(response))")
        let records = try world.upstream.records()
        #expect(records.map { $0.header("Authorization") }
            == ["Bearer \(ApprovalWorld.staticToken)"])
    }

    @Test func aDenialIs403ApprovalDeniedAndNothingIsForwarded() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        let held = try world.requestInBackground("/shop/buy", user: "bob", json: Self.purchase)
        try world.phone("bob").deny(bindingMessage: "Approve purchase of item-42 for 9.99 EUR")
        let response = try held.wait()
        #expect(response.status == 403, "\(world.explain(response))")
        #expect(response.json["type"] as? String == "approval-denied")
        #expect(try upstreamUntouched(world))
        let metrics = try scrapeMetrics(world.chaperone)
        #expect(metrics.value("chaperone_approvals_total",
                              ["route": "buy", "outcome": "denied"]) == 1)
        // Outcomes that never happened are left out.
        #expect(metrics.value("chaperone_approvals_total",
                              ["route": "buy", "outcome": "approved"]) == nil)
    }

    @Test func noAnswerBeforeTheRequestedExpiryIs403ApprovalExpired() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        let started = Date()
        let response = try world.request("/quick", user: "carol", json: #"{"itemId":"q-1"}"#)
        #expect(response.status == 403, "\(world.explain(response))")
        #expect(response.json["type"] as? String == "approval-expired")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try upstreamUntouched(world))
    }

    @Test func aClientThatHangsUpWhileHeldCancelsItsApproval() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        let connection = try RawConnection(port: world.chaperone.port)
        let token = try world.issuer.token(user: "alice")
        let body = #"{"itemId":"gone-1","amount":"1 EUR"}"#
        try connection.send("POST /shop/buy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + "\(token)\r\nContent-Type: application/json\r\nContent-Length: "
            + "\(body.utf8.count)\r\n\r\n\(body)")
        let phone = try world.phone("alice")
        let pending = try phone.waitForRequest(bindingMessage: "Approve purchase of gone-1 for 1 EUR")
        _ = try poll("the held request in the listing") { try world.pendingApprovals().first }
        connection.hangUp()
        _ = try poll("the approval to be forgotten") {
            try world.pendingApprovals().isEmpty ? true : nil
        }

        // Approving now reaches nobody: the upstream stays untouched past the next poll.
        try phone.approve(pending)
        Thread.sleep(forTimeInterval: 6)
        #expect(try upstreamUntouched(world))
    }

    @Test func anAuthorityThatIsDownIs503() throws {
        let port = try freeLoopbackPort()
        let world = try ApprovalWorld(try Glewlwyd(),
                                      backchannelURL: "http://127.0.0.1:\(port)/ciba")
        let response = try world.request("/shop/buy", user: "alice", json: Self.purchase)
        #expect(response.status == 503, "\(world.explain(response))")
        #expect(response.json["type"] as? String == "unavailable")
        #expect(response.header("Retry-After") != nil)
        #expect(try upstreamUntouched(world))
    }

    @Test func aStoppedAuthorityWhileHeldIs503() throws {
        let glewlwyd = try Glewlwyd()
        let world = try ApprovalWorld(glewlwyd)
        let held = try world.requestInBackground("/shop/buy", user: "alice", json: Self.purchase)
        _ = try world.phone("alice").waitForRequest(
            bindingMessage: "Approve purchase of item-42 for 9.99 EUR")
        glewlwyd.stop()
        let response = try held.wait()
        #expect(response.status == 503, "\(world.explain(response))")
        #expect(try upstreamUntouched(world))
    }

    @Test func aMessageThatCannotBeRenderedIs400BeforeAnyoneIsAsked() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        for body in [#"{"amount":"1"}"#, #"{"itemId":{"a":1},"amount":"1"}"#, "not json"] {
            let response = try world.request("/shop/buy", user: "alice", json: body)
            #expect(response.status == 400, "\(world.explain(response))")
            #expect(response.json["type"] as? String == "bad-request")
        }
        #expect(try world.phone("alice").pendingRequests().isEmpty)
    }

    @Test func hostileValuesStayInsideTheMessageAndTheLoginHint() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        // Quotes, braces, newlines and non-ASCII are dropped from the message.
        let hostile = #"{"itemId":"x\"}\n{\"é<script>","amount":"5"}"#
        let held = try world.requestInBackground("/shop/buy", user: "carol", json: hostile)
        let pending = try world.phone("carol").waitForRequest(
            bindingMessage: "Approve purchase of xscript for 5")
        #expect(pending.bindingMessage == "Approve purchase of xscript for 5")
        try world.phone("carol").deny(pending)
        #expect(try held.wait().status == 403)

        // A subject that tries to name another user stays one JSON string: Glewlwyd finds
        // no such user, and bob is never asked.
        let forged = #"nobody","username":"bob"#
        let response = try world.request("/shop/buy", user: forged, json: Self.purchase)
        #expect(response.status == 403, "\(world.explain(response))")
        #expect(response.json["type"] as? String == "forbidden")
        #expect(try world.phone("bob").pendingRequests().isEmpty)
        #expect(try upstreamUntouched(world))
    }

    @Test func sigtermAnswersAHeldRequest503() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        let held = try world.requestInBackground("/shop/buy", user: "alice", json: Self.purchase)
        _ = try poll("the held request in the listing") { try world.pendingApprovals().first }
        world.chaperone.process.signal(SIGTERM)
        let response = try held.wait(timeout: 10)
        #expect(response.status == 503, "\(world.explain(response))")
        #expect(world.chaperone.process.waitForExit(timeout: 10) == 0)
        #expect(try upstreamUntouched(world))
    }

    @Test func interruptModeAnswers202ThenTheUpstreamsResponseExactlyOnce() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        let accepted = try world.request("/later/buy", user: "alice",
                                         json: #"{"itemId":"later-7"}"#)
        #expect(accepted.status == 202, "\(world.explain(accepted))")
        let location = try #require(accepted.header("Location"))
        #expect(location.hasPrefix("/_chaperone/approvals/"))
        #expect(accepted.header("Retry-After") != nil)
        #expect(accepted.json["status"] as? String == "pending")

        #expect(try world.request(location, user: "alice", method: "GET").status == 202)
        // Another user, or the same user through another agent, learns nothing.
        #expect(try world.request(location, user: "bob", method: "GET").status == 404)
        #expect(try world.request(location, user: "alice", agent: "agent-2",
                                  method: "GET").status == 404)
        let listed = try #require(try world.pendingApprovals().first)
        #expect(listed["mode"] as? String == "interrupt")

        try world.phone("alice").approve(bindingMessage: "Later purchase of later-7")
        let collected = try poll("the approval to be granted", timeout: 15) { () -> HTTPResponse? in
            let response = try world.request(location, user: "alice", method: "GET")
            return response.status == 202 ? nil : response
        }
        #expect(collected.status == 200, "\(world.explain(collected))")
        let records = try world.upstream.records()
        try #require(records.count == 1)
        #expect(records[0].target == "/buy")
        #expect(records[0].bodySHA256 == (try sha256(Array(#"{"itemId":"later-7"}"#.utf8))))
        let credential = try #require(records[0].header("Authorization"))
        let claims = try verifiedByGlewlwyd(String(credential.dropFirst(7)), world.glewlwyd)
        #expect(claims["sub"] as? String == world.glewlwyd.user("alice").sub)

        #expect(try world.request(location, user: "alice", method: "GET").status == 404)
        #expect(try world.upstream.records().count == 1)
    }

    @Test func interruptModeReportsADenialOnce() throws {
        let world = try ApprovalWorld(try Glewlwyd())
        let accepted = try world.request("/later/buy", user: "bob", json: #"{"itemId":"no-1"}"#)
        let location = try #require(accepted.header("Location"))
        try world.phone("bob").deny(bindingMessage: "Later purchase of no-1")
        let answer = try poll("the denial", timeout: 15) { () -> HTTPResponse? in
            let response = try world.request(location, user: "bob", method: "GET")
            return response.status == 202 ? nil : response
        }
        #expect(answer.status == 403)
        #expect(answer.json["type"] as? String == "approval-denied")
        #expect(try world.request(location, user: "bob", method: "GET").status == 404)
        #expect(try upstreamUntouched(world))
    }

    private func upstreamUntouched(_ world: ApprovalWorld) throws -> Bool {
        try world.upstream.records().isEmpty
    }
}
