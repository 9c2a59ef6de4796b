/// The top-level `approval` section as written: the CIBA authority.
struct WireApproval {
    var location: SourceLocation
    var path: String
    var backchannelURL: Located<String>?
    var tokenURL: Located<String>?
    var client: WireClient
    var loginHint: Located<String>?
    var timeout: Located<String>?
    var bindingCharacters: Located<String>?
    var bindingLength: Located<String>?
    var authorizationDetails: Located<String>?
    var caFile: Located<String>?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        location = reader.location
        path = reader.path
        backchannelURL = reader.scalar("backchannel_url", &diagnostics)
        tokenURL = reader.scalar("token_url", &diagnostics)
        client = WireClient(&reader, &diagnostics)
        loginHint = reader.scalar("login_hint", &diagnostics)
        timeout = reader.scalar("timeout", &diagnostics)
        bindingCharacters = reader.scalar("binding_characters", &diagnostics)
        bindingLength = reader.scalar("binding_length", &diagnostics)
        authorizationDetails = reader.scalar("authorization_details", &diagnostics)
        caFile = reader.scalar("ca_file", &diagnostics)
        reader.reportUnknownKeys(&diagnostics)
    }
}

/// A route's `approval` as written.
struct WireRouteApproval {
    var location: SourceLocation
    var path: String
    var bindingMessage: Located<String>?
    var scopes: Located<[Located<String>]>?
    var audience: Located<String>?
    var timeout: Located<String>?
    var mode: Located<String>?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        location = reader.location
        path = reader.path
        bindingMessage = reader.scalar("binding_message", &diagnostics)
        scopes = reader.scalars("scopes", &diagnostics)
        audience = reader.scalar("audience", &diagnostics)
        timeout = reader.scalar("timeout", &diagnostics)
        mode = reader.scalar("mode", &diagnostics)
        reader.reportUnknownKeys(&diagnostics)
    }
}
