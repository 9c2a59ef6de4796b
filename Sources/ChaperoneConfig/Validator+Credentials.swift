/// A route's credential: a fixed secret, or a token from the vault through a connection.
extension Validator {
    /// What a route adds to the requests it forwards: a fixed secret, or a token minted
    /// from the vault through its connection.
    mutating func credential(_ wire: WireRoute, connections: [String])
        -> (fixed: InjectedCredential?, vault: VaultCredential?, approval: TokenInjection?)
    {
        switch (wire.credential, wire.connection) {
        case (nil, nil):
            if let inject = wire.inject {
                diagnostics.error(inject.location, inject.path, "needs a credential to inject")
            }
            return (nil, nil, nil)
        case (.fixed(let secret), let connection):
            if let connection {
                diagnostics.error(connection.location, connection.path,
                                  "a route with credential {static: ...} takes no connection: "
                                      + "remove one of them")
            }
            let (header, format) = injection(wire.inject)
            guard let value = resolve(secret) else { return (nil, nil, nil) }
            let rendered = format.replacing("{token}", with: value.reveal())
            return (InjectedCredential(header: header, value: Secret(rendered)), nil, nil)
        case (.approval(let location, let path), let connection):
            if let connection {
                diagnostics.error(connection.location, connection.path,
                                  "a route with credential: approval forwards the token the "
                                      + "approval returned and takes no connection: remove one "
                                      + "of them")
            }
            if wire.approval == nil {
                diagnostics.error(location, path,
                                  "forwards the token an approval returns, but the route has "
                                      + "no approval section")
            }
            let (header, format) = injection(wire.inject)
            return (nil, nil, TokenInjection(header: header, format: format))
        case (.vault(let location, let path), nil):
            diagnostics.error(location, path,
                              "needs the route's connection: the vault keeps one grant per "
                                  + "user and connection")
            return (nil, nil, nil)
        case (_, let connection?):
            let (header, format) = injection(wire.inject)
            guard connections.contains(connection.value) else {
                let known = connections.isEmpty
                    ? "there is no connections section"
                    : "connections: " + connections.joined(separator: ", ")
                diagnostics.error(connection.location, connection.path,
                                  "no connection named '\(connection.value)' (\(known))")
                return (nil, nil, nil)
            }
            return (nil, VaultCredential(connection: connection.value, header: header,
                                         format: format), nil)
        }
    }

    /// The header and format a credential is sent with (`inject`).
    private mutating func injection(_ wire: WireInject?) -> (header: String, format: String) {
        let header = wire?.header.flatMap { headerName($0) } ?? "Authorization"
        if let inject = wire?.header, Self.reservedHeaders.contains(header.lowercased()) {
            diagnostics.error(inject.location, inject.path,
                              "'\(header)' is managed by the proxy and cannot carry a credential")
        }
        var format = "Bearer {token}"
        if let wireFormat = wire?.format {
            if wireFormat.value.ranges(of: "{token}").count != 1 {
                diagnostics.error(wireFormat.location, wireFormat.path,
                                  "must contain {token} exactly once")
            } else if !Self.isHeaderValue(wireFormat.value) {
                diagnostics.error(wireFormat.location, wireFormat.path,
                                  "has characters a header value cannot carry")
            }
            format = wireFormat.value
        }
        return (header, format)
    }
}
