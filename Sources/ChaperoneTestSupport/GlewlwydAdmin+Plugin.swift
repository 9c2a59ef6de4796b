extension GlewlwydAdmin {
    /// Adds the OIDC plugin: RS256 JWT access tokens (`typ: at+jwt`) signed with the given
    /// key, one-use refresh tokens with reuse detection, CIBA in poll mode over plain http.
    public func addOIDCPlugin(name: String, issuer: String, keyPEM: String,
                              certificatePEM: String, options: Glewlwyd.Options) throws
    {
        let parameters: [String: Any] = [
            "iss": issuer,
            "jwt-type": "rsa", "jwt-key-size": "256", "key": keyPEM, "cert": certificatePEM,
            "jwks-show": true,
            "access-token-duration": options.accessTokenLifetime,
            "refresh-token-duration": options.refreshTokenLifetime,
            "code-duration": 600,
            // Every refresh disables the token it used and returns a new one; presenting a
            // used one again disables the whole chain.
            "refresh-token-one-use": "always",
            "client-refresh-token-one-use-parameter": "refresh-token-one-use",
            "refresh-token-rolling": true,
            "allow-non-oidc": true,
            "allowed-scope": ["openid"] + options.scopes,
            "auth-type-code-enabled": true, "auth-type-refresh-enabled": true,
            "auth-type-token-enabled": false, "auth-type-id-token-enabled": true,
            "auth-type-none-enabled": false, "auth-type-password-enabled": false,
            "auth-type-client-enabled": false, "auth-type-device-enabled": false,
            "subject-type": "public",
            "scope": [Any](), "additional-parameters": [Any](), "claims": [Any](),
            "oauth-ciba-allowed": true,
            "oauth-ciba-mode-poll-allowed": true, "oauth-ciba-mode-ping-allowed": false,
            "oauth-ciba-mode-push-allowed": false,
            "oauth-ciba-allow-https-non-secure": true,
            "oauth-ciba-default-expiry": options.cibaDefaultExpiry,
            "oauth-ciba-maximum-expiry": options.cibaMaximumExpiry,
            "oauth-ciba-user-code-allowed": false, "oauth-ciba-email-allowed": false,
        ]
        try send("POST", "mod/plugin/", [
            "module": "oidc", "name": name, "display_name": "OpenID Connect", "enabled": true,
            "parameters": parameters,
        ])
    }
}
