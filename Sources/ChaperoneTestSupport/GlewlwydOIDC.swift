import Foundation

/// The OIDC plugin's endpoints, and the calls a client makes to them.
public struct GlewlwydOIDC: Sendable {
    /// `external_url` + `/api/` + the plugin's name.
    public let issuer: String

    public var tokenURL: String { issuer + "/token" }
    public var backchannelURL: String { issuer + "/ciba" }
    public var jwksURL: String { issuer + "/jwks" }
    public var discoveryURL: String { issuer + "/.well-known/openid-configuration" }

    public static let cibaGrantType = "urn:openid:params:grant-type:ciba"

    /// Starts a CIBA request for `username` as `client`; throws unless Glewlwyd accepts it
    /// (an unknown user is `invalid_request`, a wrong client secret 403 `invalid_client`).
    /// The same client starting another request for the same user cancels this one: its poll
    /// then answers `invalid_grant`.
    public func startBackchannel(client: GlewlwydClient, username: String, scope: String,
                                 bindingMessage: String, requestedExpiry: Int? = nil)
        throws -> BackchannelRequest
    {
        var fields = [("login_hint", GlewlwydUser.loginHint(username)), ("scope", scope),
                      ("binding_message", bindingMessage)]
        if let requestedExpiry { fields.append(("requested_expiry", "\(requestedExpiry)")) }
        let response = try post(backchannelURL, fields, as: client)
        let json = response.json
        guard response.status == 200, let id = json["auth_req_id"] as? String else {
            throw TestFailure("the backchannel endpoint answered \(response.status): "
                + response.text)
        }
        return BackchannelRequest(authReqID: id, expiresIn: json["expires_in"] as? Int ?? 0,
                                  interval: json["interval"] as? Int ?? 0)
    }

    /// One poll of the token endpoint for a CIBA request. A wrong client secret is answered
    /// 403 `unauthorized_client` here, not 401 `invalid_client`.
    public func pollToken(client: GlewlwydClient, authReqID: String) throws -> TokenAnswer {
        TokenAnswer(try post(tokenURL, [("grant_type", Self.cibaGrantType),
                                        ("auth_req_id", authReqID)], as: client))
    }

    /// Polls every 20 ms until the answer is no longer `authorization_pending` (or
    /// `slow_down`, which Glewlwyd never sends), then returns it.
    public func waitForToken(client: GlewlwydClient, authReqID: String,
                             timeout: Double = 10) throws -> TokenAnswer
    {
        try poll("the token endpoint to decide CIBA request \(authReqID)", timeout: timeout) {
            let answer = try pollToken(client: client, authReqID: authReqID)
            let waiting = answer.error == "authorization_pending" || answer.error == "slow_down"
            return waiting ? nil : answer
        }
    }

    /// The refresh_token grant. Glewlwyd ignores `scope` here: a refresh returns the scopes
    /// the refresh token was issued for.
    public func refresh(client: GlewlwydClient, refreshToken: String,
                        scope: String? = nil) throws -> TokenAnswer
    {
        var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if let scope { fields.append(("scope", scope)) }
        return TokenAnswer(try post(tokenURL, fields, as: client))
    }

    /// A first grant for the phone's user: a CIBA request as `client`, approved on `phone`,
    /// then the token endpoint polled for the tokens.
    public func grant(client: GlewlwydClient, approvedBy phone: GlewlwydPhone,
                      scope: String) throws -> TokenGrant
    {
        let message = "First grant for \(phone.username) " + randomSecret(length: 8)
        let request = try startBackchannel(client: client, username: phone.username,
                                           scope: scope, bindingMessage: message)
        try phone.approve(bindingMessage: message)
        return try waitForToken(client: client, authReqID: request.authReqID).grant()
    }

    private func post(_ url: String, _ fields: [(String, String)],
                      as client: GlewlwydClient) throws -> HTTPResponse
    {
        let (headers, form) = client.authenticating(fields)
        return try HTTPClient.postForm(url, form, headers: headers)
    }
}
