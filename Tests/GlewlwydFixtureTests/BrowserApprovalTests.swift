import ChaperoneTestSupport
import Foundation
import Testing

/// CIBA answered by the user in a real browser at Glewlwyd's own pages, rather than through
/// its API: what a person sees on their phone leads to the token or to the refusal.
@Suite(.timeLimit(.minutes(3))) struct BrowserApprovalTests {
    @Test func approvingInTheBrowserLetsTheClientHaveItsToken() throws {
        let glewlwyd = try Glewlwyd()
        let alice = glewlwyd.user("alice"), client = glewlwyd.client("chaperone")
        let message = "Approve purchase of item-42 for 9.99 EUR?"
        let request = try glewlwyd.oidc.startBackchannel(
            client: client, username: alice.name, scope: "openid read", bindingMessage: message)
        #expect(try glewlwyd.oidc.pollToken(client: client, authReqID: request.authReqID).error
            == "authorization_pending")

        let report = try glewlwyd.browser(for: alice).approve(bindingMessage: message)
        #expect(report.message == "The request is complete")
        #expect(report.bindingMessageShown == true)
        #expect(report.steps.map(\.name) == ["account-page", "login-page", "credentials",
                                             "signed-in", "pending-request", "request",
                                             "approved"])
        #expect(report.steps.allSatisfy { FileManager.default.fileExists(atPath: $0.screenshot) })
        let listed = try #require(report.steps.first { $0.name == "pending-request" })
        #expect(listed.text.contains(message))
        #expect(listed.text.contains("Client \(client.id) has a pending authorization"))

        let grant = try glewlwyd.oidc.waitForToken(client: client, authReqID: request.authReqID)
            .grant()
        #expect(try UnverifiedJWT(grant.accessToken).claim("sub") == alice.sub)
        #expect(grant.scope == "openid read")
        #expect(try glewlwyd.phone(for: alice).pendingRequests().isEmpty)
    }

    @Test func denyingInTheBrowserIsAccessDeniedAtTheTokenEndpoint() throws {
        let glewlwyd = try Glewlwyd()
        let bob = glewlwyd.user("bob"), client = glewlwyd.client("chaperone-post")
        let message = "Delete repository acme/widgets?"
        let request = try glewlwyd.oidc.startBackchannel(
            client: client, username: bob.name, scope: "openid write", bindingMessage: message)

        let report = try glewlwyd.browser(for: bob).deny(bindingMessage: message)
        #expect(report.message == "Request cancelled")
        #expect(report.steps.last?.name == "denied")

        let polled = try glewlwyd.oidc.waitForToken(client: client, authReqID: request.authReqID)
        #expect(polled.status == 400)
        #expect(polled.error == "access_denied")
        #expect(polled.accessToken == nil)
    }

    /// The browser fails loudly, with its screenshots, when the page lacks what it came for.
    @Test func aRequestThatIsNotPendingFailsWithTheScreenshots() throws {
        let glewlwyd = try Glewlwyd()
        let carol = glewlwyd.user("carol")
        var browser = glewlwyd.browser(for: carol)
        browser.stepTimeout = 4
        let failure = try #require(throws: TestFailure.self) {
            try browser.approve(bindingMessage: "nothing asked this", timeout: 60)
        }
        #expect(failure.description.contains("no pending request reading"))
        #expect(FileManager.default.fileExists(atPath: browser.screenshots + "/05-failure.png"))
    }
}
