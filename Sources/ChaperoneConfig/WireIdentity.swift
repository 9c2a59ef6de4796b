/// The `identity` section as written.
struct WireIdentity {
    var location: SourceLocation
    var path: String
    var issuer: Located<String>?
    var jwksURL: Located<String>?
    var audience: Located<String>?
    var algorithms: Located<[Located<String>]>?
    var leeway: Located<String>?
    var requireTyp: Located<String>?
    var jwksCache: Located<String>?
    var jwksMaxStale: Located<String>?
    var caFile: Located<String>?
    var maxTokenBytes: Located<String>?
    var tokenCache: Located<String>?
    var actorRequired: Located<String>?
    var actorMaxDepth: Located<String>?
    var exchange: WireExchange?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        location = reader.location
        path = reader.path
        issuer = reader.scalar("issuer", &diagnostics)
        jwksURL = reader.scalar("jwks_url", &diagnostics)
        audience = reader.scalar("audience", &diagnostics)
        algorithms = reader.scalars("algorithms", &diagnostics)
        leeway = reader.scalar("leeway", &diagnostics)
        requireTyp = reader.scalar("require_typ", &diagnostics)
        jwksCache = reader.scalar("jwks_cache", &diagnostics)
        jwksMaxStale = reader.scalar("jwks_max_stale", &diagnostics)
        caFile = reader.scalar("ca_file", &diagnostics)
        maxTokenBytes = reader.scalar("max_token_bytes", &diagnostics)
        tokenCache = reader.scalar("token_cache", &diagnostics)
        if var actor = reader.mapping("actor", &diagnostics) {
            actorRequired = actor.scalar("required", &diagnostics)
            actorMaxDepth = actor.scalar("max_depth", &diagnostics)
            actor.reportUnknownKeys(&diagnostics)
        }
        if var exchange = reader.mapping("exchange", &diagnostics) {
            self.exchange = WireExchange(&exchange, &diagnostics)
        }
        reader.reportUnknownKeys(&diagnostics)
    }
}

/// `identity.exchange` as written.
struct WireExchange {
    var location: SourceLocation
    var path: String
    var tokenURL: Located<String>?
    var clientID: Located<String>?
    var clientSecret: WireSecret?
    var authMethod: Located<String>?
    var audience: Located<String>?
    var scope: Located<String>?
    var actorToken: WireSecret?
    var actorTokenType: Located<String>?
    var timeout: Located<String>?
    var caFile: Located<String>?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        location = reader.location
        path = reader.path
        tokenURL = reader.scalar("token_url", &diagnostics)
        clientID = reader.scalar("client_id", &diagnostics)
        if let node = reader.node("client_secret") {
            clientSecret = WireSecret(node, path: reader.childPath("client_secret"),
                                      &diagnostics)
        }
        authMethod = reader.scalar("auth_method", &diagnostics)
        audience = reader.scalar("audience", &diagnostics)
        scope = reader.scalar("scope", &diagnostics)
        if let node = reader.node("actor_token") {
            actorToken = WireSecret(node, path: reader.childPath("actor_token"), &diagnostics)
        }
        actorTokenType = reader.scalar("actor_token_type", &diagnostics)
        timeout = reader.scalar("timeout", &diagnostics)
        caFile = reader.scalar("ca_file", &diagnostics)
        reader.reportUnknownKeys(&diagnostics)
    }
}
