import ChaperoneIdentity
import Foundation
import Testing

@Suite struct TokenExchangeTests {
    @Test func formEncodingEscapesEverythingButUnreservedCharacters() {
        let body = OAuthForm.encode([("grant_type", TokenExchange.grantType),
                                    ("scope", "read write"), ("x", "a+b/c=d&é")])
        #expect(String(decoding: body, as: UTF8.self)
            == "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
            + "&scope=read+write&x=a%2Bb%2Fc%3Dd%26%C3%A9")
    }

    @Test func basicCredentialsAreFormEncodedThenBase64() throws {
        let header = OAuthForm.basicCredentials(clientID: "my client", secret: "p:w+/")
        #expect(header.hasPrefix("Basic "))
        // Decoded by Foundation, not by the code under test.
        let decoded = try #require(Data(base64Encoded: String(header.dropFirst(6))))
        #expect(String(decoding: decoded, as: UTF8.self) == "my+client:p%3Aw%2B%2F")
    }

    @Test(arguments: [
        (200, #"{"access_token":"abc","token_type":"Bearer","expires_in":60}"#,
         TokenExchange.Outcome.issued(Array("abc".utf8))),
        (200, #"{"access_token":"abc","token_type":"N_A"}"#, .issued(Array("abc".utf8))),
        (200, #"{"access_token":"abc","token_type":"DPoP"}"#,
         .failed("the token endpoint issued a 'DPoP' token, not a bearer token")),
        (200, #"{"token_type":"Bearer"}"#, .failed("the token endpoint's answer has no access_token")),
        (400, #"{"error":"invalid_grant"}"#,
         .refused("the token endpoint refused the presented token (invalid_grant)")),
        (400, #"{"error":"invalid_request"}"#,
         .refused("the token endpoint refused the presented token (invalid_request)")),
        (401, #"{"error":"invalid_client"}"#,
         .failed("the token endpoint answered 401 (invalid_client)")),
        (500, "<html>oops</html>", .failed("the token endpoint answered 500 without a JSON object")),
        (503, #"{}"#, .failed("the token endpoint answered 503 without an error code")),
    ])
    func answersAreRead(status: Int, body: String, expected: TokenExchange.Outcome) {
        #expect(TokenExchange.outcome(status: status, body: Array(body.utf8)) == expected)
    }
}
