/// The `vault` section as written.
struct WireVault {
    var location: SourceLocation
    var path: String
    var store: Located<String>?
    var key: WireSecret?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        location = reader.location
        path = reader.path
        store = reader.scalar("store", &diagnostics)
        if let node = reader.node("key") {
            key = WireSecret(node, path: reader.childPath("key"), &diagnostics)
        }
        reader.reportUnknownKeys(&diagnostics)
    }
}

/// A value that is either written out or read from a secret source, such as a client id
/// that a deployment keeps beside its client secret.
enum WireText {
    case text(Located<String>)
    case secret(WireSecret)

    init?(_ node: YAMLNode, path: String, _ diagnostics: inout Diagnostics) {
        if case .mapping = node {
            guard let secret = WireSecret(node, path: path, &diagnostics) else { return nil }
            self = .secret(secret)
        } else {
            guard let text = MappingReader.scalar(node, path: path, &diagnostics) else {
                return nil
            }
            self = .text(text)
        }
    }
}

/// An OAuth client's credentials as written: `client_id`, `client_secret` and `auth`, the
/// same keys for a connection and for the approval authority.
struct WireClient {
    var clientID: WireText?
    var clientSecret: WireSecret?
    var auth: Located<String>?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        if let node = reader.node("client_id") {
            clientID = WireText(node, path: reader.childPath("client_id"), &diagnostics)
        }
        if let node = reader.node("client_secret") {
            clientSecret = WireSecret(node, path: reader.childPath("client_secret"),
                                      &diagnostics)
        }
        auth = reader.scalar("auth", &diagnostics)
    }
}

/// One entry of `connections` as written; `name` is its key in the mapping.
struct WireConnection {
    var name: Located<String>
    var location: SourceLocation
    var path: String
    var kind: Located<String>?
    var tokenURL: Located<String>?
    var client: WireClient
    var connectURL: Located<String>?
    var scopes: Located<[Located<String>]>?
    var connection: Located<String>?
    var subjectToken: Located<String>?
    var loginHint: Located<String>?
    var maxTTL: Located<String>?
    var caFile: Located<String>?

    init?(name: Located<String>, _ node: YAMLNode, _ diagnostics: inout Diagnostics) {
        guard var reader = MappingReader(node, path: name.path, diagnostics: &diagnostics) else {
            return nil
        }
        self.name = name
        location = reader.location
        path = reader.path
        kind = reader.scalar("kind", &diagnostics)
        tokenURL = reader.scalar("token_url", &diagnostics)
        client = WireClient(&reader, &diagnostics)
        connectURL = reader.scalar("connect_url", &diagnostics)
        scopes = reader.scalars("scopes", &diagnostics)
        connection = reader.scalar("connection", &diagnostics)
        subjectToken = reader.scalar("subject_token", &diagnostics)
        loginHint = reader.scalar("login_hint", &diagnostics)
        maxTTL = reader.scalar("max_ttl", &diagnostics)
        caFile = reader.scalar("ca_file", &diagnostics)
        reader.reportUnknownKeys(&diagnostics)
    }

    /// `connections`: a mapping from connection names to their settings.
    static func all(_ node: YAMLNode, _ diagnostics: inout Diagnostics)
        -> Located<[WireConnection]>?
    {
        guard case .mapping(let entries, let location) = node else {
            diagnostics.error(node.location, "connections",
                              "expected a mapping from connection names to their settings, "
                                  + "found \(node.kindName)")
            return nil
        }
        let connections = entries.compactMap { entry in
            let name = Located(value: entry.key.value, location: entry.key.location,
                               path: "connections.\(entry.key.value)")
            return WireConnection(name: name, entry.value, &diagnostics)
        }
        return Located(value: connections, location: location, path: "connections")
    }
}
