/// The `connections` section: the OAuth clients through which vault grants become access
/// tokens.
extension Validator {
    mutating func connections(_ wire: Located<[WireConnection]>?, identity: Bool)
        -> [ConnectionSettings]
    {
        (wire?.value ?? []).compactMap { connection($0, identity: identity) }
    }

    private mutating func connection(_ wire: WireConnection, identity: Bool)
        -> ConnectionSettings?
    {
        let errorsBefore = diagnostics.problems.count
        if !Self.isName(wire.name.value) {
            diagnostics.error(wire.name.location, wire.name.path,
                              "a connection name must be 1 to 64 letters, digits, '-', '_' "
                                  + "or '.'")
        }
        let kind = kind(wire, identity: identity)
        let tokenURL = required(wire.tokenURL, in: wire, "token_url").flatMap { url($0) }
        let (clientID, clientSecret, authentication) = client(wire.client, in: wire.location,
                                                              wire.path)
        let connectURL = wire.connectURL.flatMap { link($0) }
        let scopes = names(wire.scopes)
        let maxTTL = duration(wire.maxTTL, in: .seconds(1)...(.seconds(86_400)))
        let caFile = wire.caFile.flatMap { readableFile($0) }
        guard !hasNewErrors(since: errorsBefore), let kind, let tokenURL, let clientID,
              let clientSecret
        else { return nil }

        if tokenURL.scheme == "http", !tokenURL.isLoopback, let at = wire.tokenURL {
            diagnostics.warning(at.location, at.path,
                                "refresh tokens and the client secret would cross the network "
                                    + "in clear text: use https")
        }
        return ConnectionSettings(
            name: wire.name.value, kind: kind, tokenURL: tokenURL, clientID: clientID,
            clientSecret: clientSecret, authentication: authentication, connectURL: connectURL,
            scopes: scopes, maxTTL: maxTTL, caFile: caFile,
            loginHint: wire.loginHint.flatMap { nonEmpty($0) })
    }

    /// `kind`, with the keys that only the Auth0 Token Vault kind takes.
    private mutating func kind(_ wire: WireConnection, identity: Bool)
        -> ConnectionSettings.Kind?
    {
        switch wire.kind?.value ?? "refresh_token" {
        case "refresh_token":
            for key in [wire.connection, wire.subjectToken, wire.loginHint].compactMap({ $0 }) {
                diagnostics.error(key.location, key.path, "only for kind: auth0_token_vault")
            }
            return .refreshToken
        case "auth0_token_vault":
            guard let upstream = wire.connection else {
                diagnostics.error(wire.location, wire.path + ".connection",
                                  "is required for kind: auth0_token_vault (the connection at "
                                      + "Auth0, such as google-oauth2)")
                return nil
            }
            guard let name = nonEmpty(upstream), let subject = subjectToken(wire, identity)
            else { return nil }
            return .auth0TokenVault(connection: name, subjectToken: subject)
        default:
            if let kind = wire.kind {
                diagnostics.error(kind.location, kind.path,
                                  "expected refresh_token or auth0_token_vault")
            }
            return nil
        }
    }

    private mutating func subjectToken(_ wire: WireConnection, _ identity: Bool)
        -> ConnectionSettings.SubjectToken?
    {
        guard let value = wire.subjectToken else { return .vault }
        guard let subject = ConnectionSettings.SubjectToken(rawValue: value.value) else {
            diagnostics.error(value.location, value.path, "expected vault or incoming")
            return nil
        }
        if subject == .incoming, !identity {
            diagnostics.error(value.location, value.path,
                              "incoming needs an identity section: without one the caller's "
                                  + "token is never verified")
            return nil
        }
        return subject
    }

    /// `client_id`: text, or a secret source for deployments that keep it beside the
    /// client secret. Not itself a secret: it may appear in messages.
    /// `client_id`, `client_secret` (both required) and `auth`.
    mutating func client(_ wire: WireClient, in location: SourceLocation, _ path: String)
        -> (id: String?, secret: Secret?, authentication: ConnectionSettings.ClientAuthentication)
    {
        let id = clientID(wire.clientID, in: location, path)
        if wire.clientSecret == nil {
            diagnostics.error(location, path + ".client_secret", "is required")
        }
        let secret = wire.clientSecret.flatMap { resolve($0) }
        return (id, secret, authentication(wire.auth))
    }

    private mutating func clientID(_ value: WireText?, in location: SourceLocation,
                                   _ path: String) -> String?
    {
        switch value {
        case nil:
            diagnostics.error(location, path + ".client_id", "is required")
            return nil
        case .text(let text):
            return nonEmpty(text)
        case .secret(let secret):
            return resolve(secret)?.reveal()
        }
    }

    private mutating func authentication(_ wire: Located<String>?)
        -> ConnectionSettings.ClientAuthentication
    {
        guard let wire else { return .basic }
        guard let method = ConnectionSettings.ClientAuthentication(rawValue: wire.value) else {
            diagnostics.error(wire.location, wire.path, "expected basic or post")
            return .basic
        }
        return method
    }

    /// A link shown to people: an absolute `http` or `https` URL, query allowed.
    mutating func link(_ wire: Located<String>) -> String? {
        let text = wire.value
        let rest = text.hasPrefix("https://") ? text.dropFirst(8)
            : text.hasPrefix("http://") ? text.dropFirst(7) : nil
        let printable = text.utf8.allSatisfy {
            $0 > 0x20 && $0 < 0x7F && !"\"\\<>".utf8.contains($0)
        }
        guard let rest, !rest.isEmpty, !rest.hasPrefix("/"), printable else {
            diagnostics.error(wire.location, wire.path,
                              "expected an absolute http or https URL without spaces or quotes")
            return nil
        }
        return text
    }

    private mutating func required(_ value: Located<String>?, in wire: WireConnection,
                                   _ key: String) -> Located<String>?
    {
        if value == nil { diagnostics.error(wire.location, wire.path + "." + key, "is required") }
        return value
    }
}
