import ChaperoneTestSupport
import Foundation
import Testing

/// CIBA in poll mode against the real Glewlwyd: the client asks, the user's phone answers, the
/// client polls the token endpoint.
@Suite(.timeLimit(.minutes(2))) struct ApprovalTests {
    @Test func anApprovalYieldsAnRS256AccessTokenSignedByTheKeyInTheJWKS() throws {
        let glewlwyd = try Glewlwyd()
        let alice = glewlwyd.user("alice"), client = glewlwyd.client("chaperone")
        let message = "Approve purchase of item-42 for 9.99 EUR?"
        let request = try glewlwyd.oidc.startBackchannel(
            client: client, username: alice.name, scope: "openid read", bindingMessage: message)
        let early = try glewlwyd.oidc.pollToken(client: client, authReqID: request.authReqID)
        #expect(early.error == "authorization_pending")

        let phone = try glewlwyd.phone(for: alice)
        let pending = try phone.waitForRequest(bindingMessage: message)
        #expect(pending.clientID == client.id)
        #expect(pending.scopes == ["openid", "read"])
        try phone.approve(pending)
        let grant = try glewlwyd.oidc.waitForToken(client: client, authReqID: request.authReqID)
            .grant()
        #expect(try phone.pendingRequests().isEmpty)

        let token = try UnverifiedJWT(grant.accessToken)
        #expect(token.header["alg"] as? String == "RS256")
        #expect(token.header["typ"] as? String == "at+jwt")
        let kid = try #require(token.header["kid"] as? String)
        let keys = try HTTPClient.request(glewlwyd.jwksURL).json["keys"] as? [[String: Any]] ?? []
        let key = try #require(keys.first { $0["kid"] as? String == kid })
        #expect(key["kty"] as? String == "RSA")
        let modulus = try #require(base64URLDecoded(key["n"] as? String ?? ""))
        #expect(SigningKey.hex(modulus)
            == (try SigningKey.modulus(certificate: glewlwyd.certificatePath)))
        try SigningKey.verifyRS256(grant.accessToken, certificate: glewlwyd.certificatePath)

        #expect(token.claim("iss") == glewlwyd.issuer)
        #expect(token.claim("sub") == alice.sub)
        #expect(token.claim("aud") == "openid read")
        #expect(grant.scope == "openid read")
        #expect(grant.expiresIn == glewlwyd.options.accessTokenLifetime)
    }

    @Test func aDenialPollsAsAccessDenied() throws {
        let glewlwyd = try Glewlwyd()
        let bob = glewlwyd.user("bob"), client = glewlwyd.client("chaperone-post")
        let message = "Delete repository acme/widgets?"
        let request = try glewlwyd.oidc.startBackchannel(
            client: client, username: bob.name, scope: "openid write", bindingMessage: message)
        let answer = try glewlwyd.phone(for: bob)
            .answerInBackground(bindingMessage: message, approve: false)

        let polled = try glewlwyd.oidc.waitForToken(client: client, authReqID: request.authReqID)
        #expect(polled.status == 400)
        #expect(polled.error == "access_denied")
        #expect(polled.accessToken == nil)
        #expect(try answer.wait().bindingMessage == message)
    }

    @Test func twoUsersHoldPendingRequestsAtOnce() throws {
        let glewlwyd = try Glewlwyd()
        let client = glewlwyd.client("chaperone")
        let alice = glewlwyd.user("alice"), bob = glewlwyd.user("bob")
        let aliceRequest = try glewlwyd.oidc.startBackchannel(
            client: client, username: alice.name, scope: "openid read", bindingMessage: "for alice")
        let bobRequest = try glewlwyd.oidc.startBackchannel(
            client: client, username: bob.name, scope: "openid read", bindingMessage: "for bob")

        let alicePhone = try glewlwyd.phone(for: alice), bobPhone = try glewlwyd.phone(for: bob)
        #expect(try alicePhone.pendingRequests().map(\.bindingMessage) == ["for alice"])
        #expect(try bobPhone.pendingRequests().map(\.bindingMessage) == ["for bob"])
        try bobPhone.approve(bindingMessage: "for bob")
        try alicePhone.approve(bindingMessage: "for alice")

        let aliceGrant = try glewlwyd.oidc.waitForToken(
            client: client, authReqID: aliceRequest.authReqID).grant()
        let bobGrant = try glewlwyd.oidc.waitForToken(
            client: client, authReqID: bobRequest.authReqID).grant()
        #expect(try UnverifiedJWT(aliceGrant.accessToken).claim("sub") == alice.sub)
        #expect(try UnverifiedJWT(bobGrant.accessToken).claim("sub") == bob.sub)
        #expect(alice.sub != bob.sub)
    }

    /// Why tests that hold two approvals at once need two users.
    @Test func aClientsSecondRequestForAUserCancelsItsFirst() throws {
        let glewlwyd = try Glewlwyd()
        let carol = glewlwyd.user("carol")
        let client = glewlwyd.client("chaperone"), other = glewlwyd.client("chaperone-post")
        let first = try glewlwyd.oidc.startBackchannel(
            client: client, username: carol.name, scope: "openid", bindingMessage: "first")
        let fromOther = try glewlwyd.oidc.startBackchannel(
            client: other, username: carol.name, scope: "openid", bindingMessage: "other client")
        let second = try glewlwyd.oidc.startBackchannel(
            client: client, username: carol.name, scope: "openid", bindingMessage: "second")

        let pending = try glewlwyd.phone(for: carol).pendingRequests()
        #expect(Set(pending.compactMap(\.bindingMessage)) == ["other client", "second"])
        let oidc = glewlwyd.oidc
        #expect(try oidc.pollToken(client: client, authReqID: first.authReqID).error
            == "invalid_grant")
        #expect(try oidc.pollToken(client: client, authReqID: second.authReqID).error
            == "authorization_pending")
        #expect(try oidc.pollToken(client: other, authReqID: fromOther.authReqID).error
            == "authorization_pending")
    }

    @Test func anUnansweredRequestExpires() throws {
        let glewlwyd = try Glewlwyd()
        let alice = glewlwyd.user("alice"), client = glewlwyd.client("chaperone")
        let request = try glewlwyd.oidc.startBackchannel(
            client: client, username: alice.name, scope: "openid", bindingMessage: "too late",
            requestedExpiry: 1)
        #expect(request.expiresIn == 1)

        let polled = try glewlwyd.oidc.waitForToken(client: client, authReqID: request.authReqID)
        #expect(polled.error == "expired_token")
        #expect(try glewlwyd.phone(for: alice).pendingRequests().isEmpty)
        #expect(throws: TestFailure.self) {
            try glewlwyd.oidc.startBackchannel(
                client: client, username: alice.name, scope: "openid", bindingMessage: "long",
                requestedExpiry: glewlwyd.options.cibaMaximumExpiry + 1)
        }
    }
}
