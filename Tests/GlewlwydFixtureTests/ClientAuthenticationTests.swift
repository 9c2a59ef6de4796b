import ChaperoneTestSupport
import Foundation
import Testing

/// How Glewlwyd authenticates confidential clients, where it departs from RFC 6749.
@Suite(.timeLimit(.minutes(2))) struct ClientAuthenticationTests {
    @Test(arguments: [GlewlwydClient.Authentication.basic, .post])
    func aWrongClientSecretIsRefusedWith403(authentication: GlewlwydClient.Authentication) throws {
        let glewlwyd = try Glewlwyd()
        let client = try #require(glewlwyd.clients.first { $0.authentication == authentication })
        let request = try glewlwyd.oidc.startBackchannel(
            client: client, username: "alice", scope: "openid", bindingMessage: "impostor")
        let impostor = GlewlwydClient(id: client.id, secret: "wrong",
                                      authentication: authentication)

        // Not RFC 6749's 401 invalid_client: a 403, with a different code at each endpoint.
        let polled = try glewlwyd.oidc.pollToken(client: impostor, authReqID: request.authReqID)
        #expect(polled.status == 403)
        #expect(polled.error == "unauthorized_client")
        let refused = #expect(throws: TestFailure.self) {
            try glewlwyd.oidc.startBackchannel(
                client: impostor, username: "alice", scope: "openid", bindingMessage: "again")
        }
        #expect(refused?.description.contains(#"403: {"error":"invalid_client"}"#) == true)
    }

    /// RFC 6749 section 2.3.1 form-encodes the id and secret before Basic encoding; Glewlwyd
    /// takes them as they are, so a client that follows the RFC fails with such a secret.
    @Test func basicCredentialsAreReadWithoutFormDecoding() throws {
        let glewlwyd = try Glewlwyd()
        let secret = "s3cret+/&=:x"
        try glewlwyd.admin.addClient(
            GlewlwydClient(id: "reserved", secret: secret, authentication: .basic))
        let encoded = GlewlwydClient(id: "reserved", secret: HTTPClient.formEscaped(secret),
                                     authentication: .basic)
        let raw = GlewlwydClient(id: "reserved", secret: secret, authentication: .basic)

        let first = try glewlwyd.oidc.startBackchannel(
            client: raw, username: "bob", scope: "openid", bindingMessage: "raw")
        #expect(!first.authReqID.isEmpty)
        #expect(throws: TestFailure.self) {
            try glewlwyd.oidc.startBackchannel(
                client: encoded, username: "carol", scope: "openid", bindingMessage: "encoded")
        }
    }
}
