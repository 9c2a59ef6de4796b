import ChaperoneConfig
import ChaperoneIdentity
import Testing

@testable import ChaperoneServer

@Suite struct MintGrantTests {
    typealias Kind = ConnectionSettings.Kind

    static let refresh = Kind.refreshToken
    static let auth0Vault = Kind.auth0TokenVault(connection: "g", subjectToken: .vault)
    static let auth0Incoming = Kind.auth0TokenVault(connection: "g", subjectToken: .incoming)

    /// The verdict's case name, for the table.
    static func name(_ verdict: MintGrant.Verdict) -> String {
        switch verdict {
        case .issued: "issued"
        case .grantDead: "grantDead"
        case .consentRequired: "consentRequired"
        case .callerRefused: "callerRefused"
        case .failed: "failed"
        }
    }

    @Test(arguments: [
        (refresh, 400, #"{"error":"invalid_grant"}"#, "grantDead"),
        (refresh, 400, #"{"error":"invalid_scope"}"#, "consentRequired"),
        (refresh, 400, "", "consentRequired"),
        (refresh, 401, #"{"error":"invalid_client"}"#, "failed"),
        (refresh, 500, "<html>", "failed"),
        (refresh, 503, "", "failed"),
        (refresh, 200, #"{"access_token":"a","token_type":"mac"}"#, "failed"),
        (refresh, 200, #"{"access_token":"a","token_type":"Bearer"}"#, "issued"),
        (auth0Vault, 401, #"{"error":"federated_connection_refresh_token_not_found"}"#,
         "consentRequired"),
        (auth0Vault, 404, #"{"error":"tokenset_not_found"}"#, "consentRequired"),
        (auth0Vault, 400, #"{"error":"invalid_grant"}"#, "grantDead"),
        (auth0Vault, 400, "", "failed"),
        (auth0Vault, 403, #"{"error":"unauthorized_client"}"#, "failed"),
        (auth0Vault, 400, #"{"error":"invalid_scope"}"#, "failed"),
        (auth0Incoming, 400, #"{"error":"invalid_grant"}"#, "callerRefused"),
        (auth0Incoming, 401, #"{"error":"federated_connection_refresh_token_not_found"}"#,
         "consentRequired"),
    ])
    func answersMeanWhatTheEndpointSaid(kind: Kind, status: Int, body: String,
                                        expected: String)
    {
        let answer = TokenResponse.read(status: status, body: Array(body.utf8))
        #expect(Self.name(MintGrant.verdict(answer, kind: kind, connection: "c")) == expected)
    }

    @Test func aRotatedRefreshTokenAndTheLifetimeAreRead() throws {
        let body = #"{"access_token":"a","expires_in":120,"refresh_token":"r2","scope":"x y"}"#
        guard case .issued(let issued) = TokenResponse.read(status: 200, body: Array(body.utf8))
        else { Issue.record("not issued"); return }
        #expect(issued.accessToken == Array("a".utf8))
        #expect(issued.refreshToken == Array("r2".utf8))
        #expect(issued.expiresIn == 120)
        #expect(issued.scope == "x y")
    }
}
