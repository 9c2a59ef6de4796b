import ChaperoneConfig
import ChaperoneIdentity
import ChaperoneVault

/// What one mint sends to a connection's token endpoint, and what the answer means for
/// the request and for the stored grant. No I/O here: `CredentialMinter` sends and stores.
enum MintGrant {
    static let refreshTokenType = "urn:ietf:params:oauth:token-type:refresh_token"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"
    static let auth0GrantType =
        "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
    static let auth0RequestedType =
        "http://auth0.com/oauth/token-type/federated-connection-access-token"

    /// A form body and extra header lines. The body holds a token: the sender wipes it.
    struct Request {
        var form: [UInt8]
        var headers: [String]
    }

    /// The `refresh_token` grant (RFC 6749 §6), narrowed to `scopes` when there are any.
    static func refresh(_ connection: ConnectionSettings, refreshToken: SecretBytes,
                        scopes: [String]) -> Request
    {
        var form = OAuthForm.encode([("grant_type", "refresh_token")])
        refreshToken.withUnsafeBytes { OAuthForm.append("refresh_token", bytes: $0, to: &form) }
        if !scopes.isEmpty {
            OAuthForm.append("scope", text: scopes.joined(separator: " "), to: &form)
        }
        return authenticated(connection, form)
    }

    /// Auth0 Token Vault's exchange for the access token of the user's account at
    /// `upstream` (such as `google-oauth2`), given the user's Auth0 refresh token or
    /// access token.
    static func auth0Exchange(_ connection: ConnectionSettings, upstream: String,
                              subjectToken: SecretBytes, subjectIsRefreshToken: Bool,
                              user: String) -> Request
    {
        var form = OAuthForm.encode([("grant_type", auth0GrantType)])
        subjectToken.withUnsafeBytes { OAuthForm.append("subject_token", bytes: $0, to: &form) }
        OAuthForm.append("subject_token_type",
                         text: subjectIsRefreshToken ? refreshTokenType : accessTokenType,
                         to: &form)
        OAuthForm.append("requested_token_type", text: auth0RequestedType, to: &form)
        OAuthForm.append("connection", text: upstream, to: &form)
        if let hint = connection.loginHint {
            OAuthForm.append("login_hint", text: hint.replacing("{sub}", with: user),
                             to: &form)
        }
        return authenticated(connection, form)
    }

    /// Adds the client's credentials as the connection says (RFC 6749 §2.3.1).
    private static func authenticated(_ connection: ConnectionSettings, _ form: [UInt8])
        -> Request
    {
        var request = Request(form: form, headers: [])
        let secret = connection.clientSecret.reveal()
        switch connection.authentication {
        case .basic:
            request.headers.append("Authorization: " + OAuthForm.basicCredentials(
                clientID: connection.clientID, secret: secret))
        case .post:
            OAuthForm.append("client_id", text: connection.clientID, to: &request.form)
            OAuthForm.append("client_secret", text: secret, to: &request.form)
        }
        return request
    }

    /// What an answer means.
    enum Verdict {
        case issued(TokenResponse.Issued)
        /// The stored grant is dead at the provider: revoke it; the user must link again.
        case grantDead(String)
        /// The user must consent (again or to more), but the stored grant stays.
        case consentRequired(String)
        /// The caller's own token was refused by the endpoint (Auth0 with the incoming
        /// token as subject).
        case callerRefused(String)
        /// The endpoint, or Chaperone's registration with it, failed.
        case failed(String)
    }

    /// Reads an answer for a connection of `kind`. Consent is reported as required only
    /// when the endpoint said so: any other error is the endpoint's or the
    /// configuration's, and the user could do nothing about it.
    static func verdict(_ answer: TokenResponse.Answer, kind: ConnectionSettings.Kind,
                        connection: String) -> Verdict
    {
        switch answer {
        case .issued(let issued):
            return .issued(issued)
        case .malformed(_, 400) where kind == .refreshToken:
            // RFC 6749 asks for an error code, but some providers (Glewlwyd among them)
            // refuse a used, expired or unknown refresh token with an empty 400. The grant
            // is not revoked on so little, but the user is told to link the account again,
            // since retrying will not help.
            return .consentRequired("the token endpoint of connection '\(connection)' "
                + "refused the stored grant with a 400 that gives no reason")
        case .malformed(let reason, _):
            return .failed(reason)
        case .error(let code, let status):
            let said = "the token endpoint of connection '\(connection)' answered \(status) "
                + "(\(code))"
            switch (kind, code) {
            case (.refreshToken, "invalid_grant"):
                return .grantDead("\(said): the user's stored grant is no longer valid and "
                    + "has been revoked")
            case (.refreshToken, "invalid_scope"):
                return .consentRequired("\(said): the user's grant does not cover the scopes "
                    + "this route needs")
            case (.auth0TokenVault, "federated_connection_refresh_token_not_found"),
                 (.auth0TokenVault, "tokenset_not_found"):
                return .consentRequired("\(said): the user has not linked this account")
            case (.auth0TokenVault(_, .vault), "invalid_grant"):
                return .grantDead("\(said): the user's stored Auth0 refresh token is no "
                    + "longer valid and has been revoked")
            case (.auth0TokenVault(_, .incoming), "invalid_grant"):
                return .callerRefused("\(said): the caller's token was refused")
            default:
                return .failed(said)
            }
        }
    }
}
